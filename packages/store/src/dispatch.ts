import { setTimeout as sleep } from 'node:timers/promises';
import { refuse, type Actor, type DomainEvent, type EffectTopic, type GenerationEvent, type Rejection } from '@avatar/machine';
import type { Kysely, Transaction } from 'kysely';
import { DuplicateInboundError } from './append-statement.js';
import { commitChange } from './commit.js';
import type { Store } from './database.js';
import { DuplicateEventError, WrongExpectedVersionError } from './event-log.js';
import { recordInbound, type InboundMessage } from './inbox.js';
import { kindOfEvent, lifecycleOf, type EventOfKind, type StateOf, type StatusOf, type StreamKind } from './lifecycles.js';
import type { Schema } from './schema.js';
import type { PendingEvent } from './stream-change.js';
import { loadStream, type LoadedStream } from './stream-state.js';

export interface DispatchOptions {
  actor: Actor;
  correlationId?: string;
  causationId?: string;
  /** An id the caller derives from its input, so a retried command appends once. */
  eventId?: string;
  /** The inbound message that caused this event, recorded once by the same statement. */
  inbox?: InboundMessage;
  /** Another stream that must still be at this version when the event is appended. */
  requires?: { streamId: string; version: number };
}

export type DispatchResult<K extends StreamKind> =
  | { outcome: 'accepted'; streamId: string; version: number; eventId: string; state: StateOf<K>; status: StatusOf<K> }
  | { outcome: 'rejected'; streamId: string; version: number | null; rejection: Rejection<StatusOf<K>> }
  | { outcome: 'duplicate'; streamId: string };

type KindOf<E extends DomainEvent> = E extends GenerationEvent ? 'generation' : 'avatar';

/** Optimistic attempts before a retry takes the stream row lock first. */
const optimisticAttempts = 2;
const maxAttempts = 4;

/**
 * The one command path of the service: load the stream (its cached machine state), decide with
 * the machine, and append with the expected version, the inline projection and the outbox rows
 * in one statement. A version conflict re-reads and re-decides; after two, the retry locks the
 * stream row first so a hot stream makes progress instead of spinning.
 */
export async function dispatch<E extends DomainEvent>(
  store: Store,
  streamId: string,
  event: E,
  options: DispatchOptions,
): Promise<DispatchResult<KindOf<E>>> {
  const kind = kindOfEvent(event) as KindOf<E>;
  // An inbound message seen before is refused by the append statement itself (and by the inbox
  // insert when the machine refuses the event), so it needs no read of its own here.
  const { inbox } = options;
  if (options.eventId && (await eventExists(store.db, options.eventId))) return { outcome: 'duplicate', streamId };
  const eventId = options.eventId ?? crypto.randomUUID();

  for (let attempt = 1; ; attempt++) {
    try {
      const result =
        attempt <= optimisticAttempts
          ? await attemptOnce(store, store.db, kind, streamId, event, eventId, options, 'cached')
          : await store.db.transaction().execute((trx) => attemptOnce(store, trx, kind, streamId, event, eventId, options, 'locked'));
      if (result.kind === 'rejected') return await rejected(store, streamId, result.version, result.rejection, inbox);
      announce(store, result.topics);
      const status = lifecycleOf(kind).statusOf(result.state);
      return { outcome: 'accepted', streamId, version: result.version, eventId, state: result.state, status };
    } catch (error) {
      if (error instanceof DuplicateInboundError || error instanceof DuplicateEventError) return { outcome: 'duplicate', streamId };
      const conflictHere = error instanceof WrongExpectedVersionError && error.streamId === streamId;
      store.streamCache.forget(streamId);
      if (!conflictHere || attempt >= maxAttempts) throw error;
      await sleep(Math.random() * 5 * attempt);
    }
  }
}

