import { setTimeout as sleep } from 'node:timers/promises';
import { refuse, type Actor, type DomainEvent, type EffectTopic, type Rejection } from '@avatar/machine';
import type { Kysely, Transaction } from 'kysely';
import { DuplicateInboundError } from './append-statement.js';
import { commitWrite, streamWrite, topicsOf } from './commit.js';
import type { Store } from './database.js';
import { DuplicateEventError, WrongExpectedVersionError } from './event-log.js';
import { recordInbound, type InboundMessage } from './inbox.js';
import { kindOfEvent, lifecycleOf, type KindOfEvent, type StateOf, type StatusOf, type StreamKind } from './lifecycles.js';
import type { Schema } from './schema.js';
import type { StreamChangeOf } from './stream-change.js';
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

/** One stream's part of a change that spans streams (see `dispatchTogether`). */
export interface Command<E extends DomainEvent = DomainEvent> {
  streamId: string;
  event: E;
  /** An id the caller derives from its input: a second command with it appends nothing. */
  eventId?: string;
  /** Another stream that must still be at this version when the event is appended. */
  requires?: { streamId: string; version: number };
}

type Accepted<C> = C extends Command<infer E>
  ? { streamId: string; version: number; eventId: string; state: StateOf<KindOfEvent<E>>; status: StatusOf<KindOfEvent<E>> }
  : never;

export type DispatchTogetherResult<C extends readonly Command[]> =
  | { outcome: 'accepted'; streams: { [I in keyof C]: Accepted<C[I]> } }
  /** The first command a stream's machine (or decider) refused; nothing was appended. */
  | { outcome: 'rejected'; streamId: string; version: number | null; rejection: Rejection }
  | { outcome: 'duplicate'; streamId: string };

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
): Promise<DispatchResult<KindOfEvent<E>>> {
  // An inbound message seen before is refused by the append statement itself (and by the inbox
  // insert when the machine refuses the event), so it needs no read of its own here.
  if (options.eventId && (await eventExists(store.db, options.eventId))) return { outcome: 'duplicate', streamId };
  const command: PlannedCommand = {
    kind: kindOfEvent(event),
    streamId,
    event,
    eventId: options.eventId ?? crypto.randomUUID(),
    ...(options.requires ? { requires: options.requires } : {}),
  };
  const result = await run(store, [command], options);
  if (result.outcome !== 'accepted') return result as DispatchResult<KindOfEvent<E>>;
  const [accepted] = result.streams;
  return { outcome: 'accepted', ...accepted! } as DispatchResult<KindOfEvent<E>>;
}

/**
 * Several streams' events as one change: each decided by its own machine, appended by one
 * statement in which each stream keeps its own version check, and written all together or not at
 * all (a training request and the credits it reserves). A refusal by any stream appends nothing.
 */
export async function dispatchTogether<const C extends readonly [Command, ...Command[]]>(
  store: Store,
  commands: C,
  options: Omit<DispatchOptions, 'eventId' | 'requires'>,
): Promise<DispatchTogetherResult<C>> {
  const planned = commands.map((command) => ({ ...command, kind: kindOfEvent(command.event), eventId: command.eventId ?? crypto.randomUUID() }));
  return (await run(store, planned, options)) as DispatchTogetherResult<C>;
}

interface PlannedCommand {
  kind: StreamKind;
  streamId: string;
  event: DomainEvent;
  eventId: string;
  requires?: { streamId: string; version: number };
}

type AcceptedStream = { streamId: string; version: number; eventId: string; state: StateOf<StreamKind>; status: string };
type RunResult =
  | { outcome: 'accepted'; streams: AcceptedStream[] }
  | { outcome: 'rejected'; streamId: string; version: number | null; rejection: Rejection }
  | { outcome: 'duplicate'; streamId: string };

