import { generationRequest, generationReservation, walletIdOf, type Actor, type GenerationOrder, type Rejection } from '@avatar/machine';
import type { Store } from './database.js';
import { dispatchTogether, type DispatchTogetherResult } from './dispatch.js';
import { WrongExpectedVersionError } from './event-log.js';
import { loadStream } from './stream-state.js';
import { reservationEventId } from './wallets.js';

/**
 * Requests a generation with an avatar that is `completed` at that moment and reserves its price
 * from the owner's wallet in the same statement: the generation stream is appended only while the
 * avatar stream is still at the version that was checked (a concurrent delete or retraining can
 * never slip in between) and while the wallet holds the credits.
 */
export async function requestGeneration(
  store: Store,
  avatarId: string,
  order: GenerationOrder,
  credits: number,
  meta: { actor: Actor; correlationId?: string },
) {
  type Requested = ReturnType<typeof commandsFor>;
  for (let attempt = 1; ; attempt++) {
    const avatar = await loadStream(store.db, 'avatar', avatarId);
    if (avatar.state === null || avatar.version === null) {
      return refused(order, { status: null, eventType: 'GenerationRequested', code: 'stream_missing', reason: `avatar ${avatarId} does not exist` });
    }
    const request = generationRequest(avatar.state, order);
    if (!request.ok) return refused(order, request.rejection);
    const commands = commandsFor(request.event, avatar.version, credits);
    try {
      return (await dispatchTogether(store, commands, meta)) as DispatchTogetherResult<Requested>;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || error.streamId !== avatarId || attempt >= 3) throw error;
    }
  }
}

function commandsFor(event: Extract<ReturnType<typeof generationRequest>, { ok: true }>['event'], avatarVersion: number, credits: number) {
  const { generationId, avatarId, ownerId } = event;
  return [
    { streamId: generationId, event, requires: { streamId: avatarId, version: avatarVersion } },
    { streamId: walletIdOf(ownerId), event: generationReservation(generationId, avatarId, credits), eventId: reservationEventId(generationId) },
  ] as const;
}

function refused(order: GenerationOrder, rejection: Rejection) {
  return { outcome: 'rejected' as const, streamId: order.generationId, version: null, rejection };
}
