import { trainingRequest, walletIdOf, type Actor, type AvatarEvent, type AvatarState, type EventOf } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingCompleted, trainingFailed, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { dispatch, openWallet, readStream, requestTraining, settleReservationsOnce, type InboundMessage, type Store } from '@avatar/store';

const owner: Actor = { kind: 'user', userId: 4242 };
const submitter: Actor = { kind: 'system', component: 'fal-submitter' };
const fal = (requestId: string): Actor => ({ kind: 'fal', requestId });

export interface DemoAvatar {
  avatarId: string;
  /** The version of each milestone, for time travel assertions. */
  versions: { created: number; ready: number; firstRequest: number; firstFailure: number; retried: number; completed: number };
  attemptIds: [string, string];
  /** With `price`: the owner's wallet and the versions there of what the two attempts did to it. */
  wallet: { walletId: string; reserved: [number, number]; released: number; captured: number } | null;
}

export interface DemoOptions {
  /**
   * Each training attempt reserves this many credits from the owner's wallet (opened with a
   * welcome grant of ten attempts' worth), as the bot does: the failure releases them, the
   * completion captures them (the settlement worker runs after each).
   */
  price?: number;
}

/**
 * A whole journey through `dispatch`, as the service records it: created, photos, training
 * requested and submitted, a failure, a retry, completed; then fal's late webhook for the failed
 * attempt arrives and is refused (kept in the inbox with its reason).
 */
export async function demoAvatar(store: Store, created: Partial<EventOf<'AvatarCreated'>> = {}, options: DemoOptions = {}): Promise<DemoAvatar> {
  const first = avatarCreated({ ownerId: 4242, chatId: 4242, name: 'Marina', ...created });
  const avatarId = first.avatarId;
  const { price } = options;
  // A reservation's id is its attempt's: attempts of one owner's avatars must not share ids.
  const attemptIds: [string, string] = price === undefined ? ['attempt-1', 'attempt-2'] : [`${avatarId.slice(0, 8)}-attempt-1`, `${avatarId.slice(0, 8)}-attempt-2`];
  const walletId = walletIdOf(first.ownerId);
  if (price !== undefined) await openWallet(store, first.ownerId, { welcomeCredits: price * 10 }, { actor: { kind: 'system', component: 'bot' } });
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
  /** The owner asks for a training: with a price, the credits are reserved in the same statement. */
  const requestAttempt = async (attemptId: string) => {
    if (price === undefined) return send(request(attemptId), owner);
    if (state === null) throw new Error('demo journey: no state yet');
    const result = await requestTraining(store, state, attemptId, price, { actor: owner });
    if (result.outcome !== 'accepted') throw new Error(`demo journey: the paid training request was ${result.outcome}`);
    const [avatar] = result.streams;
    state = avatar.state;
    version = avatar.version;
    return version;
  };
  const settle = async () => {
    if (price !== undefined) await settleReservationsOnce(store);
  };

  // fal's request ids are unique across avatars (the inbox keys messages by them).
  const falRequest = (attempt: number) => `req-${avatarId.slice(0, 8)}-${attempt}`;
  const createdAt = await send(first, owner);
  for (const photo of photosAdded(12)) await send(photo, owner);
  const ready = createdAt + 10;
  const [attempt1, attempt2] = attemptIds;
  const firstRequest = await requestAttempt(attempt1);
  await send(trainingSubmitted(attempt1, falRequest(1)), submitter);
  await send(trainingProgressed(attempt1, 'IN_PROGRESS'), fal(falRequest(1)));
  const firstFailure = await send(trainingFailed(attempt1, 'GPU ran out of memory', falRequest(1)), fal(falRequest(1)));
  await settle();
  const retried = await requestAttempt(attempt2);
  await send(trainingSubmitted(attempt2, falRequest(2)), submitter);
  await send(trainingProgressed(attempt2, 'IN_QUEUE'), fal(falRequest(2)));
  await send(trainingProgressed(attempt2, 'IN_PROGRESS'), fal(falRequest(2)));
  const completed = await send(trainingCompleted(attempt2, falRequest(2)), fal(falRequest(2)), {
    source: 'fal',
    messageId: falRequest(2),
    payload: JSON.stringify({ request_id: falRequest(2), status: 'OK' }),
  });

  await settle();

  const late = await dispatch(store, avatarId, trainingCompleted(attempt1, falRequest(1)), {
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
  return {
    avatarId,
    versions: { created: createdAt, ready, firstRequest, firstFailure, retried, completed },
    attemptIds,
    wallet: price === undefined ? null : await walletVersions(store, walletId, attemptIds),
  };
}

/** Where the demo's reservations and their settlements landed in the owner's wallet. */
async function walletVersions(store: Store, walletId: string, [attempt1, attempt2]: [string, string]) {
  const events = await readStream(store.db, walletId);
  const at = (type: string, reservationId: string) => {
    const found = events.find((e) => e.type === type && e.data.reservationId === reservationId);
    if (found === undefined) throw new Error(`demo journey: no ${type} of ${reservationId} in ${walletId}`);
    return found.version;
  };
  return {
    walletId,
    reserved: [at('CreditsReserved', attempt1), at('CreditsReserved', attempt2)] as [number, number],
    released: at('ReservationReleased', attempt1),
    captured: at('ReservationCaptured', attempt2),
  };
}