async function run(store: Store, commands: readonly PlannedCommand[], options: DispatchOptions): Promise<RunResult> {
  const { inbox } = options;
  const head = commands[0]!.streamId;
  const ownStreams = new Set(commands.map((command) => command.streamId));
  for (let attempt = 1; ; attempt++) {
    try {
      const result =
        attempt <= optimisticAttempts
          ? await attemptOnce(store, store.db, commands, options, 'cached')
          : await store.db.transaction().execute((trx) => attemptOnce(store, trx, commands, options, 'locked'));
      if (result.kind === 'rejected') {
        return await rejected(store, result.streamId, result.version, result.rejection, result.streamId === head ? inbox : undefined);
      }
      announce(store, result.topics);
      return { outcome: 'accepted', streams: result.streams };
    } catch (error) {
      if (error instanceof DuplicateInboundError || error instanceof DuplicateEventError) return { outcome: 'duplicate', streamId: head };
      const conflictHere = error instanceof WrongExpectedVersionError && ownStreams.has(error.streamId);
      for (const streamId of ownStreams) store.streamCache.forget(streamId);
      if (!conflictHere || attempt >= maxAttempts) throw error;
      await sleep(Math.random() * 5 * attempt);
    }
  }
}

async function attemptOnce(
  store: Store,
  db: Kysely<Schema> | Transaction<Schema>,
  commands: readonly PlannedCommand[],
  options: DispatchOptions,
  read: 'cached' | 'locked',
) {
  // Locked retries take the rows in stream id order, so two changes over the same streams cannot deadlock.
  const loadOrder = read === 'locked' ? [...commands].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0)) : commands;
  const decided = new Map<PlannedCommand, { loaded: LoadedStream<StreamKind>; state: StateOf<StreamKind> }>();
  for (const command of loadOrder) {
    const { kind, streamId, event } = command;
    const cached = read === 'cached' ? cachedStream(store, kind, streamId) : undefined;
    let loaded = cached ?? (await loadStream(db, kind, streamId, { lock: read === 'locked' }));
    let decision = decideFor(kind, loaded, event);
    if (!decision.ok && cached) {
      // Never refuse on a cached state: another instance may have moved the stream on.
      loaded = await loadStream(db, kind, streamId);
      decision = decideFor(kind, loaded, event);
    }
    if (!decision.ok) return { kind: 'rejected' as const, streamId, version: loaded.version, rejection: decision.rejection };
    decided.set(command, { loaded, state: decision.state });
  }
  // The decisions already hold the next states: the events are not run through the machines again.
  const writes = commands.map((command, i) => {
    const { loaded, state } = decided.get(command)!;
    const pending = [
      { event: command.event, eventId: command.eventId, metadata: metadataOf(command.kind, options), before: loaded.state, after: state, accepted: true },
    ];
    const change = { kind: command.kind, streamId: command.streamId, pending, final: state } as StreamChangeOf<StreamKind>;
    return streamWrite(change, {
      expected: loaded.version ?? 'no_stream',
      sideEffects: true,
      ...(i === 0 && options.inbox ? { inbox: { message: options.inbox, detail: { eventType: command.event.type } } } : {}),
      ...(command.requires ? { requires: command.requires } : {}),
    });
  });
  const [head, ...linked] = writes;
  const write = linked.length > 0 ? { ...head!, linked } : head!;
  // Outside a transaction the append may share a statement with other dispatches' appends.
  const recorded = await commitWrite(read === 'cached' ? store.groupCommit : db, write);
  const streams = commands.map((command) => {
    const { state } = decided.get(command)!;
    const own = recorded.find((event) => event.streamId === command.streamId)!;
    store.streamCache.set(command.streamId, command.kind, own.version, state);
    return { streamId: command.streamId, version: own.version, eventId: command.eventId, state, status: lifecycleOf(command.kind).statusOf(state as never) };
  });
  return { kind: 'accepted' as const, streams, topics: topicsOf(write) };
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

async function rejected(
  store: Store,
  streamId: string,
  version: number | null,
  rejection: Rejection,
  inbox: InboundMessage | undefined,
): Promise<Exclude<RunResult, { outcome: 'accepted' }>> {
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
