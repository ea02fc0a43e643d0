import { z } from 'zod';
import { pricingEnvSchema, pricingOf, type Pricing } from './pricing.js';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const envSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: z
      .string({ error: 'is required (the token @BotFather gave you)' })
      .regex(/^\d+:[\w-]{20,}$/, 'does not look like a bot token ("123456:ABC…")'),
    TELEGRAM_API_ROOT: optional(z.url().transform((url) => url.replace(/\/+$/, ''))),
    TELEGRAM_WEBHOOK_URL: optional(z.url({ protocol: /^https?$/ })),
    TELEGRAM_WEBHOOK_SECRET: optional(z.string().regex(/^[\w-]{1,256}$/, 'may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters)')),
    PORT: optional(z.coerce.number().int().min(1).max(65_535)),
    LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  })
  .extend(pricingEnvSchema.shape);

/** Checked on its own, so it is reported even when other settings are wrong too. */
function webhookSecretProblem(env: NodeJS.ProcessEnv): string | null {
  const given = (name: string) => (env[name] ?? '').trim() !== '';
  return given('TELEGRAM_WEBHOOK_URL') && !given('TELEGRAM_WEBHOOK_SECRET')
    ? '  TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set (Telegram sends it with every update)'
    : null;
}

export interface BotConfig {
  token: string;
  apiRoot: string | undefined;
  webhook: { url: string; secret: string; path: string; port: number } | null;
  logLevel: string;
  pricing: Pricing;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The bot's settings from the environment, or one error that names every missing or wrong one. */
export function botConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'} ${issue.message}`)),
    ...[webhookSecretProblem(env)].filter((problem) => problem !== null),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`the bot cannot start; fix these settings:\n${problems.join('\n')}`);
  }
  const { TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET, PORT, LOG_LEVEL } = parsed.data;
  return {
    token: TELEGRAM_BOT_TOKEN,
    apiRoot: TELEGRAM_API_ROOT,
    webhook:
      TELEGRAM_WEBHOOK_URL === undefined || TELEGRAM_WEBHOOK_SECRET === undefined
        ? null
        : { url: TELEGRAM_WEBHOOK_URL, secret: TELEGRAM_WEBHOOK_SECRET, path: new URL(TELEGRAM_WEBHOOK_URL).pathname, port: PORT ?? 8080 },
    logLevel: LOG_LEVEL ?? 'info',
    pricing: pricingOf(parsed.data),
  };
}
