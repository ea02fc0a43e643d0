import { defaultFalJwksUrl } from '@avatar/fal';
import { databaseConfigFromEnv, type DatabaseConfig } from '@avatar/store';
import { z } from 'zod';
import { defaultBodyLimitBytes, defaultRateLimit } from './app.js';
import { productionTimings, type FalWorkerTimings } from './workers/timings.js';

export interface WebhooksConfig {
  port: number;
  host: string;
  logLevel: z.infer<typeof logLevel>;
  database: DatabaseConfig;
  fal: { credentials: string; baseUrl: string | null; jwksUrl: string; submitTimeoutMs: number | null };
  /** Where fal reaches this app; the webhook URL is `${publicUrl}/webhooks/fal?…`. */
  publicUrl: string;
  hintSecret: string;
  telegram: { token: string; apiRoot: string };
  bodyLimitBytes: number;
  rateLimit: { max: number; timeWindowMs: number };
  trustProxy: boolean;
  /** The inspector is served only when this is set. */
  inspectorToken: string | null;
  timings: FalWorkerTimings;
}

export class WebhooksConfigError extends Error {
  override readonly name = 'WebhooksConfigError';

  constructor(readonly problems: string[]) {
    super(`the webhooks app is not configured correctly:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The environment variable of each worker timing (milliseconds, or a count). */
export const timingVariables: Record<keyof FalWorkerTimings, string> = {
  effectPollMs: 'FAL_EFFECT_POLL_MS',
  effectLeaseMs: 'FAL_EFFECT_LEASE_MS',
  effectBatchSize: 'FAL_EFFECT_BATCH_SIZE',
  retryBaseMs: 'FAL_RETRY_BASE_MS',
  maxRetryDelayMs: 'FAL_MAX_RETRY_DELAY_MS',
  submissionCheckMs: 'FAL_SUBMISSION_CHECK_MS',
  trainingSubmissionDeadlineMs: 'FAL_TRAINING_SUBMISSION_DEADLINE_MS',
  generationSubmissionDeadlineMs: 'FAL_GENERATION_SUBMISSION_DEADLINE_MS',
  cancelAttempts: 'FAL_CANCEL_ATTEMPTS',
  reconcilePollMs: 'FAL_RECONCILE_POLL_MS',
  reconcileAfterMs: 'FAL_RECONCILE_AFTER_MS',
  reconcileEveryMs: 'FAL_RECONCILE_EVERY_MS',
  reconcileBatchSize: 'FAL_RECONCILE_BATCH_SIZE',
  projectorPollMs: 'FAL_PROJECTOR_POLL_MS',
  settlementLeaseMs: 'WALLET_SETTLEMENT_LEASE_MS',
};

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const required = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) });
const httpUrl = (what: string) =>
  required(what).refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), `must be an http(s) URL (${what})`);
const optionalHttpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
  .optional();
const positiveInt = z.coerce.number<string>().int('must be a whole number').positive('must be positive');

const variables = z.object({
  PORT: z.coerce.number<string>().int().min(0).max(65_535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevel.default('info'),
  FAL_KEY: required('key_id:key_secret').regex(/^[^:\s]+:[^:\s]+$/, 'must look like key_id:key_secret'),
  FAL_BASE_URL: optionalHttpUrl,
  FAL_JWKS_URL: optionalHttpUrl,
  FAL_SUBMIT_TIMEOUT_MS: positiveInt.optional(),
  PUBLIC_URL: httpUrl('the address fal posts webhooks to').refine(
    (value) => !URL.canParse(value) || (new URL(value).search === '' && new URL(value).hash === ''),
    'must not have a query string or fragment',
  ),
  WEBHOOK_HINT_SECRET: required('a secret').min(32, 'must be at least 32 characters (it signs the webhook URL hints)'),
  TELEGRAM_BOT_TOKEN: required('a bot token').regex(/^\d+:[\w-]+$/, 'must look like <bot id>:<secret>'),
  TELEGRAM_API_ROOT: optionalHttpUrl,
  WEBHOOK_BODY_LIMIT_BYTES: positiveInt.default(defaultBodyLimitBytes),
  RATE_LIMIT_MAX: positiveInt.default(defaultRateLimit.max),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(defaultRateLimit.timeWindowMs),
  TRUST_PROXY: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  INSPECTOR_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (it guards the inspector)')
    .refine((value) => !/\s/.test(value), 'must not contain whitespace')
    .optional(),
  ...Object.fromEntries(Object.values(timingVariables).map((name) => [name, positiveInt.optional()])),
});

/**
 * The app's settings from the environment, all checked at once: a missing or invalid setting is
 * reported with every other one in a single `WebhooksConfigError`, never replaced by a stand-in.
 * Without DATABASE_URL the embedded PGlite database in PGLITE_DATA_DIR is used.
 */
export function loadWebhooksConfig(env: NodeJS.ProcessEnv): WebhooksConfig {
  const given = Object.fromEntries(
    Object.keys(variables.shape).flatMap((name) => {
      const value = env[name]?.trim();
      return value ? [[name, value]] : [];
    }),
  );
  const parsed = variables.safeParse(given);
  if (!parsed.success) {
    throw new WebhooksConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const vars = parsed.data;
  const timing = (field: keyof FalWorkerTimings): number => {
    const value = (vars as Record<string, unknown>)[timingVariables[field]];
    return typeof value === 'number' ? value : productionTimings[field];
  };
  return {
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    database: databaseConfigFromEnv(env),
    fal: {
      credentials: vars.FAL_KEY,
      baseUrl: vars.FAL_BASE_URL ?? null,
      jwksUrl: vars.FAL_JWKS_URL ?? defaultFalJwksUrl,
      submitTimeoutMs: vars.FAL_SUBMIT_TIMEOUT_MS ?? null,
    },
    publicUrl: vars.PUBLIC_URL.replace(/\/+$/, ''),
    hintSecret: vars.WEBHOOK_HINT_SECRET,
    telegram: { token: vars.TELEGRAM_BOT_TOKEN, apiRoot: (vars.TELEGRAM_API_ROOT ?? 'https://api.telegram.org').replace(/\/+$/, '') },
    bodyLimitBytes: vars.WEBHOOK_BODY_LIMIT_BYTES,
    rateLimit: { max: vars.RATE_LIMIT_MAX, timeWindowMs: vars.RATE_LIMIT_WINDOW_MS },
    trustProxy: vars.TRUST_PROXY === 'true',
    inspectorToken: vars.INSPECTOR_TOKEN ?? null,
    timings: Object.fromEntries(
      (Object.keys(timingVariables) as (keyof FalWorkerTimings)[]).map((field) => [field, timing(field)]),
    ) as Record<keyof FalWorkerTimings, number>,
  };
}
