import { endpointFor, generationEndpoint, type FalOutcome } from '@avatar/fal';
import type { Actor } from '@avatar/machine';
import { dispatch, findFalRequest, findInbound, isSettled, loadStream, recordInbound, type InboundMessage, type Store } from '@avatar/store';
import type { BaseLogger } from 'pino';
import type { HintReading, SubmissionHint } from './hints.js';
import { endingEvent } from './outcome-events.js';
import { generationAwaitsSubmission, trainingAwaitsSubmission } from '@avatar/machine';
import { recordSubmission } from './submissions.js';

/** A verified, parsed fal webhook. */
export interface FalDelivery {
  /** From the signed header (the body's was checked to match). */
  requestId: string;
  outcome: FalOutcome;
  /** The raw body, kept in the inbox. */
  payload: string;
  hint: HintReading;
}

export type DeliveryVerdict =
  | { outcome: 'accepted'; streamId: string; eventType: string }
  | { outcome: 'duplicate' }
  | { outcome: 'rejected'; streamId: string; eventType: string; reason: string }
  | { outcome: 'unknown_request'; reason: string };

/**
 * Applies a webhook to the stream its request belongs to, found by the signed request id alone.
 * Every verdict is final for fal (the route answers 200): a refused outcome is kept in the inbox
 * with its reason, and an unknown request id is recorded as such.
 */
export async function receiveFalDelivery(store: Store, delivery: FalDelivery, log: Pick<BaseLogger, 'warn'>): Promise<DeliveryVerdict> {
  const { requestId, hint } = delivery;
  const message: InboundMessage = { source: 'fal', messageId: requestId, payload: delivery.payload };
  const actor: Actor = { kind: 'fal', requestId };

  let request = await findFalRequest(store, requestId);
  if (request === undefined) {
    const seen = await findInbound(store.db, message.source, requestId);
    if (seen && isSettled(seen)) return { outcome: 'duplicate' };
    if (hint.kind === 'valid') {
      await recoverSubmission(store, hint.hint, requestId, actor, log);
      request = await findFalRequest(store, requestId);
    }
  }
  if (request?.inbound_outcome != null && isSettled({ outcome: request.inbound_outcome })) return { outcome: 'duplicate' };
  if (request === undefined) {
    const reason = unknownReason(hint);
    const streamId = hint.kind === 'valid' ? hint.hint.streamId : null;
    await recordInbound(store.db, message, 'unknown_request', streamId, { reason });
    return { outcome: 'unknown_request', reason };
  }

  const event = endingEvent(request, delivery.outcome);
  const streamId = request.stream_id;
  const result = await dispatch(store, streamId, event, { actor, inbox: message });
  switch (result.outcome) {
    case 'accepted':
      return { outcome: 'accepted', streamId, eventType: event.type };
    case 'duplicate':
      return { outcome: 'duplicate' };
    case 'rejected':
      return { outcome: 'rejected', streamId, eventType: event.type, reason: result.rejection.reason };
  }
}

function unknownReason(hint: HintReading): string {
  switch (hint.kind) {
    case 'none':
      return 'no fal request with this id was recorded, and the webhook URL carries no hint';
    case 'invalid':
      return `no fal request with this id was recorded, and the webhook URL's hint is invalid (${hint.detail})`;
    case 'valid':
      return `no fal request with this id was recorded, and attempt ${hint.hint.attemptId} of ${hint.hint.streamId} no longer awaits a submission`;
  }
}

/**
 * fal took a submission whose answer this service never recorded (a crash, or an answer lost on
 * the way): the hint names the attempt, so record the submission now, if the attempt still awaits
 * one. The machine refuses it for any other attempt, or after the attempt moved on.
 */
async function recoverSubmission(store: Store, hint: SubmissionHint, requestId: string, actor: Actor, log: Pick<BaseLogger, 'warn'>): Promise<void> {
  const avatar = await loadStream(store.db, 'avatar', hint.streamId);
  if (avatar.state !== null) {
    const attempt = avatar.state.context.attempt;
    if (attempt === null || !trainingAwaitsSubmission(avatar.state, hint.attemptId)) return;
    const recorded = await recordSubmission(
      store,
      { kind: 'training', avatarId: hint.streamId, attemptId: hint.attemptId },
      { requestId, endpoint: endpointFor(attempt.trainer) },
      { actor },
    );
    log.warn({ streamId: hint.streamId, attemptId: hint.attemptId, recorded }, 'recorded a training submission from the webhook hint');
    return;
  }
  if (avatar.storedKind !== 'generation' || hint.attemptId !== hint.streamId) return;
  const generation = await loadStream(store.db, 'generation', hint.streamId);
  if (generation.state === null || !generationAwaitsSubmission(generation.state)) return;
  const recorded = await recordSubmission(
    store,
    { kind: 'generation', generationId: hint.streamId },
    { requestId, endpoint: generationEndpoint },
    { actor },
  );
  log.warn({ streamId: hint.streamId, recorded }, 'recorded a generation submission from the webhook hint');
}
