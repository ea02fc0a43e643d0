import type { FalOutcome, FalResult } from '@avatar/fal';
import type { EventOf } from '@avatar/machine';
import type { FalRequestRow } from '@avatar/store';

/** How a fal request ended: its webhook's or its result's outcome, or fal no longer knowing it. */
export type FalEnding = FalOutcome | Extract<FalResult, { kind: 'expired' }>;

export type EndingEvent = EventOf<'TrainingCompleted' | 'TrainingFailed' | 'GenerationCompleted' | 'GenerationFailed'>;

/** The request row lacks what its kind needs; a store bug, not something fal did. */
export class MalformedFalRequestError extends Error {
  override readonly name = 'MalformedFalRequestError';
}

/**
 * The event a finished fal request means for its stream. A failure is never dressed up as a
 * success: an output fal could not serialize (`payload_error`) is a failure with fal's reason.
 */
export function endingEvent(request: Pick<FalRequestRow, 'kind' | 'request_id' | 'attempt_id'>, ending: FalEnding): EndingEvent {
  const failure = failureOf(ending, request.kind);
  if (request.kind === 'generation') {
    if (failure !== null) return { type: 'GenerationFailed', reason: failure.reason };
    const output = ending.kind === 'succeeded' ? ending.output : null;
    if (output?.kind !== 'generation') return { type: 'GenerationFailed', reason: 'fal answered a generation with a training output' };
    return {
      type: 'GenerationCompleted',
      images: output.images.map(({ url, width, height }) => ({ url, width, height })),
      seed: output.seed,
    };
  }

  const attemptId = request.attempt_id;
  if (attemptId === null) throw new MalformedFalRequestError(`training request ${request.request_id} has no attempt id`);
  const falRequestId = request.request_id;
  if (failure !== null) return { type: 'TrainingFailed', attemptId, falRequestId, ...failure };
  const output = ending.kind === 'succeeded' ? ending.output : null;
  if (output?.kind !== 'training') {
    return { type: 'TrainingFailed', attemptId, falRequestId, reason: 'fal answered a training with a generation output', retryable: true };
  }
  return { type: 'TrainingCompleted', attemptId, falRequestId, loraUrl: output.loraUrl, configUrl: output.configUrl };
}

function failureOf(ending: FalEnding, kind: FalRequestRow['kind']): { reason: string; retryable: boolean } | null {
  switch (ending.kind) {
    case 'succeeded':
      return null;
    case 'model_error':
      // A model refusing the input (4xx) will refuse the same input again; a crash or overload may not.
      return { reason: ending.reason, retryable: ending.httpStatus === null || ending.httpStatus === 429 || ending.httpStatus >= 500 };
    case 'output_unavailable':
      return { reason: `fal could not return the ${kind} output: ${ending.reason}`, retryable: true };
    case 'expired':
      return { reason: 'fal no longer has the result', retryable: true };
  }
}
