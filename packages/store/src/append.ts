import type { Actor, DomainEvent } from '@avatar/machine';
import { commitChange } from './commit.js';
import { foldPending } from './stream-change.js';
import type { Store } from './database.js';
import type { ExpectedVersion, RecordedEvent } from './event-log.js';
import { kindOfEvent, lifecycleOf, type EventOfKind, type StreamKind } from './lifecycles.js';
import { loadStream } from './stream-state.js';

export interface AppendOptions {
  expected: ExpectedVersion;
  actor: Actor;
  correlationId?: string;
  /** Effects (fal submissions, notifications) for the events the machine accepts; default true. */
  sideEffects?: boolean;
}

/**
 * Appends events as facts, checking only the expected version. Unlike dispatch it does not ask
 * the machine for permission: an event the machine refuses is still recorded, changes no state,
 * and asks for no effect (replay reports it). Commands go through dispatch.
 */
export async function append(
  store: Store,
  streamId: string,
  events: readonly DomainEvent[],
  options: AppendOptions,
): Promise<RecordedEvent[]> {
  const first = events[0];
  if (!first) return [];
  const kind: StreamKind = kindOfEvent(first);
  if (events.some((event) => kindOfEvent(event) !== kind)) throw new Error(`append: events for stream ${streamId} mix stream kinds`);
  const metadata = {
    actor: options.actor,
    ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    machineVersion: lifecycleOf(kind).machineVersion,
  };
  const recorded = await store.db.transaction().execute(async (trx) => {
    const loaded = await loadStream(trx, kind, streamId, { lock: true });
    const { pending, final } = foldPending(
      kind,
      loaded.state,
      events.map((event) => ({ event: event as EventOfKind<typeof kind>, eventId: crypto.randomUUID(), metadata })),
    );
    const { recorded } = await commitChange(trx, { kind, streamId, pending, final }, {
      expected: options.expected,
      sideEffects: options.sideEffects ?? true,
    });
    return recorded;
  });
  store.streamCache.forget(streamId);
  return recorded;
}
