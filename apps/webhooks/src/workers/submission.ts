import { FalRejected, FalUnavailable, type FalSubmission } from '@avatar/fal';
import { recordEffectProgress } from '@avatar/store';
import { z } from 'zod';
import { falWebhookUrl } from '../hints.js';
import { attemptOf, recordSubmission, streamOf, type SubmissionTarget } from '../submissions.js';
import { done, type EffectRun, type EffectVerdict } from './context.js';
import { retryDelay } from './timings.js';

/** What is known of a claim's submission, kept on its outbox row before fal is called. */
const submittingProgress = z.object({ phase: z.literal('submitting'), since: z.iso.datetime() });

export type Preparation<P> =
  | { ok: true; value: P }
  /** The attempt cannot be submitted: it fails with this reason. */
  | { ok: false; failure: { reason: string; retryable: boolean } }
  /** Not now: try again later, and not before `notBeforeMs` when the other side said how long to wait. */
  | { ok: false; retry: string; notBeforeMs?: number };

/** One kind of fal submission (a training, a generation), as `carryOutSubmission` drives it. */
export interface SubmissionSpec<S, P> {
  target: SubmissionTarget;
  deadlineMs: number;
  /** The stream's state while it still awaits this submission, else null (cancelled, deleted, submitted). */
  awaitingState(): Promise<S | null>;
  prepare(state: S): Promise<Preparation<P>>;
  submit(prepared: P, webhookUrl: string): Promise<FalSubmission>;
  recordFailure(reason: string, retryable: boolean): Promise<void>;
}

export const unconfirmedSubmissionReason = 'fal never confirmed the submission';

/**
 * At most one fal job per attempt, at least once. "Submitting" is written to the outbox row before
 * fal is called; a later claim that finds it never submits again: it waits for the attempt to be
 * recorded as submitted (the webhook's hint does that when fal's answer was lost) until the deadline.
 */
export async function carryOutSubmission<S, P>(run: EffectRun, spec: SubmissionSpec<S, P>): Promise<EffectVerdict> {
  const { claim, store, log, timings } = run;
  const state = await spec.awaitingState();
  if (state === null) {
    log.info('the attempt no longer awaits a submission');
    return done;
  }

  const submitting = submittingProgress.safeParse(claim.progress);
  if (submitting.success) {
    const waitedMs = Date.now() - Date.parse(submitting.data.since);
    if (waitedMs >= spec.deadlineMs) {
      log.warn({ since: submitting.data.since }, 'fal never confirmed the submission; the attempt fails');
      await spec.recordFailure(unconfirmedSubmissionReason, true);
      return done;
    }
    return { kind: 'retry', delayMs: timings.submissionCheckMs, error: `waiting for fal to confirm the submission made at ${submitting.data.since}` };
  }

  const prepared = await spec.prepare(state);
  if (!prepared.ok) {
    if ('retry' in prepared) {
      return { kind: 'retry', delayMs: Math.max(retryDelay(timings, claim.attempts), prepared.notBeforeMs ?? 0), error: prepared.retry };
    }
    log.warn(prepared.failure, 'the attempt cannot be submitted');
    await spec.recordFailure(prepared.failure.reason, prepared.failure.retryable);
    return done;
  }
  // Past half its lease, another worker may claim this effect: better to come back than to race it.
  if (Date.now() - run.claimedAt > timings.effectLeaseMs / 2) {
    return { kind: 'retry', delayMs: 0, error: 'preparing the submission took more than half the lease' };
  }

  await recordEffectProgress(store.db, claim.id, { phase: 'submitting', since: new Date().toISOString() });
  const webhookUrl = falWebhookUrl(run.publicUrl, run.hintSecret, { streamId: streamOf(spec.target), attemptId: attemptOf(spec.target) });
  let submission: FalSubmission;
  try {
    submission = await spec.submit(prepared.value, webhookUrl);
  } catch (error) {
    return submitFailed(run, spec, error);
  }

  const submissionLog = log.child({ falRequestId: submission.requestId });
  const record = await recordSubmission(store, spec.target, submission, {
    actor: { kind: 'system', component: 'fal-worker' },
    causationId: claim.causedBy,
  });
  if (record.recorded) {
    submissionLog.info({ endpoint: submission.endpoint }, 'submitted to fal');
    return done;
  }
  // Cancelled or deleted while fal was being called: nobody will use this job.
  submissionLog.warn({ reason: record.reason }, 'fal took a submission the stream no longer wants; cancelling it');
  await run.fal.cancel(submission.endpoint, submission.requestId).catch((error: unknown) => {
    submissionLog.warn({ err: error }, 'could not cancel the unwanted fal job');
  });
  return done;
}

async function submitFailed<S, P>(run: EffectRun, spec: SubmissionSpec<S, P>, error: unknown): Promise<EffectVerdict> {
  const { claim, store, log, timings } = run;
  if (error instanceof FalRejected) {
    log.warn({ err: error }, 'fal rejected the submission');
    await spec.recordFailure(error.reason, false);
    return done;
  }
  // 5xx and 429: fal did not take the job, so submitting again is safe. A 504 is a gateway that
  // gave up waiting, and fal may have taken the job behind it.
  if (error instanceof FalUnavailable && error.httpStatus !== 504) {
    await recordEffectProgress(store.db, claim.id, { phase: 'not_submitted', error: error.message });
    return { kind: 'retry', delayMs: retryDelay(timings, claim.attempts), error: error.message };
  }
  log.warn({ err: error }, 'fal may or may not have taken the submission; waiting for its confirmation');
  return { kind: 'retry', delayMs: timings.submissionCheckMs, error: error instanceof Error ? error.message : String(error) };
}
