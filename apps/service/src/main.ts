import { createFalGateway, FalJwksCache } from '@avatar/fal';
import { migrateToLatest, openStore } from '@avatar/store';
import { pino } from 'pino';
import { serviceConfigFromEnv, ServiceConfigError } from './config.js';
import { startService } from './service.js';

/**
 * `pnpm start`: the whole service in one process. Without DATABASE_URL it runs on the embedded
 * PGlite database (one process owns it); with it, `pnpm start:bot` and `pnpm start:webhooks`
 * can instead run separately and as several instances.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = serviceConfigFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof ServiceConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const { webhooks } = config;
  const logger = pino({ level: webhooks.logLevel, base: { app: 'service' } });
  const store = await openStore(webhooks.database);
  logger.info({ database: store.description }, 'database opened');
  const applied = await migrateToLatest(store);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const service = await startService({
    store,
    logger,
    telegram: { token: webhooks.telegram.token, apiRoot: webhooks.telegram.apiRoot, webhook: config.telegramWebhook },
    fal: {
      gateway: createFalGateway({
        credentials: webhooks.fal.credentials,
        ...(webhooks.fal.baseUrl !== null && { baseUrl: webhooks.fal.baseUrl }),
        ...(webhooks.fal.submitTimeoutMs !== null && { submitTimeoutMs: webhooks.fal.submitTimeoutMs }),
      }),
      keys: new FalJwksCache({ url: webhooks.fal.jwksUrl }),
    },
    http: { port: webhooks.port, host: webhooks.host },
    publicUrl: webhooks.publicUrl,
    hintSecret: webhooks.hintSecret,
    ...(webhooks.inspectorToken !== null && { inspectorToken: webhooks.inspectorToken }),
    trustProxy: webhooks.trustProxy,
    rateLimit: webhooks.rateLimit,
    bodyLimitBytes: webhooks.bodyLimitBytes,
    timings: webhooks.timings,
    pricing: config.pricing,
  });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the work in hand');
    await service.stop();
    await store.close();
    logger.info('stopped');
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

await main().catch((error: unknown) => {
  console.error('the service could not start:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
