import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFalGateway, FalJwksCache, type FalKeySource } from '@avatar/fal';
import { startFalEmulator, type FalEmulator, type FalEmulatorOptions, type FalJobView } from '@avatar/fal-emulator';
import { falWebhookHeaders, signFalWebhook, waitFor } from '@avatar/fal-emulator/testing';
import { statusOf, trainingRequest, type Actor, type AvatarState, type AvatarStatus, type EventOf } from '@avatar/machine';
import { dispatch, loadAvatar, openStore, readStream, type RecordedEvent, type Store } from '@avatar/store';
import { testBackends, type TestBackend, type TestStore } from '@avatar/store/testing';
import { startTelegramEmulator, makeTestImage, type TelegramEmulator } from '@avatar/telegram-emulator';
import { createTelegramFiles } from '@avatar/telegram-files';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { suite, type Test } from 'uvu';
import { buildWebhookApp, startFalWorkers, type FalWorkerTimings, type WebhookAppDeps } from '../src/index.js';

/** Generous: the machine running the tests is slow and shared. */
export const patience = 20_000;
export const hintSecret = 'test-hint-secret-that-is-long-enough-0123456789';
export const user: Actor = { kind: 'user', userId: 1001 };
export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Short timings; reconciliation stays out of the way unless a test asks for it. */
export const testTimings: Partial<FalWorkerTimings> = {
  effectPollMs: 50,
  effectLeaseMs: 60_000,
  retryBaseMs: 100,
  maxRetryDelayMs: 1_000,
  submissionCheckMs: 200,
  trainingSubmissionDeadlineMs: 120_000,
  generationSubmissionDeadlineMs: 120_000,
  reconcilePollMs: 100,
  reconcileAfterMs: 600_000,
  reconcileEveryMs: 200,
  projectorPollMs: 100,
};

export interface WorldOptions {
  fal?: FalEmulatorOptions;
  timings?: Partial<FalWorkerTimings>;
  /** How long a submit may hang before it counts as unreachable. */
  submitTimeoutMs?: number;
}

/**
 * Everything the webhook app talks to, for real: a migrated database, the fal emulator, the
 * Telegram emulator (the photos' files), the app listening on loopback, and its workers.
 */
