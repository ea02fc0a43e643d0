import { randomUUID } from 'node:crypto';
import type { FalApp, RunContext } from './apps.js';
import { modelError, type JobOutcome } from './outcomes.js';

export type JobStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface LogEntry {
  timestamp: string;
  message: string;
  labels: Record<string, string>;
}

export interface DeliveryAttempt {
  /** The receiver's HTTP status, or null when it did not answer. */
  status: number | null;
  error: string | null;
}

export interface Job {
  readonly requestId: string;
  readonly app: FalApp;
  /** The full model id submitted to, sub-path included. */
  readonly endpoint: string;
  readonly input: unknown;
  readonly webhookUrl: string | null;
  readonly run: (context: RunContext) => Promise<JobOutcome>;
  status: JobStatus;
  logs: LogEntry[];
  outcome: JobOutcome | null;
  /** A model error to end with instead of running (a test's `failJob`). */
  plannedFailure: JobOutcome | null;
  /** Set when fal "could not serialize" the output: the webhook carries this instead of the payload. */
  payloadError: string | null;
  cancelRequested: boolean;
  resultExpired: boolean;
  webhookDropped: boolean;
  webhookAttempts: DeliveryAttempt[];
}

export type NewJob = Pick<Job, 'app' | 'endpoint' | 'input' | 'webhookUrl' | 'run'>;

export interface JobTiming {
  queueMs: number;
  trainingMs: number;
  generationMs: number;
}

/** Plans a test made for the next job submitted, applied when it arrives. */
export interface NextJobPlan {
  failure?: JobOutcome;
  payloadError?: string;
}

/**
 * The queue: a job waits `queueMs` IN_QUEUE, runs for the app's time IN_PROGRESS, then is
 * COMPLETED with its outcome. `advance` moves a job to its next status at once.
 */
export class JobQueue {
  readonly #jobs = new Map<string, Job>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #finishing = new Map<string, Promise<void>>();
  readonly #nextPlans: NextJobPlan[] = [];
  readonly #timing: JobTiming;
  readonly #context: RunContext;
  readonly #onCompleted: (job: Job) => void;
  #closed = false;

  constructor(timing: JobTiming, context: RunContext, onCompleted: (job: Job) => void) {
    this.#timing = timing;
    this.#context = context;
    this.#onCompleted = onCompleted;
  }

  submit(request: NewJob): Job {
    const plan = this.#nextPlans.shift();
    const job: Job = {
      ...request,
      requestId: randomUUID(),
      status: 'IN_QUEUE',
      logs: [],
      outcome: null,
      plannedFailure: plan?.failure ?? null,
      payloadError: plan?.payloadError ?? null,
      cancelRequested: false,
      resultExpired: false,
      webhookDropped: false,
      webhookAttempts: [],
    };
    this.#jobs.set(job.requestId, job);
    this.#schedule(job, this.#timing.queueMs, () => this.#start(job));
    return job;
  }

  get(requestId: string): Job | undefined {
    return this.#jobs.get(requestId);
  }

  all(): Job[] {
    return [...this.#jobs.values()];
  }

  planNext(plan: NextJobPlan): void {
    this.#nextPlans.push(plan);
  }

  /** How many jobs of the same app wait ahead of this one. */
  queuePosition(job: Job): number {
    let ahead = 0;
    for (const other of this.#jobs.values()) {
      if (other === job) return ahead;
      if (other.app === job.app && other.status === 'IN_QUEUE') ahead++;
    }
    return ahead;
  }

  /** A queued or running job stops and completes as cancelled; a completed one cannot be. */
  cancel(job: Job): 'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED' {
    if (job.status === 'COMPLETED') return 'ALREADY_COMPLETED';
    job.cancelRequested = true;
    void this.#finish(job);
    return 'CANCELLATION_REQUESTED';
  }

  async advance(job: Job): Promise<JobStatus> {
    if (job.status === 'IN_QUEUE') this.#start(job);
    else if (job.status === 'IN_PROGRESS') await this.#finish(job);
    return job.status;
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #start(job: Job): void {
    if (job.status !== 'IN_QUEUE' || this.#closed) return;
    job.status = 'IN_PROGRESS';
    this.#log(job, job.app.kind === 'training' ? 'Preparing the training data' : 'Generating images');
    const runMs = job.app.kind === 'training' ? this.#timing.trainingMs : this.#timing.generationMs;
    this.#schedule(job, runMs, () => void this.#finish(job));
  }

  #finish(job: Job): Promise<void> {
    const finishing = this.#finishing.get(job.requestId);
    if (finishing !== undefined) return finishing;
    if (job.status === 'COMPLETED') return Promise.resolve();
    this.#clearTimer(job);
    const completion = this.#complete(job).finally(() => this.#finishing.delete(job.requestId));
    this.#finishing.set(job.requestId, completion);
    return completion;
  }

  /** A cancellation that arrives while the model runs wins over what the model returns. */
  async #complete(job: Job): Promise<void> {
    const outcome = job.cancelRequested ? null : (job.plannedFailure ?? (await this.#run(job)));
    if (this.#closed) return;
    job.outcome = outcome === null || job.cancelRequested ? { kind: 'cancelled' } : outcome;
    job.status = 'COMPLETED';
    this.#log(job, job.outcome.kind === 'succeeded' ? 'Request completed' : 'Request failed');
    this.#onCompleted(job);
  }

  async #run(job: Job): Promise<JobOutcome> {
    try {
      return await job.run(this.#context);
    } catch (error) {
      return modelError(500, `The emulated model crashed: ${String(error)}`);
    }
  }

  #log(job: Job, message: string): void {
    job.logs.push({ timestamp: new Date().toISOString(), message, labels: {} });
  }

  #schedule(job: Job, delayMs: number, step: () => void): void {
    this.#clearTimer(job);
    this.#timers.set(
      job.requestId,
      setTimeout(() => {
        this.#timers.delete(job.requestId);
        step();
      }, delayMs),
    );
  }

  #clearTimer(job: Job): void {
    clearTimeout(this.#timers.get(job.requestId));
    this.#timers.delete(job.requestId);
  }
}