async function attemptOnce<K extends StreamKind>(
  store: Store,
  db: Kysely<Schema> | Transaction<Schema>,
  kind: K,
  streamId: string,
  event: DomainEvent,
  eventId: string,
  options: DispatchOptions,
  read: 'cached' | 'locked',
) {
  const cached = read === 'cached' ? cachedStream(store, kind, streamId) : undefined;
  let loaded = cached ?? (await loadStream(db, kind, streamId, { lock: read === 'locked' }));
  let decision = decideFor(kind, loaded, event);
  if (!decision.ok && cached) {
    // Never refuse on a cached state: another instance may have moved the stream on.
    loaded = await loadStream(db, kind, streamId);
    decision = decideFor(kind, loaded, event);
  }
  if (!decision.ok) return { kind: 'rejected' as const, version: loaded.version, rejection: decision.rejection };
  // The decision already holds the next state: the event is not run through the machine again.
  const pending: PendingEvent<K>[] = [
    { event: event as EventOfKind<K>, eventId, metadata: metadataOf(kind, options), before: loaded.state, after: decision.state, accepted: true },
  ];
  // Outside a transaction the append may share a statement with other dispatches' appends.
  const target = read === 'cached' ? store.groupCommit : db;
  const { recorded, topics } = await commitChange(target, { kind, streamId, pending, final: decision.state }, {
    expected: loaded.version ?? 'no_stream',
    sideEffects: true,
    ...(options.inbox ? { inbox: { message: options.inbox, detail: { eventType: event.type } } } : {}),
    ...(options.requires ? { requires: options.requires } : {}),
  });
  const version = recorded[0]!.version;
  store.streamCache.set(streamId, kind, version, decision.state);
  return { kind: 'accepted' as const, version, state: decision.state, topics };
}

function cachedStream<K extends StreamKind>(store: Store, kind: K, streamId: string): LoadedStream<K> | undefined {
  const entry = store.streamCache.get(streamId, kind);
  return entry && { streamId, storedKind: kind, version: entry.version, state: entry.state };
}

function decideFor<K extends StreamKind>(kind: K, loaded: LoadedStream<K>, event: DomainEvent) {
  if (loaded.storedKind !== null && loaded.storedKind !== kind) {
    const rejection: Rejection<StatusOf<K>> = {
      status: null,
      eventType: event.type,
      ...refuse('not_accepted_in_status', `stream ${loaded.streamId} is a ${loaded.storedKind} stream, not a ${kind} stream`),
    };
    return { ok: false as const, rejection };
  }
  return lifecycleOf(kind).decide(loaded.state, event as never);
}

function metadataOf(kind: StreamKind, options: DispatchOptions): Record<string, unknown> {
  return {
    actor: options.actor,
    ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    ...(options.causationId ? { causationId: options.causationId } : {}),
    machineVersion: lifecycleOf(kind).machineVersion,
  };
}

async function rejected<K extends StreamKind>(
  store: Store,
  streamId: string,
  version: number | null,
  rejection: Rejection<StatusOf<K>>,
  inbox: InboundMessage | undefined,
): Promise<DispatchResult<K>> {
  // A refused inbound message is kept with its outcome, so replay can explain it later. The
  // version it was decided against places it among the events; clocks cannot (PGlite's ticks in ms).
  const detail = { rejection: { ...rejection }, streamVersion: version ?? 0 };
  if (inbox && !(await recordInbound(store.db, inbox, 'rejected', streamId, detail))) {
    return { outcome: 'duplicate', streamId };
  }
  return { outcome: 'rejected', streamId, version, rejection };
}

/** Whether an event with this id is in the log (ids derived from input make retries idempotent). */
export async function eventExists(db: Kysely<Schema>, eventId: string): Promise<boolean> {
  const row = await db.selectFrom('events').select('global_position').where('event_id', '=', eventId).executeTakeFirst();
  return row !== undefined;
}

function announce(store: Store, topics: readonly EffectTopic[]) {
  for (const topic of topics) store.signals.emit(`outbox:${topic}`);
}