export interface World {
  store: TestStore;
  /** Starts another instance's workers on the same database (its own pool on Postgres), as another process would. */
  startAnotherInstance(): Promise<{ stop(): Promise<void> }>;
  fal: FalEmulator;
  tg: TelegramEmulator;
  /** The app's base URL (what fal posts to). */
  url: string;
  /** Stops the app and the workers and starts new ones on the same database and port. */
  restart(timings?: Partial<FalWorkerTimings>): Promise<void>;
  /** Stops the app and the workers (a crash, as far as the database can tell). */
  stop(): Promise<void>;
  start(timings?: Partial<FalWorkerTimings>): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(backend: TestBackend, options: WorldOptions = {}): Promise<World> {
  const store = await backend.open();
  // Jobs finish when a test says so (`finishJob`), unless it set a training time.
  const fal = await startFalEmulator({ trainingMs: 600_000, generationMs: 200, webhookRetryDelaysMs: [200, 400, 800, 1_600, 3_200], ...options.fal });
  const tg = await startTelegramEmulator();
  const gateway = createFalGateway({ credentials: fal.key, baseUrl: fal.url, submitTimeoutMs: options.submitTimeoutMs ?? 10_000 });
  const telegramFiles = createTelegramFiles({ token: tg.token, apiRoot: tg.apiRoot });
  let port = 0;
  let app: FastifyInstance | null = null;
  let workers: { stop(): Promise<void> } | null = null;
  let url = '';

  const world: World = {
    store,
    fal,
    tg,
    get url() {
      return url;
    },
    async start(timings = {}) {
      app = await buildWebhookApp({ store, jwks: new FalJwksCache({ url: fal.jwksUrl }), logger, hintSecret });
      await app.listen({ port, host: '127.0.0.1' });
      port = (app.server.address() as AddressInfo).port;
      url = `http://127.0.0.1:${port}`;
      workers = startFalWorkers({
        store,
        fal: gateway,
        telegramFiles,
        publicUrl: url,
        hintSecret,
        logger,
        timings: { ...testTimings, ...options.timings, ...timings },
      });
    },
    async startAnotherInstance() {
      const databaseUrl = process.env.TEST_DATABASE_URL;
      const own =
        store.backend === 'postgres' && databaseUrl ? await openStore({ kind: 'postgres', url: databaseUrl, schema: store.schema }) : null;
      const other = startFalWorkers({
        store: own ?? store,
        fal: gateway,
        telegramFiles,
        publicUrl: world.url,
        hintSecret,
        logger,
        timings: { ...testTimings, ...options.timings },
      });
      return {
        stop: async () => {
          await other.stop();
          await own?.close();
        },
      };
    },
    async stop() {
      await workers?.stop();
      await app?.close();
      workers = null;
      app = null;
    },
    async restart(timings) {
      await world.stop();
      await world.start(timings);
    },
    async close() {
      await world.stop();
      await fal.close();
      await tg.close();
      await store.close();
    },
  };
  await world.start();
  return world;
}

/** One suite per database backend (PGlite always, Postgres with TEST_DATABASE_URL), each with its world. */
export function worldSuites(name: string, options: WorldOptions, define: (test: Test<{ world: World }>) => void): void {
  for (const backend of testBackends()) {
    const test = suite<{ world: World }>(`${name} [${backend.name}]`, { world: undefined as never });
    test.before(async (context) => {
      context.world = await startWorld(backend, options);
    });
    test.after(async (context) => {
      await context.world?.close();
    });
    define(test);
    test.run();
  }
}

/** An avatar with `photoCount` real photos a Telegram user sent, ready to train. */
export async function readyAvatar(world: Pick<World, 'store' | 'tg'>, { photoCount = 10, brokenPhotos = 0 } = {}): Promise<string> {
  const person = world.tg.user({ firstName: 'Alice' });
  const avatarId = crypto.randomUUID();
  const created: EventOf<'AvatarCreated'> = {
    type: 'AvatarCreated',
    avatarId,
    ownerId: person.id,
    chatId: person.id,
    name: 'Alice',
    gender: 'female',
    trainer: 'portrait',
  };
  await mustAccept(world.store, avatarId, created);
  for (let n = 1; n <= photoCount; n++) {
    const bytes = makeTestImage({ width: 512, height: 512, seed: `${avatarId}-${n}` });
    const message = await person.sendPhoto(bytes);
    const largest = message.photo?.at(-1);
    if (largest === undefined) throw new Error('the emulator sent no photo sizes');
    const broken = n <= brokenPhotos;
    await mustAccept(world.store, avatarId, {
      type: 'PhotoAdded',
      photoId: `photo-${n}`,
      // A file id Telegram does not know: the file is gone.
      telegramFileId: broken ? `${largest.file_id}-gone` : largest.file_id,
      fileUniqueId: largest.file_unique_id,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      width: largest.width,
      height: largest.height,
      bytes: bytes.length,
      mime: 'image/png',
    });
  }
  return avatarId;
}

export async function mustAccept(store: Store, streamId: string, event: Parameters<typeof dispatch>[2], actor: Actor = user): Promise<void> {
  const result = await dispatch(store, streamId, event, { actor });
  if (result.outcome !== 'accepted') throw new Error(`${event.type} was not accepted: ${JSON.stringify(result)}`);
}

export async function avatarState(store: Store, avatarId: string): Promise<AvatarState> {
  const loaded = await loadAvatar(store, avatarId);
  if (loaded?.state == null) throw new Error(`no avatar ${avatarId}`);
  return loaded.state;
}

export async function requestTraining(store: Store, avatarId: string, attemptId: string): Promise<void> {
  await mustAccept(store, avatarId, trainingRequest(await avatarState(store, avatarId), attemptId));
}

export function waitForStatus(store: Store, avatarId: string, status: AvatarStatus): Promise<AvatarState> {
  return waitFor(
    `avatar ${avatarId} to be ${status}`,
    async () => {
      const state = await avatarState(store, avatarId);
      return statusOf(state) === status && state;
    },
    patience,
  );
}

/** The fal request id recorded for the attempt in flight, once there is one. */
export function submittedRequestId(store: Store, avatarId: string, attemptId: string): Promise<string> {
  return waitFor(
    `attempt ${attemptId} to be submitted`,
    async () => {
      const attempt = (await avatarState(store, avatarId)).context.attempt;
      return (attempt?.attemptId === attemptId && attempt.falRequestId) || undefined;
    },
    patience,
  );
}

/** The emulator's jobs for one attempt, by the hint on their webhook URL. */
export function jobsOf(fal: FalEmulator, streamId: string, attemptId: string): FalJobView[] {
  return fal.jobs().filter((job) => {
    const query = new URL(job.webhookUrl ?? 'http://x/').searchParams;
    return query.get('stream') === streamId && query.get('attempt') === attemptId;
  });
}

export function waitForJob(fal: FalEmulator, streamId: string, attemptId: string): Promise<FalJobView> {
  return waitFor(`a fal job for ${attemptId}`, () => jobsOf(fal, streamId, attemptId)[0], patience);
}

/** Runs a job to its end now (its webhook follows, as fal would send it). */
export async function finishJob(fal: FalEmulator, requestId: string): Promise<void> {
  while ((await fal.advance(requestId)) !== 'COMPLETED');
}

export async function eventsOf(store: Store, streamId: string): Promise<RecordedEvent[]> {
  return readStream(store.db, streamId);
}

export async function typesOf(store: Store, streamId: string): Promise<string[]> {
  return (await eventsOf(store, streamId)).map((event) => event.type);
}

/** The fal outbox rows of a stream. */
export async function falEffects(store: Store, streamId: string) {
  return store.db.selectFrom('outbox').selectAll().where('topic', '=', 'fal').where('stream_id', '=', streamId).orderBy('id').execute();
}

/** The stream's fal effect of this kind once a worker has finished with it (done or given up). */
export function settledEffect(store: Store, streamId: string, kind: string) {
  return waitFor(
    `the ${kind} effect to be settled`,
    async () => (await falEffects(store, streamId)).find((row) => row.kind === kind && row.state !== 'pending'),
    patience,
  );
}

/** A stand-in for fal's webhook keys: our own Ed25519 key, published as a JWKS over HTTP. */
export interface WebhookSigner {
  jwksUrl: string;
  /** The four X-Fal-Webhook-* headers for `body`, signed with `key` (default: the published one). */
  headers(requestId: string, body: string, options?: { timestamp?: number; key?: KeyObject; userId?: string }): Record<string, string>;
  close(): Promise<void>;
}

export async function startWebhookSigner(): Promise<WebhookSigner> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kty: 'OKP', crv: 'Ed25519' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    headers(requestId, body, { timestamp = Math.floor(Date.now() / 1000), key = privateKey, userId = 'fal-user' } = {}) {
      const signature = signFalWebhook(key, { requestId, userId, timestamp: String(timestamp), body });
      return { 'content-type': 'application/json', ...falWebhookHeaders(signature) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An app on loopback without workers, for tests that play fal themselves. */
export async function startApp(
  store: Store,
  jwks: FalKeySource,
  options: Partial<Pick<WebhookAppDeps, 'bodyLimitBytes' | 'rateLimit' | 'inspectorToken' | 'logger'>> = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildWebhookApp({ store, jwks, logger, hintSecret, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
