import { trainingRequest, walletIdOf, type AvatarState } from '@avatar/machine';
import { avatarCreated, photosAdded } from '@avatar/machine/testing';
import { append, derivedUuid, dispatch, dispatchTogether, loadAvatar, openWallet, requestTraining, type Store } from '@avatar/store';
import { throughput } from './load.js';

const actor = { actor: { kind: 'system' as const, component: 'bench' } };
/** Avatars each lane takes turns with, so no avatar's list of attempts grows long within a run. */
const avatarsPerLane = 32;

interface Lane {
  ownerId: number;
  avatars: { id: string; state: AvatarState; attempt: string | null; attempts: number }[];
  next: number;
}

/** Ready avatars (10 photos each, one statement an avatar) for `writers` owners, each with a wallet that never runs out. */
async function lanes(store: Store, writers: number, firstOwner: number): Promise<Lane[]> {
  return Promise.all(
    Array.from({ length: writers }, async (_, lane) => {
      const ownerId = firstOwner + lane;
      await openWallet(store, ownerId, { welcomeCredits: 0 }, actor);
      await dispatch(store, walletIdOf(ownerId), { type: 'CreditsGranted', grantId: 'bench', credits: 1_000_000_000, reason: 'admin' }, actor);
      const avatars = [];
      for (let i = 0; i < avatarsPerLane; i++) {
        const created = avatarCreated({ ownerId, chatId: ownerId });
        await append(store, created.avatarId, [created, ...photosAdded(10)], { expected: 'no_stream', ...actor });
        avatars.push({ id: created.avatarId, state: (await loadAvatar(store, created.avatarId))!.state!, attempt: null, attempts: 0 });
      }
      return { ownerId, avatars, next: 0 };
    }),
  );
}

/**
 * The training cycle a user goes through, 16 writers on distinct avatars: a training is requested,
 * then fails (and is retried by the next request). `paid` writes the wallet with each step in the
 * same statement (the reservation with the request, its release with the failure: two streams, one
 * commit); unpaid, the same avatar events are dispatched alone. The ratio of the two is what
 * paying costs a dispatch.
 */
export async function trainingCycles(store: Store, { writers, seconds, paid, firstOwner }: { writers: number; seconds: number; paid: boolean; firstOwner: number }) {
  const all = await lanes(store, writers, firstOwner);
  return throughput({ concurrency: writers, seconds }, async (index) => {
    const lane = all[index]!;
    const avatar = lane.avatars[lane.next++ % avatarsPerLane]!;
    const walletId = walletIdOf(lane.ownerId);
    if (avatar.attempt === null) {
      const attemptId = derivedUuid('bench-attempt', avatar.id, ++avatar.attempts);
      const result = paid
        ? await requestTraining(store, avatar.state, attemptId, 150, actor)
        : await dispatch(store, avatar.id, trainingRequest(avatar.state, attemptId), actor);
      if (result.outcome !== 'accepted') throw new Error(`training request ${result.outcome}: ${JSON.stringify(result)}`);
      avatar.state = 'streams' in result ? result.streams[0].state : result.state;
      avatar.attempt = attemptId;
      return;
    }
    const failed = { type: 'TrainingFailed' as const, attemptId: avatar.attempt, reason: 'bench', retryable: true };
    const result = paid
      ? await dispatchTogether(
          store,
          [
            { streamId: avatar.id, event: failed },
            { streamId: walletId, event: { type: 'ReservationReleased', reservationId: avatar.attempt, reason: 'bench' } },
          ],
          actor,
        )
      : await dispatch(store, avatar.id, failed, actor);
    if (result.outcome !== 'accepted') throw new Error(`training failure ${result.outcome}: ${JSON.stringify(result)}`);
    avatar.state = 'streams' in result ? result.streams[0].state : result.state;
    avatar.attempt = null;
  });
}
