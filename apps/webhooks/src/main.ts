import { createFalGateway, FalJwksCache } from '@avatar/fal';
import { migrateToLatest, openStore } from '@avatar/store';
import { createTelegramFiles } from '@avatar/telegram-files';
import { pino } from 'pino';
import { buildWebhookApp } from './app.js';
import { loadWebhooksConfig, WebhooksConfigError } from './config.js';
import { startFalWorkers } from './workers/index.js';

/** `pnpm start:webhooks`: the webhook app and the fal workers in one process. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadWebhooksConfig(process.env);
  } catch (error) {
    if (!(error instanceof WebhooksConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }

  const logger = pino({ level: config.logLevel, base: { app: 'webhooks' } });
  const store = await openStore(config.database);
  logger.info({ database: store.description }, 'database opened');
  const applied = await migrateToLatest(store);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const fal = createFalGateway({
    credentials: config.fal.credentials,
    ...(config.fal.baseUrl === null ? {} : { baseUrl: config.fal.baseUrl }),
    ...(config.fal.submitTimeoutMs === null ? {} : { submitTimeoutMs: config.fal.submitTimeoutMs }),
  });
  const app = await buildWebhookApp({
    store,
    jwks: new FalJwksCache({ url: config.fal.jwksUrl }),
    logger,
    hintSecret: config.hintSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    rateLimit: config.rateLimit,
    trustProxy: config.trustProxy,
    ...(config.inspectorToken === null ? {} : { inspectorToken: config.inspectorToken }),
  });
  await app.listen({ port: config.port, host: config.host });
  const workers = startFalWorkers({
    store,
    fal,
    telegramFiles: createTelegramFiles(config.telegram),
    publicUrl: config.publicUrl,
    hintSecret: config.hintSecret,
    logger,
    timings: config.timings,
  });
  logger.info({ publicUrl: config.publicUrl, falBaseUrl: config.fal.baseUrl ?? 'fal.ai' }, 'webhooks app started');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'stopping at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the work in hand');
    await app.close();
    await workers.stop();
    await store.close();
    logger.info('stopped');
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

await main().catch((error: unknown) => {
  console.error('the webhooks app could not start:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
