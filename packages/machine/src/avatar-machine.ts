import { and, assertEvent, assign, setup } from 'xstate';
import type { AvatarEvent, EventOf, Gender, Trainer } from './events.js';
import { photoAdditionRefusal, photoLimits, photoRemovalRefusal, toPhoto, type Photo } from './photo-rules.js';
import { attemptRefusal, trainingStartRefusal, type Attempt } from './training-rules.js';

export interface AvatarContext {
  avatarId: string;
  ownerId: number;
  chatId: number;
  name: string;
  gender: Gender;
  trainer: Trainer;
  photos: readonly Photo[];
  /** Set by the first training attempt and never changed after. */
  triggerPhrase: string | null;
  /** The attempt in flight, or the last one. */
  attempt: Attempt | null;
  attemptIds: readonly string[];
  lora: { attemptId: string; falRequestId: string; loraUrl: string; configUrl: string } | null;
  failure: { attemptId: string; reason: string; retryable: boolean } | null;
  /** Why the avatar was cancelled or deleted. */
  closedReason: string | null;
}

/** Every avatar event but the one that starts the stream (that one is the machine's input). */
export type AvatarMachineEvent = Exclude<AvatarEvent, { type: 'AvatarCreated' }>;

/** Accepted in every state but `deleted`. */
const whileAlive = {
  AvatarRenamed: { actions: 'rename' },
  AvatarDeleted: { target: '#avatar.deleted', actions: 'close' },
} as const;

const abandon = { guard: 'abandonsWithoutAttempt', target: '#avatar.cancelled', actions: 'close' } as const;

