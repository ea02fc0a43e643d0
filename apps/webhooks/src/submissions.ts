import { createHash } from 'node:crypto';
import type { FalSubmission } from '@avatar/fal';
import type { Actor } from '@avatar/machine';
import { dispatch, loadAvatar, loadStream, type Store } from '@avatar/store';

/** The fal submission a SubmitTraining / SubmitGeneration effect makes, named by what it is for. */
export type SubmissionTarget =
  | { kind: 'training'; avatarId: string; attemptId: string }
  | { kind: 'generation'; generationId: string };

export function streamOf(target: SubmissionTarget): string {
  return target.kind === 'training' ? target.avatarId : target.generationId;
}

/** What the webhook hint calls the attempt: the training attempt, or the generation itself. */
export function attemptOf(target: SubmissionTarget): string {
  return target.kind === 'training' ? target.attemptId : target.generationId;
}

/**
 * One event id per submitted attempt: the worker and the webhook's hint path may both record the
 * same submission, and a retried worker may record it again; the log keeps it once.
 */
export function submissionEventId(target: SubmissionTarget): string {
  const hash = createHash('sha256').update(`fal-submission\n${streamOf(target)}\n${attemptOf(target)}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type SubmissionRecord = { recorded: true } | { recorded: false; reason: string };

/**
 * Records that fal took the attempt as `submission.requestId`. Already recorded with that request
 * id (a retry, or the other path first) counts as recorded; anything else is refused with the reason.
 */
export async function recordSubmission(
  store: Store,
  target: SubmissionTarget,
  submission: FalSubmission,
  meta: { actor: Actor; causationId?: string },
): Promise<SubmissionRecord> {
  const options = { ...meta, eventId: submissionEventId(target) };
  const { requestId: falRequestId, endpoint } = submission;
  const result =
    target.kind === 'training'
      ? await dispatch(store, target.avatarId, { type: 'TrainingSubmitted', attemptId: target.attemptId, falRequestId, endpoint }, options)
      : await dispatch(store, target.generationId, { type: 'GenerationSubmitted', falRequestId, endpoint }, options);
  if (result.outcome === 'accepted') return { recorded: true };
  const recordedAs = await recordedRequestId(store, target);
  if (recordedAs === falRequestId) return { recorded: true };
  if (result.outcome === 'rejected') return { recorded: false, reason: result.rejection.reason };
  return { recorded: false, reason: `the attempt was recorded as fal request ${recordedAs ?? '(none)'}` };
}

/** The fal request id the stream recorded for the attempt, if any. */
export async function recordedRequestId(store: Store, target: SubmissionTarget): Promise<string | null> {
  if (target.kind === 'training') {
    const attempt = (await loadAvatar(store, target.avatarId))?.state?.context.attempt;
    return attempt?.attemptId === target.attemptId ? attempt.falRequestId : null;
  }
  return (await loadStream(store.db, 'generation', target.generationId)).state?.context.falRequestId ?? null;
}
