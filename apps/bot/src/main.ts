import { databaseConfigFromEnv, migrateToLatest, openStore } from '@avatar/store';
import Fastify from 'fastify';
import { pino } from 'pino';
import { allowedUpdates, createBot } from './bot.js';
import { botConfigFromEnv, ConfigError } from './config.js';
import { createI18n, locales } from './i18n/locales.js';
import { startNotifier } from './notifier/notifier.js';
import { runPolling } from './runtime/polling.js';
import { webhookRoute } from './runtime/webhook.js';

/** `pnpm start:bot`: the bot and its notifier, by long polling or (with TELEGRAM_WEBHOOK_URL) a webhook. */
async function main(): Promise<void> {
  let config;
  try {
    config = botConfigFromEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const logger = pino({ level: config.logLevel });
  const store = await openStore(databaseConfigFromEnv());
  logger.info({ database: store.description }, 'database opened');
  await migrateToLatest(store);

  const { bot, close } = createBot({ store, token: config.token, logger, pricing: config.pricing, ...(config.apiRoot && { apiRoot: config.apiRoot }) });
  await bot.init();
  await publishCommands(bot.api);
  const notifier = startNotifier({ store, api: bot.api, logger });

  let stopUpdates: () => Promise<void>;
  if (config.webhook === null) {
    const polling = await runPolling(bot);
    stopUpdates = () => polling.stop();
    logger.info({ bot: bot.botInfo.username }, 'long polling');
  } else {
    const server = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
    webhookRoute(server, bot, { path: config.webhook.path, secretToken: config.webhook.secret, store, logger });
    await server.listen({ port: config.webhook.port, host: '0.0.0.0' });
    await bot.api.setWebhook(config.webhook.url, { secret_token: config.webhook.secret, allowed_updates: [...allowedUpdates] });
    stopUpdates = () => server.close();
    logger.info({ bot: bot.botInfo.username, url: config.webhook.url, port: config.webhook.port }, 'webhook set');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await stopUpdates();
    close();
    await notifier.stop();
    await store.close();
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The command menu, in every language the bot speaks. */
async function publishCommands(api: ReturnType<typeof createBot>['bot']['api']): Promise<void> {
  const i18n = createI18n();
  const names = ['start', 'new', 'avatars', 'generate', 'balance', 'topup', 'cancel', 'help', 'paysupport'] as const;
  for (const locale of locales) {
    const commands = names.map((command) => ({ command, description: i18n.t(locale, `command-${command}`) }));
    await api.setMyCommands(commands, locale === 'en' ? {} : { language_code: locale });
  }
}

main().catch((error: unknown) => {
  console.error(`the bot failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
