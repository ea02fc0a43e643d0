/** How often the fal workers look for work, and how patiently they wait for fal. */
export interface FalWorkerTimings {
  /** Pause of the outbox loop after an idle round (a dispatch in this process wakes it sooner). */
  effectPollMs: number;
  /** How long a claimed effect belongs to its worker; well above what one effect can take. */
  effectLeaseMs: number;
  /** Effects one round claims and carries out side by side. */
  effectBatchSize: number;
  /** First retry delay of a failed effect; doubled for every further claim up to `maxRetryDelayMs`. */
  retryBaseMs: number;
  maxRetryDelayMs: number;
  /** How soon a submission whose answer was lost is looked at again. */
  submissionCheckMs: number;
  /**
   * How long a submission whose answer was lost may go unconfirmed before the attempt fails. fal
   * confirms it only through the webhook at the end of the job, so this outlasts a whole training.
   */
  trainingSubmissionDeadlineMs: number;
  generationSubmissionDeadlineMs: number;
  /** Claims of a CancelFalRequest effect before it is given up. */
  cancelAttempts: number;
  /** Pause of the reconciler after an idle round. */
  reconcilePollMs: number;
  /** A request is polled only once it is this old: the webhook normally comes first. */
  reconcileAfterMs: number;
  /** Then it is polled this often until it is resolved. */
  reconcileEveryMs: number;
  reconcileBatchSize: number;
  /** Pause of the owner-profiles projector after an idle round. */
  projectorPollMs: number;
  /** How long a claimed settlement belongs to its worker: a settlement is one database write. */
  settlementLeaseMs: number;
}

const minute = 60_000;

export const productionTimings: FalWorkerTimings = {
  settlementLeaseMs: 30_000,
  effectPollMs: 2_000,
  effectLeaseMs: 10 * minute,
  effectBatchSize: 4,
  retryBaseMs: 5_000,
  maxRetryDelayMs: 10 * minute,
  submissionCheckMs: minute,
  // fal keeps retrying a webhook for about two hours after a long training ends.
  trainingSubmissionDeadlineMs: 4 * 60 * minute,
  generationSubmissionDeadlineMs: 15 * minute,
  cancelAttempts: 5,
  reconcilePollMs: 5_000,
  reconcileAfterMs: minute,
  reconcileEveryMs: minute,
  reconcileBatchSize: 20,
  projectorPollMs: 1_000,
};

/** Exponential backoff by how many times the effect has been claimed (1 for the first claim). */
export function retryDelay(timings: Pick<FalWorkerTimings, 'retryBaseMs' | 'maxRetryDelayMs'>, claims: number): number {
  const exponent = Math.min(Math.max(claims - 1, 0), 30);
  return Math.min(timings.maxRetryDelayMs, timings.retryBaseMs * 2 ** exponent);
}
