import {
  avatarLifecycle,
  generationLifecycle,
  type AvatarEvent,
  type AvatarState,
  type AvatarStatus,
  type DomainEvent,
  type EventOf,
  type GenerationEvent,
  type GenerationState,
  type GenerationStatus,
  type Lifecycle,
  type WalletEvent,
  type WalletState,
  type WalletStatus,
  walletLifecycle,
} from '@avatar/machine';
import type { RecordedEvent } from './event-log.js';

/** The stream kinds the store keeps, with their machine's types. */
export interface StreamKinds {
  avatar: { state: AvatarState; event: AvatarEvent; create: EventOf<'AvatarCreated'>; status: AvatarStatus };
  generation: { state: GenerationState; event: GenerationEvent; create: EventOf<'GenerationRequested'>; status: GenerationStatus };
  wallet: { state: WalletState; event: WalletEvent; create: EventOf<'WalletOpened'>; status: WalletStatus };
}
export type StreamKind = keyof StreamKinds;
export type StateOf<K extends StreamKind> = StreamKinds[K]['state'];
export type EventOfKind<K extends StreamKind> = StreamKinds[K]['event'];
export type StatusOf<K extends StreamKind> = StreamKinds[K]['status'];
/** A lifecycle as the store drives it: any event of the kind, creation included. */
export type KindLifecycle<K extends StreamKind> = Lifecycle<StateOf<K>, EventOfKind<K>, StatusOf<K>>;

const lifecycles: { [K in StreamKind]: KindLifecycle<K> } = {
  avatar: avatarLifecycle,
  generation: generationLifecycle,
  wallet: walletLifecycle,
};

/** Every stream kind the store keeps. */
export const streamKinds = Object.keys(lifecycles) as StreamKind[];

export function lifecycleOf<K extends StreamKind>(kind: K): KindLifecycle<K> {
  return lifecycles[kind];
}

/** The stream kind of an event type. */
export type KindOfEvent<E extends DomainEvent> = E extends GenerationEvent ? 'generation' : E extends WalletEvent ? 'wallet' : 'avatar';

const kindByEventType = new Map<string, StreamKind>(
  streamKinds.flatMap((kind) => lifecycles[kind].eventTypes.map((type): [string, StreamKind] => [type, kind])),
);

/**
 * The kind of stream an event type belongs to; kinds never share event types. An unknown type (a
 * foreign history) counts as an avatar's, whose machine refuses it.
 */
export function kindOfEvent<E extends DomainEvent>(event: E): KindOfEvent<E> {
  return (kindByEventType.get(event.type) ?? 'avatar') as KindOfEvent<E>;
}

export function isStreamKind(value: string): value is StreamKind {
  return Object.hasOwn(lifecycles, value);
}

/**
 * A recorded event as the machine sees it. An unknown type (a foreign or future history) is passed
 * on as it is: the machine refuses it and replay reports it, rather than the load crashing.
 */
export function toDomainEvent(recorded: Pick<RecordedEvent, 'type' | 'data'>): DomainEvent {
  return { ...recorded.data, type: recorded.type } as DomainEvent;
}