export const avatarMachine = setup({
  types: {
    context: {} as AvatarContext,
    events: {} as AvatarMachineEvent,
    input: {} as EventOf<'AvatarCreated'>,
  },
  guards: {
    photoAcceptable: ({ context, event }) => {
      assertEvent(event, 'PhotoAdded');
      return photoAdditionRefusal(context.photos, event) === null;
    },
    reachesMinimum: ({ context }) => context.photos.length + 1 >= photoLimits.minToTrain,
    photoRemovable: ({ context, event }) => {
      assertEvent(event, 'PhotoRemoved');
      return photoRemovalRefusal(context.photos, event.photoId) === null;
    },
    removesLastPhoto: ({ context }) => context.photos.length === 1,
    dropsBelowMinimum: ({ context }) => context.photos.length - 1 < photoLimits.minToTrain,
    trainingMayStart: ({ context, event }) => {
      assertEvent(event, 'TrainingRequested');
      return trainingStartRefusal(context, event) === null;
    },
    forAttemptInFlight: ({ context, event }) => {
      assertEvent(event, [
        'TrainingSubmitted',
        'TrainingProgressed',
        'TrainingCompleted',
        'TrainingFailed',
        'TrainingCancelled',
      ]);
      return attemptRefusal(context.attempt, event) === null;
    },
    reportsRunning: ({ event }) => {
      assertEvent(event, 'TrainingProgressed');
      return event.falStatus === 'IN_PROGRESS';
    },
    abandonsWithoutAttempt: ({ event }) => {
      assertEvent(event, 'TrainingCancelled');
      return event.attemptId === null;
    },
  },
  actions: {
    rename: assign(({ event }) => {
      assertEvent(event, 'AvatarRenamed');
      return { name: event.name };
    }),
    addPhoto: assign(({ context, event }) => {
      assertEvent(event, 'PhotoAdded');
      return { photos: [...context.photos, toPhoto(event)] };
    }),
    removePhoto: assign(({ context, event }) => {
      assertEvent(event, 'PhotoRemoved');
      return { photos: context.photos.filter((p) => p.photoId !== event.photoId) };
    }),
    startAttempt: assign(({ context, event }) => {
      assertEvent(event, 'TrainingRequested');
      const attempt: Attempt = {
        attemptId: event.attemptId,
        trainer: event.trainer,
        steps: event.steps,
        photoIds: event.photoIds,
        falRequestId: null,
        endpoint: null,
        queuePosition: null,
      };
      return {
        attempt,
        attemptIds: [...context.attemptIds, event.attemptId],
        triggerPhrase: event.triggerPhrase,
        failure: null,
      };
    }),
    recordSubmission: assign(({ context, event }) => {
      assertEvent(event, 'TrainingSubmitted');
      if (context.attempt === null) return {};
      return { attempt: { ...context.attempt, falRequestId: event.falRequestId, endpoint: event.endpoint } };
    }),
    recordProgress: assign(({ context, event }) => {
      assertEvent(event, 'TrainingProgressed');
      if (context.attempt === null) return {};
      return { attempt: { ...context.attempt, queuePosition: event.queuePosition ?? null } };
    }),
    recordCompletion: assign(({ event }) => {
      assertEvent(event, 'TrainingCompleted');
      const { attemptId, falRequestId, loraUrl, configUrl } = event;
      return { lora: { attemptId, falRequestId, loraUrl, configUrl } };
    }),
    recordFailure: assign(({ event }) => {
      assertEvent(event, 'TrainingFailed');
      return { failure: { attemptId: event.attemptId, reason: event.reason, retryable: event.retryable } };
    }),
    close: assign(({ event }) => {
      assertEvent(event, ['TrainingCancelled', 'AvatarDeleted']);
      return { closedReason: event.reason };
    }),
  },
}).createMachine({
  id: 'avatar',
  context: ({ input }) => ({
    avatarId: input.avatarId,
    ownerId: input.ownerId,
    chatId: input.chatId,
    name: input.name,
    gender: input.gender,
    trainer: input.trainer,
    photos: [],
    triggerPhrase: null,
    attempt: null,
    attemptIds: [],
    lora: null,
    failure: null,
    closedReason: null,
  }),
  initial: 'draft',
  states: {
    draft: {
      on: {
        ...whileAlive,
        PhotoAdded: { guard: 'photoAcceptable', target: 'uploading', actions: 'addPhoto' },
        TrainingCancelled: abandon,
      },
    },
    uploading: {
      on: {
        ...whileAlive,
        PhotoAdded: [
          { guard: and(['photoAcceptable', 'reachesMinimum']), target: 'ready', actions: 'addPhoto' },
          { guard: 'photoAcceptable', actions: 'addPhoto' },
        ],
        PhotoRemoved: [
          { guard: and(['photoRemovable', 'removesLastPhoto']), target: 'draft', actions: 'removePhoto' },
          { guard: 'photoRemovable', actions: 'removePhoto' },
        ],
        TrainingCancelled: abandon,
      },
    },
    ready: {
      on: {
        ...whileAlive,
        PhotoAdded: { guard: 'photoAcceptable', actions: 'addPhoto' },
        PhotoRemoved: [
          { guard: and(['photoRemovable', 'dropsBelowMinimum']), target: 'uploading', actions: 'removePhoto' },
          { guard: 'photoRemovable', actions: 'removePhoto' },
        ],
        TrainingRequested: { guard: 'trainingMayStart', target: 'training', actions: 'startAttempt' },
        TrainingCancelled: abandon,
      },
    },
    training: {
      initial: 'requested',
      on: {
        ...whileAlive,
        TrainingCompleted: { guard: 'forAttemptInFlight', target: 'completed', actions: 'recordCompletion' },
        TrainingFailed: { guard: 'forAttemptInFlight', target: 'failed', actions: 'recordFailure' },
        TrainingCancelled: { guard: 'forAttemptInFlight', target: 'cancelled', actions: 'close' },
      },
      states: {
        /** Not yet accepted by fal. A completion needs a known fal request, so none is accepted here. */
        requested: {
          on: {
            TrainingSubmitted: { guard: 'forAttemptInFlight', target: 'queued', actions: 'recordSubmission' },
            TrainingCompleted: undefined,
          },
        },
        queued: {
          on: {
            TrainingProgressed: [
              { guard: and(['forAttemptInFlight', 'reportsRunning']), target: 'running', actions: 'recordProgress' },
              { guard: 'forAttemptInFlight', actions: 'recordProgress' },
            ],
          },
        },
        running: {
          on: {
            TrainingProgressed: { guard: and(['forAttemptInFlight', 'reportsRunning']), actions: 'recordProgress' },
          },
        },
      },
    },
    completed: {
      on: {
        ...whileAlive,
        // Accepted without changing the avatar: which avatar is the owner's main one is a projection.
        MainAvatarChosen: { target: 'completed' },
      },
    },
    failed: {
      on: {
        ...whileAlive,
        PhotoAdded: { guard: 'photoAcceptable', actions: 'addPhoto' },
        PhotoRemoved: { guard: 'photoRemovable', actions: 'removePhoto' },
        TrainingRequested: { guard: 'trainingMayStart', target: 'training', actions: 'startAttempt' },
      },
    },
    cancelled: {
      on: { ...whileAlive },
    },
    deleted: {
      type: 'final',
    },
  },
});
