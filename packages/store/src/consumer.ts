import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from './database.js';
import { toRecordedEvent, type RecordedEvent } from './event-log.js';
import type { Schema } from './schema.js';

/** Where a consumer is in the log: commit order is (transaction id, global position). */
export interface Checkpoint {
  transactionId: string;
  globalPosition: number;
}

export const logStart: Checkpoint = { transactionId: '0', globalPosition: 0 };

/**
 * Events after `after`, in commit-safe order. A global position alone is not safe to tail: a
 * transaction that took position 101 may commit after the one that took 102. Reading only below
 * the oldest transaction still running (`pg_snapshot_xmin`) and ordering by
 * (transaction_id, global_position) never skips an event that commits late.
 */
export async function readCommittedEvents(
  db: Kysely<Schema> | Transaction<Schema>,
  after: Checkpoint,
  limit: number,
  { types }: { types?: readonly string[] } = {},
): Promise<RecordedEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where(sql<boolean>`(transaction_id, global_position) > (${after.transactionId}::xid8, ${after.globalPosition}::bigint)`)
    .where(sql<boolean>`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`)
    .$if(types !== undefined, (q) => q.where('type', '=', sql<string>`any(${types}::text[])`))
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(limit)
    .execute();
  return rows.map(toRecordedEvent);
}

/** An async projection: read-model writes for a batch of events, in the transaction that moves its checkpoint. */
export interface Projector {
  name: string;
  /** The event types it reacts to; others are not even read (its checkpoint skips past them). */
  eventTypes: readonly string[];
  /** Applies events in commit order; a whole batch at once, so it can read and write in bulk. */
  applyBatch(trx: Transaction<Schema>, events: readonly RecordedEvent[]): Promise<void>;
  /** Empties the projection's tables (rebuild). */
  reset(trx: Transaction<Schema>): Promise<void>;
}

/**
 * Applies the next batch of committed events and moves the checkpoint in the same transaction,
 * so the projection sees every event exactly once. Returns how many were applied; 0 when caught
 * up, or when another instance holds this projector right now (its checkpoint row is locked).
 */
export async function runProjectorOnce(store: Store, projector: Projector, batchSize = 5000): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('consumer_checkpoints')
      .values({ consumer: projector.name, transaction_id: logStart.transactionId, global_position: logStart.globalPosition })
      .onConflict((oc) => oc.column('consumer').doNothing())
      .execute();
    const checkpoint = await trx
      .selectFrom('consumer_checkpoints')
      .select(['transaction_id', 'global_position'])
      .where('consumer', '=', projector.name)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!checkpoint) return 0;
    const events = await readCommittedEvents(
      trx,
      { transactionId: checkpoint.transaction_id, globalPosition: checkpoint.global_position },
      batchSize,
      { types: projector.eventTypes },
    );
    if (events.length > 0) await projector.applyBatch(trx, events);
    const last = events.at(-1);
    if (last) {
      await trx
        .updateTable('consumer_checkpoints')
        .set({ transaction_id: last.transactionId, global_position: last.globalPosition, updated_at: sql`now()` })
        .where('consumer', '=', projector.name)
        .execute();
    }
    return events.length;
  });
}

/** Runs the projector until it has applied every committed event. */
export async function catchUp(store: Store, projector: Projector, batchSize = 5000): Promise<number> {
  let total = 0;
  for (let applied = await runProjectorOnce(store, projector, batchSize); applied > 0; applied = await runProjectorOnce(store, projector, batchSize)) {
    total += applied;
  }
  return total;
}

/** Empties the projection and rewinds its checkpoint to the start of the log. */
export async function resetProjector(store: Store, projector: Projector): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await projector.reset(trx);
    await trx.deleteFrom('consumer_checkpoints').where('consumer', '=', projector.name).execute();
  });
}

export async function checkpointOf(store: Store, name: string): Promise<Checkpoint | null> {
  const row = await store.db
    .selectFrom('consumer_checkpoints')
    .select(['transaction_id', 'global_position'])
    .where('consumer', '=', name)
    .executeTakeFirst();
  return row ? { transactionId: row.transaction_id, globalPosition: row.global_position } : null;
}
