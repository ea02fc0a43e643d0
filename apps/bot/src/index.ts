export { createBot, allowedUpdates, defaultApiRoot, type AvatarBot, type CreateBotOptions } from './bot.js';
export { startNotifier, type Notifier, type NotifierOptions } from './notifier/notifier.js';
export { runPolling, type Polling } from './runtime/polling.js';
export { webhookRoute, type WebhookRouteOptions } from './runtime/webhook.js';
export { installRetries, defaultRetryLimits, type RetryLimits } from './telegram/retries.js';
export type { BotContext, BotLogger } from './context.js';
export { actions, decodeAction, encodeAction, maxCallbackDataBytes, type ActionName } from './actions/registry.js';
export { locales, type Locale } from './i18n/locales.js';
export { botConfigFromEnv, ConfigError, type BotConfig } from './config.js';
