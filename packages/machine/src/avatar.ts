import type { SnapshotFrom } from 'xstate';
import { avatarMachine, type AvatarMachineEvent } from './avatar-machine.js';
import { avatarEventTypes } from './event-types.js';
import type { AvatarEvent, EventOf } from './events.js';
import { defineLifecycle } from './lifecycle.js';
import { photoAdditionRefusal, photoLimits, photoRemovalRefusal } from './photo-rules.js';
import { refuse, type Refusal } from './rejection.js';
import { attemptRefusal, defaultSteps, trainingStartRefusal, triggerPhraseFor } from './training-rules.js';

export type AvatarState = SnapshotFrom<typeof avatarMachine>;

type TopLevel<V> = V extends string ? V : keyof V & string;
/** The closed set of avatar statuses, derived from the machine's top-level states. */
export type AvatarStatus = TopLevel<AvatarState['value']>;
export type TrainingStage = TopLevel<Extract<AvatarState['value'], { training: unknown }>['training']>;

export const avatarStatuses = Object.keys(avatarMachine.config.states ?? {}) as AvatarStatus[];

export function isAvatarStatus(value: string): value is AvatarStatus {
  return (avatarStatuses as string[]).includes(value);
}

/** Bump when a change to the machine could decide a recorded history differently. */
export const avatarMachineVersion = 'avatar/1';

export function statusOf(state: AvatarState): AvatarStatus {
  const value = state.value;
  return typeof value === 'string' ? value : (Object.keys(value)[0] as AvatarStatus);
}

export function trainingStageOf(state: AvatarState): TrainingStage | null {
  const value = state.value;
  return typeof value === 'object' && 'training' in value ? value.training : null;
}

function explain(state: AvatarState, event: AvatarEvent): Refusal | null {
  const { context } = state;
  switch (event.type) {
    case 'AvatarCreated':
      return null;
    case 'PhotoAdded':
      return photoAdditionRefusal(context.photos, event);
    case 'PhotoRemoved':
      return photoRemovalRefusal(context.photos, event.photoId);
    case 'TrainingRequested':
      return trainingStartRefusal(context, event);
    case 'TrainingCancelled':
      if (event.attemptId === null && trainingStageOf(state) !== null) {
        return refuse('attempt_mismatch', 'a training in flight is cancelled by its attempt id');
      }
      if (event.attemptId !== null && trainingStageOf(state) === null) {
        return refuse('attempt_mismatch', `no training attempt is in flight to cancel (got ${event.attemptId})`);
      }
      return attemptRefusal(context.attempt, event);
    case 'TrainingProgressed':
      return (
        attemptRefusal(context.attempt, event) ??
        (trainingStageOf(state) === 'running' && event.falStatus === 'IN_QUEUE'
          ? refuse('fal_status_regressed', 'fal reported IN_QUEUE for a training already IN_PROGRESS')
          : null)
      );
    case 'TrainingSubmitted':
    case 'TrainingCompleted':
    case 'TrainingFailed':
      return attemptRefusal(context.attempt, event);
    case 'AvatarRenamed':
    case 'AvatarDeleted':
    case 'MainAvatarChosen':
      return null;
  }
}

export const avatarLifecycle = defineLifecycle<AvatarState, AvatarEvent, AvatarStatus>({
  kind: 'avatar',
  machine: avatarMachine,
  machineVersion: avatarMachineVersion,
  creationEventType: 'AvatarCreated',
  eventTypes: avatarEventTypes,
  statusOf,
  explain,
});

// Questions the apps ask. They never compare status strings themselves.

export function canGenerate(state: AvatarState): boolean {
  return statusOf(state) === 'completed' && state.context.lora !== null;
}

/** A deleted avatar is a tombstone: kept in the log, shown nowhere, accepting nothing. */
export function isDeleted(state: AvatarState): boolean {
  return statusOf(state) === 'deleted';
}

export function isTraining(state: AvatarState): boolean {
  return trainingStageOf(state) !== null;
}

export function photosStillNeeded(state: AvatarState): number {
  return Math.max(0, photoLimits.minToTrain - state.context.photos.length);
}

export function photoRoomLeft(state: AvatarState): number {
  return Math.max(0, photoLimits.max - state.context.photos.length);
}

/** The next training attempt for this avatar: its photos, trainer and its one trigger phrase. */
export function trainingRequest(state: AvatarState, attemptId: string): EventOf<'TrainingRequested'> {
  const { context } = state;
  return {
    type: 'TrainingRequested',
    attemptId,
    trainer: context.trainer,
    triggerPhrase: context.triggerPhrase ?? triggerPhraseFor(context.avatarId),
    steps: defaultSteps[context.trainer],
    photoIds: context.photos.map((p) => p.photoId),
  };
}

/** Cancels the attempt in flight, or abandons an avatar that never started training. */
export function cancellation(state: AvatarState, reason: string): EventOf<'TrainingCancelled'> {
  return {
    type: 'TrainingCancelled',
    attemptId: isTraining(state) ? (state.context.attempt?.attemptId ?? null) : null,
    reason,
  };
}

/** Whether a new photo could be added now (state and room): one question, not all of `abilitiesOf`. */
export function acceptsPhotos(state: AvatarState): boolean {
  return avatarLifecycle.decide(state, probePhoto).ok;
}

/** Would the machine record fal's acceptance of this attempt now (it is in `training.requested`)? */
export function trainingAwaitsSubmission(state: AvatarState, attemptId: string): boolean {
  return avatarLifecycle.decide(state, { type: 'TrainingSubmitted', attemptId, falRequestId: '\u0000probe', endpoint: '\u0000probe' }).ok;
}

/** What a user can do with this avatar now, as the machine answers it. */
export interface AvatarAbilities {
  addPhotos: boolean;
  removePhotos: boolean;
  startTraining: boolean;
  cancel: boolean;
  rename: boolean;
  remove: boolean;
  generate: boolean;
  chooseAsMain: boolean;
  /** The last attempt failed and the same photos can be trained again. */
  retry: boolean;
}

export function abilitiesOf(state: AvatarState): AvatarAbilities {
  const accepts = (event: AvatarMachineEvent) => avatarLifecycle.decide(state, event).ok;
  const status = statusOf(state);
  const anyPhotoId = state.context.photos[0]?.photoId ?? '';
  const startTraining = accepts(trainingRequest(state, '\u0000probe'));
  return {
    addPhotos: acceptsPhotos(state),
    removePhotos: anyPhotoId !== '' && accepts({ type: 'PhotoRemoved', photoId: anyPhotoId }),
    startTraining,
    cancel: accepts(cancellation(state, 'probe')),
    rename: accepts({ type: 'AvatarRenamed', name: state.context.name }),
    remove: accepts({ type: 'AvatarDeleted', reason: 'probe' }),
    generate: canGenerate(state),
    chooseAsMain: accepts({ type: 'MainAvatarChosen' }),
    retry: status === 'failed' && startTraining,
  };
}

/**
 * A photo no avatar can have (its ids and hash are not well-formed), to ask "would a new photo be
 * accepted now": the state and the room left decide, never a collision with a real photo.
 */
const probePhoto: EventOf<'PhotoAdded'> = {
  type: 'PhotoAdded',
  photoId: '\u0000probe',
  telegramFileId: '\u0000probe',
  fileUniqueId: '\u0000probe',
  sha256: '\u0000probe',
  width: photoLimits.minShortestSidePx,
  height: photoLimits.minShortestSidePx,
  bytes: 1,
  mime: 'image/jpeg',
};
