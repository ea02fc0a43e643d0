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

/**
 * Appends a change with its inline projection and outbox rows: one statement, all or nothing,
 * run on `db` (a transaction, say) or handed to the store's group commit.
 */
export async function commitChange<K extends StreamKind>(
  db: Kysely<Schema> | Transaction<Schema> | GroupCommit,
  change: StreamChangeOf<K>,
  options: CommitOptions,
): Promise<{ recorded: RecordedEvent[]; topics: EffectTopic[] }> {
  const lifecycle = lifecycleOf(change.kind);
  const effects = options.sideEffects ? effectsOf(change as PendingChange) : [];
  const final = change.final;
  const write: StreamWrite = {
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
    effects,
    ...(options.inbox ? { inbox: options.inbox } : {}),
    ...(options.requires ? { requires: options.requires } : {}),
  };
  const recorded = db instanceof GroupCommit ? await db.write(write) : await writeStream(db, write);
  return { recorded, topics: [...new Set(effects.map(({ effect }) => effectTopic[effect.kind]))] };
}
