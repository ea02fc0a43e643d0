import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FalApp, RunContext } from './apps.js';
import { Faults, type FalRoute, type SubmitHang } from './faults.js';
import { FileStore } from './files.js';
import { fluxLora } from './flux-lora.js';
import type { ErrorDetail } from './input-errors.js';
import { JobQueue, type DeliveryAttempt, type Job, type JobStatus } from './jobs.js';
import { modelError, webhookBody, type JobOutcome } from './outcomes.js';
import { pythonJsonDumps } from './python-json.js';
import { createRouter, type CallRecord } from './router.js';
import { SigningKeys } from './signing.js';
import { fastTrainer, portraitTrainer } from './trainers.js';
import { WebhookDispatcher } from './webhooks.js';

export interface FalEmulatorOptions {
  /** 0 (default) picks a free port; the emulator listens on 127.0.0.1 only. */
  port?: number;
  /** Accepted FAL_KEYs (`key_id:key_secret`); one is generated when absent. */
  keys?: readonly string[];
  /** Time a job waits IN_QUEUE. Default 50 ms. */
  queueMs?: number;
  /** Time a training runs IN_PROGRESS. Default 1500 ms. */
  trainingMs?: number;
  /** Time a generation runs IN_PROGRESS. Default 300 ms. */
  generationMs?: number;
  /** Delays before each retry of a webhook not answered 2xx (fal: 10 retries over 2 hours). */
  webhookRetryDelaysMs?: readonly number[];
  /** How long a webhook receiver may take to answer. Default 10 s. */
  webhookTimeoutMs?: number;
  /** The `X-Fal-Webhook-User-Id` sent; real deliveries may send an empty one. */
  webhookUserId?: string;
}

export interface FalJobView {
  requestId: string;
  endpoint: string;
  input: unknown;
  /** The `fal_webhook` URL as submitted, query string included. */
  webhookUrl: string | null;
  status: JobStatus;
  /** Known once COMPLETED. */
  outcome: JobOutcome['kind'] | null;
  webhook: { dropped: boolean; attempts: DeliveryAttempt[] };
}

export interface FailJobOptions {
  /** The job to fail; the next job submitted when absent. */
  requestId?: string;
  /** The model's HTTP status. Default 422. */
  status?: number;
  detail?: ErrorDetail[] | string;
}

export interface FalEmulator {
  /** The base URL to give the gateway in place of fal's hosts. */
  readonly url: string;
  /** A FAL_KEY the emulator accepts. */
  readonly key: string;
  readonly jwksUrl: string;

  jobs(): FalJobView[];
  job(requestId: string): FalJobView;
  /** Every HTTP call received, in order. */
  calls(): CallRecord[];
  /** Moves a job to its next status now (IN_QUEUE → IN_PROGRESS → COMPLETED). */
  advance(requestId: string): Promise<JobStatus>;
  /** The job's result is gone, as after fal's retention period: status and result answer 404. */
  expireResult(requestId: string): void;
  /** The job ends with a model error (status ERROR in its webhook) instead of running. */
  failJob(options?: FailJobOptions): void;
  /** The job runs, but its webhook says fal could not serialize the output (`payload_error`). */
  losePayload(options?: { requestId?: string; message?: string }): void;
  /** Seeds for the next generations that do not choose one, in order. */
  queueSeeds(...seeds: bigint[]): void;

  /** The next webhook (of `requestId`, or of any job) is never delivered. */
  dropNextWebhook(requestId?: string): void;
  /** The next webhook (of `requestId`, or of any job) is delivered twice. */
  duplicateNextWebhook(requestId?: string): void;
  /** Webhooks are kept until `releaseWebhooks`. */
  holdWebhooks(): void;
  releaseWebhooks(order?: 'as_sent' | 'reversed'): Promise<void>;
  /** Each webhook's first attempt waits this long. */
  delayWebhooks(ms: number): void;

  /** The next `count` calls of `route` answer `status` (default 500) and do nothing else. */
  failNextCalls(route: FalRoute, options?: { count?: number; status?: number }): void;
  /** The next submit creates its job but does not answer (or answers late). */
  hangNextSubmit(hang?: SubmitHang): void;
  /** Signs with a new key from now on and publishes it; older keys stay published unless retired. */
  rotateSigningKey(options?: { retirePrevious?: boolean }): void;
  /** Signs webhooks with a key that is not in the JWKS (a forger's), until turned off. */
  signWithUnpublishedKey(enabled?: boolean): void;

  close(): Promise<void>;
}

const apps: ReadonlyMap<string, FalApp> = new Map([portraitTrainer, fastTrainer, fluxLora].map((app) => [app.id, app]));
const defaultRetryDelaysMs = [100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200];
const downloadTimeoutMs = 10_000;

