import { generationRequest, type Actor, type GenerationOrder, type Rejection } from '@avatar/machine';
import type { Store } from './database.js';
import { dispatch, type DispatchResult } from './dispatch.js';
import { WrongExpectedVersionError } from './event-log.js';
import { loadStream } from './stream-state.js';

/**
 * Requests a generation with an avatar that is `completed` at that moment: the generation stream
 * is appended only while the avatar stream is still at the version that was checked, so a
 * concurrent delete or retraining can never slip in between.
 */
export async function requestGeneration(
  store: Store,
  avatarId: string,
  order: GenerationOrder,
  meta: { actor: Actor; correlationId?: string },
): Promise<DispatchResult<'generation'> | { outcome: 'rejected'; streamId: string; version: null; rejection: Rejection }> {
  for (let attempt = 1; ; attempt++) {
    const avatar = await loadStream(store.db, 'avatar', avatarId);
    if (avatar.state === null || avatar.version === null) {
      return {
        outcome: 'rejected',
        streamId: order.generationId,
        version: null,
        rejection: { status: null, eventType: 'GenerationRequested', code: 'stream_missing', reason: `avatar ${avatarId} does not exist` },
      };
    }
    const request = generationRequest(avatar.state, order);
    if (!request.ok) return { outcome: 'rejected', streamId: order.generationId, version: null, rejection: request.rejection };
    try {
      return await dispatch(store, order.generationId, request.event, {
        ...meta,
        requires: { streamId: avatarId, version: avatar.version },
      });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || error.streamId !== avatarId || attempt >= 3) throw error;
    }
  }
}
