import { botConfigFromEnv, ConfigError, defaultPricing, type Pricing } from '@avatar/bot';
import { loadWebhooksConfig, WebhooksConfigError, type WebhooksConfig } from '@avatar/webhooks';

export interface ServiceConfig {
  webhooks: WebhooksConfig;
  telegramWebhook: { url: string; secret: string } | null;
  pricing: Pricing;
}

export class ServiceConfigError extends Error {
  override name = 'ServiceConfigError';
}

/**
 * Both apps' settings from one environment (they share TELEGRAM_BOT_TOKEN, PORT and the
 * database). Every problem of both is reported at once, before anything starts.
 */
export function serviceConfigFromEnv(env: NodeJS.ProcessEnv): ServiceConfig {
  const problems: string[] = [];
  let webhooks: WebhooksConfig | undefined;
  let telegramWebhook: ServiceConfig['telegramWebhook'] = null;
  let pricing = defaultPricing;
  try {
    webhooks = loadWebhooksConfig(env);
  } catch (error) {
    if (!(error instanceof WebhooksConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    const bot = botConfigFromEnv(env);
    telegramWebhook = bot.webhook && { url: bot.webhook.url, secret: bot.webhook.secret };
    pricing = bot.pricing;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.message.split('\n').slice(1).map((line) => line.trim()));
  }
  if (!webhooks || problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new ServiceConfigError(`the service cannot start; fix these settings:\n${unique.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { webhooks, telegramWebhook, pricing };
}