export async function startFalEmulator(options: FalEmulatorOptions = {}): Promise<FalEmulator> {
  const server = createServer();
  await listen(server, options.port ?? 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const acceptedKeys = options.keys ?? [`emu${randomBytes(6).toString('hex')}:${randomBytes(16).toString('hex')}`];
  const key = acceptedKeys[0];
  if (key === undefined) throw new RangeError('the emulator needs at least one accepted key');

  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, task: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, ms);
    timers.add(timer);
  };
  const files = new FileStore(url);
  const signing = new SigningKeys();
  const faults = new Faults();
  const calls: CallRecord[] = [];
  const seeds: bigint[] = [];
  const webhooks = new WebhookDispatcher({
    keys: signing,
    userId: options.webhookUserId ?? 'fal-emulator-user',
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
  });
  const context: RunContext = {
    files,
    download: (fileUrl) => download(files, fileUrl),
    nextSeed: () => seeds.shift() ?? randomSeed(),
  };
  const jobs = new JobQueue(
    { queueMs: options.queueMs ?? 50, trainingMs: options.trainingMs ?? 1500, generationMs: options.generationMs ?? 300 },
    context,
    (job) => {
      if (job.webhookUrl === null || job.outcome === null) return;
      webhooks.send({
        requestId: job.requestId,
        url: job.webhookUrl,
        body: Buffer.from(pythonJsonDumps(webhookBody(job.requestId, job.outcome, job.payloadError))),
        attempts: job.webhookAttempts,
        markDropped: () => (job.webhookDropped = true),
      });
    },
  );
  const route = createRouter({ baseUrl: url, acceptedKeys: new Set(acceptedKeys), apps, jobs, files, signing, faults, calls, later });
  server.on('request', (request, response) => {
    route(request, response, new URL(request.url ?? '/', url)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`fal emulator error: ${String(error)}`);
    });
  });

  const findJob = (requestId: string): Job => {
    const job = jobs.get(requestId);
    if (job === undefined) throw new Error(`the emulator has no job ${requestId}`);
    return job;
  };
  const pendingJob = (requestId: string): Job => {
    const job = findJob(requestId);
    if (job.status === 'COMPLETED') throw new Error(`job ${requestId} has already completed`);
    return job;
  };

  return {
    url,
    key,
    jwksUrl: `${url}/.well-known/jwks.json`,
    jobs: () => jobs.all().map(view),
    job: (requestId) => view(findJob(requestId)),
    calls: () => calls.map((call) => ({ ...call })),
    advance: (requestId) => jobs.advance(findJob(requestId)),
    expireResult: (requestId) => {
      findJob(requestId).resultExpired = true;
    },
    failJob: ({ requestId, status = 422, detail = defaultFailure } = {}) => {
      const failure = modelError(status, detail);
      if (requestId === undefined) jobs.planNext({ failure });
      else pendingJob(requestId).plannedFailure = failure;
    },
    losePayload: ({ requestId, message = defaultPayloadError } = {}) => {
      if (requestId === undefined) jobs.planNext({ payloadError: message });
      else pendingJob(requestId).payloadError = message;
    },
    queueSeeds: (...next) => seeds.push(...next),
    dropNextWebhook: (requestId) => webhooks.planMishap('drop', requestId ?? null),
    duplicateNextWebhook: (requestId) => webhooks.planMishap('duplicate', requestId ?? null),
    holdWebhooks: () => webhooks.hold(),
    releaseWebhooks: (order = 'as_sent') => webhooks.release(order),
    delayWebhooks: (ms) => webhooks.delay(ms),
    failNextCalls: (failing, { count = 1, status = 500 } = {}) => faults.failNext(failing, count, status),
    hangNextSubmit: (hang = {}) => faults.hangNextSubmit(hang),
    rotateSigningKey: ({ retirePrevious = false } = {}) => signing.rotate({ retirePrevious }),
    signWithUnpublishedKey: (enabled = true) => signing.signWithUnpublishedKey(enabled),
    close: async () => {
      jobs.close();
      webhooks.close();
      for (const timer of timers) clearTimeout(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

const defaultFailure: ErrorDetail[] = [
  { loc: ['body'], msg: 'The emulated model was told to fail this request', type: 'emulated_failure' },
];
const defaultPayloadError = 'Failed to serialize the response payload';

function view(job: Job): FalJobView {
  return {
    requestId: job.requestId,
    endpoint: job.endpoint,
    input: job.input,
    webhookUrl: job.webhookUrl,
    status: job.status,
    outcome: job.outcome?.kind ?? null,
    webhook: { dropped: job.webhookDropped, attempts: job.webhookAttempts.map((attempt) => ({ ...attempt })) },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function download(files: FileStore, url: string): Promise<Uint8Array | null> {
  const path = files.pathOf(url);
  if (path !== null) return files.get(path)?.bytes ?? null;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(downloadTimeoutMs) });
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

/** A 64-bit seed above 2^53, as fal's often are: JSON.parse cannot hold it exactly. */
function randomSeed(): bigint {
  const value = BigInt(`0x${randomBytes(8).toString('hex')}`);
  return value > 2n ** 53n ? value : value + 2n ** 53n + 1n;
}
