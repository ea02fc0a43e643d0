import { trainingRequest, type Actor, type AvatarEvent, type AvatarState, type EventOf } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingCompleted, trainingFailed, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { dispatch, type InboundMessage, type Store } from '@avatar/store';

const owner: Actor = { kind: 'user', userId: 4242 };
const submitter: Actor = { kind: 'system', component: 'fal-submitter' };
const fal = (requestId: string): Actor => ({ kind: 'fal', requestId });

export interface DemoAvatar {
  avatarId: string;
  /** The version of each milestone, for time travel assertions. */
  versions: { created: number; ready: number; firstFailure: number; retried: number; completed: number };
}

/**
 * A whole journey through `dispatch`, as the service records it: created, photos, training
 * requested and submitted, a failure, a retry, completed; then fal's late webhook for the failed
 * attempt arrives and is refused (kept in the inbox with its reason).
 */
export async function demoAvatar(store: Store, created: Partial<EventOf<'AvatarCreated'>> = {}): Promise<DemoAvatar> {
  const first = avatarCreated({ ownerId: 4242, chatId: 4242, name: 'Marina', ...created });
  const avatarId = first.avatarId;
  let state: AvatarState | null = null;
  let version = 0;
  const send = async (event: AvatarEvent, actor: Actor, inbox?: InboundMessage) => {
    const result = await dispatch(store, avatarId, event, { actor, ...(inbox ? { inbox } : {}) });
    if (result.outcome !== 'accepted') throw new Error(`demo journey: ${event.type} was ${result.outcome}`);
    state = result.state;
    version = result.version;
    return version;
  };
  const request = (attemptId: string) => {
    if (state === null) throw new Error('demo journey: no state yet');
    return trainingRequest(state, attemptId);
  };

  // fal's request ids are unique across avatars (the inbox keys messages by them).
  const falRequest = (attempt: number) => `req-${avatarId.slice(0, 8)}-${attempt}`;
  const createdAt = await send(first, owner);
  for (const photo of photosAdded(12)) await send(photo, owner);
  const ready = createdAt + 10;
  await send(request('attempt-1'), owner);
  await send(trainingSubmitted('attempt-1', falRequest(1)), submitter);
  await send(trainingProgressed('attempt-1', 'IN_PROGRESS'), fal(falRequest(1)));
  const firstFailure = await send(trainingFailed('attempt-1', 'GPU ran out of memory', falRequest(1)), fal(falRequest(1)));
  const retried = await send(request('attempt-2'), owner);
  await send(trainingSubmitted('attempt-2', falRequest(2)), submitter);
  await send(trainingProgressed('attempt-2', 'IN_QUEUE'), fal(falRequest(2)));
  await send(trainingProgressed('attempt-2', 'IN_PROGRESS'), fal(falRequest(2)));
  const completed = await send(trainingCompleted('attempt-2', falRequest(2)), fal(falRequest(2)), {
    source: 'fal',
    messageId: falRequest(2),
    payload: JSON.stringify({ request_id: falRequest(2), status: 'OK' }),
  });

  const late = await dispatch(store, avatarId, trainingCompleted('attempt-1', falRequest(1)), {
    actor: fal(falRequest(1)),
    inbox: {
      source: 'fal',
      messageId: falRequest(1),
      payload: JSON.stringify({
        request_id: falRequest(1),
        status: 'OK',
        payload: { diffusers_lora_file: { url: 'https://v3.fal.media/files/lora/attempt-1.safetensors' } },
      }),
    },
  });
  if (late.outcome !== 'rejected') throw new Error(`demo journey: the late webhook was ${late.outcome}`);
  return { avatarId, versions: { created: createdAt, ready, firstFailure, retried, completed } };
}
