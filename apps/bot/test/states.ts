import { cancellation, trainingRequest, type AvatarStatus } from '@avatar/machine';
import { dispatch, loadAvatar, type Store } from '@avatar/store';
import type { EmulatedUser } from '@avatar/telegram-emulator';
import { seedAvatar } from './helpers.js';
import { completeTraining, failTraining } from './training.js';

const user = (owner: EmulatedUser) => ({ actor: { kind: 'user' as const, userId: owner.id } });
const fal = { actor: { kind: 'fal' as const, requestId: 'test' } };

/** How to bring a new avatar to each status (and each training stage) a user can see. */
export const avatarSetups: Record<string, { status: AvatarStatus; build(store: Store, owner: EmulatedUser): Promise<string> }> = {
  draft: { status: 'draft', build: (store, owner) => seedAvatar(store, owner, { name: 'Draft' }) },
  uploading: { status: 'uploading', build: (store, owner) => seedAvatar(store, owner, { name: 'Uploading', photos: 3 }) },
  ready: { status: 'ready', build: (store, owner) => seedAvatar(store, owner, { name: 'Ready', photos: 10 }) },
  full: { status: 'ready', build: (store, owner) => seedAvatar(store, owner, { name: 'Full', photos: 20 }) },
  'training (requested)': {
    status: 'training',
    async build(store, owner) {
      const avatarId = await seedAvatar(store, owner, { name: 'Requested', photos: 10 });
      const state = (await loadAvatar(store, avatarId))!.state!;
      await dispatch(store, avatarId, trainingRequest(state, crypto.randomUUID()), user(owner));
      return avatarId;
    },
  },
  'training (running)': {
    status: 'training',
    async build(store, owner) {
      const avatarId = await avatarSetups['training (requested)']!.build(store, owner);
      const attemptId = (await loadAvatar(store, avatarId))!.state!.context.attempt!.attemptId;
      await dispatch(store, avatarId, { type: 'TrainingSubmitted', attemptId, falRequestId: `req-${attemptId}`, endpoint: 'fal-ai/flux-lora-portrait-trainer' }, fal);
      await dispatch(store, avatarId, { type: 'TrainingProgressed', attemptId, falStatus: 'IN_PROGRESS' }, fal);
      return avatarId;
    },
  },
  completed: {
    status: 'completed',
    async build(store, owner) {
      const avatarId = await seedAvatar(store, owner, { name: 'Completed', photos: 10 });
      await completeTraining(store, avatarId);
      return avatarId;
    },
  },
  failed: {
    status: 'failed',
    async build(store, owner) {
      const avatarId = await seedAvatar(store, owner, { name: 'Failed', photos: 10 });
      await failTraining(store, avatarId);
      return avatarId;
    },
  },
  cancelled: {
    status: 'cancelled',
    async build(store, owner) {
      const avatarId = await seedAvatar(store, owner, { name: 'Cancelled', photos: 3 });
      const state = (await loadAvatar(store, avatarId))!.state!;
      await dispatch(store, avatarId, cancellation(state, 'test'), user(owner));
      return avatarId;
    },
  },
};
