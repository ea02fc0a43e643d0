import { assertEvent, assign, setup, type SnapshotFrom } from 'xstate';
import { generationEventTypes } from './event-types.js';
import type { AspectRatio, EventOf, GenerationEvent } from './events.js';
import { defineLifecycle } from './lifecycle.js';
import { refuse } from './rejection.js';
import { canGenerate, statusOf as avatarStatusOf, type AvatarState } from './avatar.js';
import type { Rejection } from './rejection.js';

export interface GenerationContext {
  request: Omit<EventOf<'GenerationRequested'>, 'type'>;
  falRequestId: string | null;
  images: EventOf<'GenerationCompleted'>['images'];
  seed: string | null;
  failureReason: string | null;
}

type GenerationMachineEvent = Exclude<GenerationEvent, { type: 'GenerationRequested' }>;

export const generationMachine = setup({
  types: {
    context: {} as GenerationContext,
    events: {} as GenerationMachineEvent,
    input: {} as EventOf<'GenerationRequested'>,
  },
  actions: {
    recordSubmission: assign(({ event }) => {
      assertEvent(event, 'GenerationSubmitted');
      return { falRequestId: event.falRequestId };
    }),
    recordImages: assign(({ event }) => {
      assertEvent(event, 'GenerationCompleted');
      return { images: event.images, seed: event.seed };
    }),
    recordFailure: assign(({ event }) => {
      assertEvent(event, 'GenerationFailed');
      return { failureReason: event.reason };
    }),
  },
}).createMachine({
  id: 'generation',
  context: ({ input: { type: _type, ...request } }) => ({
    request,
    falRequestId: null,
    images: [],
    seed: null,
    failureReason: null,
  }),
  initial: 'requested',
  states: {
    requested: {
      on: {
        GenerationSubmitted: { target: 'submitted', actions: 'recordSubmission' },
        GenerationFailed: { target: 'failed', actions: 'recordFailure' },
      },
    },
    submitted: {
      on: {
        GenerationCompleted: { target: 'completed', actions: 'recordImages' },
        GenerationFailed: { target: 'failed', actions: 'recordFailure' },
      },
    },
    completed: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type GenerationState = SnapshotFrom<typeof generationMachine>;
export type GenerationStatus = GenerationState['value'];

/** The closed set of generation statuses, derived from the machine's states. */
export const generationStatuses = Object.keys(generationMachine.config.states ?? {}) as GenerationStatus[];

export function isGenerationStatus(value: string): value is GenerationStatus {
  return (generationStatuses as string[]).includes(value);
}
export const generationMachineVersion = 'generation/1';

export const generationLifecycle = defineLifecycle<GenerationState, GenerationEvent, GenerationStatus>({
  kind: 'generation',
  machine: generationMachine,
  machineVersion: generationMachineVersion,
  creationEventType: 'GenerationRequested',
  eventTypes: generationEventTypes,
  statusOf: (state) => state.value,
  explain: () => null,
});

export function generationStatusOf(state: GenerationState): GenerationStatus {
  return state.value;
}

export function isGenerationFinished(state: GenerationState): boolean {
  return state.status === 'done';
}

/** Would the machine record fal's acceptance of this generation now (it is still `requested`)? */
export function generationAwaitsSubmission(state: GenerationState): boolean {
  return generationLifecycle.decide(state, { type: 'GenerationSubmitted', falRequestId: '\u0000probe', endpoint: '\u0000probe' }).ok;
}

/** fal `image_size` presets for each offered aspect ratio (lifecycle-spec.md). 3:4 is portrait. */
export const imageSizeFor = {
  '1:1': 'square_hd',
  '3:4': 'portrait_4_3',
  '9:16': 'portrait_16_9',
  '4:3': 'landscape_4_3',
  '16:9': 'landscape_16_9',
} as const satisfies Record<AspectRatio, string>;

export interface GenerationOrder {
  generationId: string;
  prompt: string;
  aspectRatio: AspectRatio;
  numImages: number;
}

/**
 * A generation for this avatar, only while it is `completed`: it carries the avatar's LoRA and its
 * stored trigger phrase, so every generation uses exactly what the avatar was trained with.
 */
export function generationRequest(
  avatar: AvatarState,
  order: GenerationOrder,
): { ok: true; event: EventOf<'GenerationRequested'> } | { ok: false; rejection: Rejection } {
  const { context } = avatar;
  if (!canGenerate(avatar) || context.lora === null || context.triggerPhrase === null) {
    return {
      ok: false,
      rejection: {
        status: avatarStatusOf(avatar),
        eventType: 'GenerationRequested',
        ...refuse('not_accepted_in_status', `images can only be generated with a completed avatar`),
      },
    };
  }
  return {
    ok: true,
    event: {
      type: 'GenerationRequested',
      generationId: order.generationId,
      avatarId: context.avatarId,
      ownerId: context.ownerId,
      chatId: context.chatId,
      prompt: order.prompt,
      aspectRatio: order.aspectRatio,
      numImages: order.numImages,
      loraUrl: context.lora.loraUrl,
      triggerPhrase: context.triggerPhrase,
    },
  };
}
