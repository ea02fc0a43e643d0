import type { AddressInfo } from 'node:net';
import { createBot, runPolling, startNotifier, webhookRoute, type Pricing } from '@avatar/bot';
import type { FalGateway, FalKeySource } from '@avatar/fal';
import type { Store } from '@avatar/store';
import { createTelegramFiles } from '@avatar/telegram-files';
import { buildWebhookApp, startFalWorkers, type FalWorkerTimings } from '@avatar/webhooks';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';

export interface ServiceOptions {
  store: Store;
  logger: Logger;
  telegram: {
    token: string;
    apiRoot: string;
    /** What getMe answers, when known (the demo knows it); otherwise the bot asks. */
    botInfo?: UserFromGetMe;
    /** Telegram POSTs updates to this URL (served on this process's port); null: long polling. */
    webhook: { url: string; secret: string } | null;
  };
  fal: { gateway: FalGateway; keys: FalKeySource };
  http: { port: number; host: string };
  /** Where fal reaches this process; defaults to the address it listens on (the demo, on loopback). */
  publicUrl?: string;
  hintSecret: string;
  inspectorToken?: string;
  trustProxy?: boolean;
  rateLimit?: { max: number; timeWindowMs: number };
  bodyLimitBytes?: number;
  timings?: Partial<FalWorkerTimings>;
  notifierIdleMs?: number;
  /** Prices, the welcome grant and the top-up packages; default the bot's `defaultPricing`. */
  pricing?: Pricing;
}

export interface RunningService {
  /** The HTTP address the process listens on. */
  url: string;
  /** Stops taking updates and webhooks, finishes the work in hand, and stops the workers. */
  stop(): Promise<void>;
}

/**
 * The bot, the webhook app and every worker in one process on one store: `pnpm start` and the
 * demo. One Fastify server hosts fal's webhooks, the health checks, the inspector and (in webhook
 * mode) Telegram's updates.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { store, logger, telegram } = options;
  const app = await buildWebhookApp({
    store,
    jwks: options.fal.keys,
    logger,
    hintSecret: options.hintSecret,
    ...(options.inspectorToken !== undefined && { inspectorToken: options.inspectorToken }),
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    ...(options.rateLimit && { rateLimit: options.rateLimit }),
    ...(options.bodyLimitBytes !== undefined && { bodyLimitBytes: options.bodyLimitBytes }),
  });
  const { bot, close: closeBot } = createBot({
    store,
    token: telegram.token,
    apiRoot: telegram.apiRoot,
    logger,
    ...(telegram.botInfo && { botInfo: telegram.botInfo }),
    ...(options.pricing && { pricing: options.pricing }),
  });
  if (telegram.webhook) {
    webhookRoute(app, bot, { path: new URL(telegram.webhook.url).pathname, secretToken: telegram.webhook.secret, store, logger });
  }
  await app.listen({ port: options.http.port, host: options.http.host });
  const { port } = app.server.address() as AddressInfo;
  const listenHost = options.http.host === '0.0.0.0' ? '127.0.0.1' : options.http.host;
  const url = `http://${listenHost}:${port}`;

  const falWorkers = startFalWorkers({
    store,
    fal: options.fal.gateway,
    telegramFiles: createTelegramFiles({ token: telegram.token, apiRoot: telegram.apiRoot }),
    publicUrl: options.publicUrl ?? url,
    hintSecret: options.hintSecret,
    logger,
    ...(options.timings && { timings: options.timings }),
  });
  await bot.init();
  const notifier = startNotifier({ store, api: bot.api, logger, ...(options.notifierIdleMs && { idleMs: options.notifierIdleMs }) });
  let stopUpdates: () => Promise<void>;
  if (telegram.webhook) {
    await bot.api.setWebhook(telegram.webhook.url, { secret_token: telegram.webhook.secret });
    stopUpdates = async () => {};
  } else {
    const polling = await runPolling(bot);
    stopUpdates = () => polling.stop();
  }
  logger.info({ url, bot: bot.botInfo.username, updates: telegram.webhook ? 'webhook' : 'long polling' }, 'service started');

  return {
    url,
    async stop() {
      await stopUpdates();
      await app.close();
      closeBot();
      await Promise.all([notifier.stop(), falWorkers.stop()]);
    },
  };
}
