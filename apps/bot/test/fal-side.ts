import { createFalGateway, FalJwksCache } from '@avatar/fal';
import { startFalEmulator, type FalEmulator } from '@avatar/fal-emulator';
import { createTelegramFiles } from '@avatar/telegram-files';
import { buildWebhookApp, startFalWorkers } from '@avatar/webhooks';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Harness } from './harness.js';

const hintSecret = 'bot-test-hint-secret-that-is-long-enough-0123456789';

/**
 * fal's side of the service, as production runs it next to the bot: the fal emulator, the webhook
 * app receiving its signed webhooks, and the fal workers (submissions, reconciliation, the
 * owner-profiles projector). Closed with the harness.
 */
export async function startFalSide(h: Harness, { trainingMs = 1500 }: { trainingMs?: number } = {}): Promise<FalEmulator> {
  const logger = pino({ level: process.env.TEST_LOG ? 'info' : 'silent' });
  const fal = await startFalEmulator({ trainingMs, generationMs: 200, webhookRetryDelaysMs: [200, 400, 800, 1_600, 3_200] });
  const app = await buildWebhookApp({ store: h.store, jwks: new FalJwksCache({ url: fal.jwksUrl }), logger, hintSecret });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const workers = startFalWorkers({
    store: h.store,
    fal: createFalGateway({ credentials: fal.key, baseUrl: fal.url }),
    telegramFiles: createTelegramFiles({ token: h.tg.token, apiRoot: h.tg.apiRoot }),
    publicUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    hintSecret,
    logger,
    timings: { effectPollMs: 50, retryBaseMs: 100, maxRetryDelayMs: 1_000, reconcilePollMs: 200, reconcileAfterMs: 600_000, projectorPollMs: 100 },
  });
  h.closeWith(async () => {
    await workers.stop();
    await app.close();
    await fal.close();
  });
  return fal;
}
