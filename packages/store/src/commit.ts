import { effectTopic, toStored, type EffectTopic } from '@avatar/machine';
import type { Kysely, Transaction } from 'kysely';
import { writeStream, type StreamWrite } from './append-statement.js';
import { GroupCommit } from './group-commit.js';
import type { ExpectedVersion, RecordedEvent } from './event-log.js';
import { lifecycleOf, type StreamKind } from './lifecycles.js';
import { effectsOf } from './outbox.js';
import { inlineWrites } from './projections/inline.js';
import type { Schema } from './schema.js';
import type { PendingChange, StreamChangeOf } from './stream-change.js';

export interface CommitOptions {
  expected: ExpectedVersion;
  /** False for import: a recorded history must never start fal jobs or message users again. */
  sideEffects: boolean;
  inbox?: StreamWrite['inbox'];
  requires?: StreamWrite['requires'];
}

/** The write of one change: its events, the stream's new state, inline projection, outbox rows and inbox record. */
export function streamWrite<K extends StreamKind>(change: StreamChangeOf<K>, options: CommitOptions): StreamWrite {
  const lifecycle = lifecycleOf(change.kind);
  const final = change.final;
  return {
    streamId: change.streamId,
    streamType: change.kind,
    expected: options.expected,
    events: change.pending.map(({ event, eventId, metadata, createdAt }) => ({
      eventId,
      ...toStored(event),
      metadata,
      ...(createdAt ? { createdAt } : {}),
    })),
    state: final ? { persisted: lifecycle.persist(final), machineVersion: lifecycle.machineVersion } : null,
    inline: inlineWrites(change as PendingChange),
    effects: options.sideEffects ? effectsOf(change as PendingChange) : [],
    ...(options.inbox ? { inbox: options.inbox } : {}),
    ...(options.requires ? { requires: options.requires } : {}),
  };
}

/** The outbox topics a write (and its linked writes) asks workers to look at. */
export function topicsOf(write: StreamWrite): EffectTopic[] {
  const writes = [write, ...(write.linked ?? [])];
  return [...new Set(writes.flatMap((w) => w.effects.map(({ effect }) => effectTopic[effect.kind])))];
}

/**
 * Appends a write (with any writes linked to it): one statement, all or nothing, run on `db` (a
 * transaction, say) or handed to the store's group commit.
 */
export async function commitWrite(db: Kysely<Schema> | Transaction<Schema> | GroupCommit, write: StreamWrite): Promise<RecordedEvent[]> {
  return db instanceof GroupCommit ? db.write(write) : writeStream(db, write);
}

/** Appends one change with its inline projection and outbox rows (see `commitWrite`). */
export async function commitChange<K extends StreamKind>(
  db: Kysely<Schema> | Transaction<Schema> | GroupCommit,
  change: StreamChangeOf<K>,
  options: CommitOptions,
): Promise<{ recorded: RecordedEvent[]; topics: EffectTopic[] }> {
  const write = streamWrite(change, options);
  return { recorded: await commitWrite(db, write), topics: topicsOf(write) };
}
