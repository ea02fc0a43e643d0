import { sql, type Kysely, type Transaction } from 'kysely';
import { catchUp, resetProjector } from '../consumer.js';
import type { Store } from '../database.js';
import { ownerProfiles } from '../projections/owner-profiles.js';
import type { Schema } from '../schema.js';
import { streamEventsJson } from '../stream-events-json.js';
import { WorkerThread } from '../worker-thread.js';
import type { RebuiltBatch, StreamToRebuild, TableRows } from './rows.js';

export class RebuildInProgressError extends Error {
  constructor() {
    super('another rebuild holds the rebuild lock; try again when it has finished');
    this.name = 'RebuildInProgressError';
  }
}

export interface RebuildReport {
  streams: number;
  events: number;
  seconds: number;
}

/** Session-level advisory lock id for rebuilds (hashtext of a fixed name, computed by Postgres). */
const lockName = 'avatar-service:rebuild-projections';

/**
 * Rebuilds every projection from the log: for each batch of streams (rows locked, so a dispatch
 * to one of them waits), fold its events through the current machine, rewrite its read-model rows
 * and drop its cached state; then remove rows no stream explains, and replay the async projections
 * from the start. Runs online, under a lock so only one rebuild runs at a time.
 */
export async function rebuildProjections(
  store: Store,
  { batchSize = 500, onProgress }: { batchSize?: number; onProgress?: (report: RebuildReport) => void } = {},
): Promise<RebuildReport> {
  const started = performance.now();
  const report: RebuildReport = { streams: 0, events: 0, seconds: 0 };
  await store.db.connection().execute(async (db) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext(${lockName})) as locked`.execute(db);
    if (!rows[0]?.locked) throw new RebuildInProgressError();
    let worker: RebuildWorker | undefined;
    try {
      worker = await WorkerThread.start<StreamToRebuild[], RebuiltBatch>(new URL('./worker.ts', import.meta.url), 'rebuild');
      // PGlite is one session, which this pinned connection holds: its batches run on it, in turn.
      const runner = store.backend === 'postgres' ? store.db : db;
      await rebuildBatches(runner, worker, batchSize, store.backend === 'postgres' ? 2 : 1, (batch) => {
        report.streams += batch.streams;
        report.events += batch.events;
        onProgress?.({ ...report, seconds: (performance.now() - started) / 1000 });
      });
      await removeOrphans(db);
    } finally {
      await worker?.close();
      await sql`select pg_advisory_unlock(hashtext(${lockName}))`.execute(db);
    }
  });
  store.streamCache.clear();
  await resetProjector(store, ownerProfiles);
  await catchUp(store, ownerProfiles);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

interface BatchResult {
  lastStreamId: string | null;
  streams: number;
  events: number;
}

type RebuildWorker = WorkerThread<StreamToRebuild[], RebuiltBatch>;

/**
 * Batches one after another, `depth` at a time: while one batch writes its rows, the next locks
 * and reads its streams (they are disjoint) and a worker thread folds them, so Postgres, the
 * protocol and the machine work at once.
 */
async function rebuildBatches(
  db: Kysely<Schema>,
  worker: RebuildWorker,
  batchSize: number,
  depth: number,
  onBatch: (batch: BatchResult) => void,
): Promise<void> {
  let after = '';
  const running: Promise<BatchResult>[] = [];
  try {
    for (;;) {
      let claimed!: (lastStreamId: string | null) => void;
      const range = new Promise<string | null>((resolve) => (claimed = resolve));
      const batch = db.transaction().execute((trx) => rebuildBatch(trx, worker, after, batchSize, claimed));
      running.push(batch);
      const last = depth > 1 ? await Promise.race([range, batch.then((b) => b.lastStreamId)]) : (await batch).lastStreamId;
      while (running.length >= depth || (last === null && running.length > 0)) onBatch(await running.shift()!);
      if (last === null) return;
      after = last;
    }
  } finally {
    await Promise.allSettled(running);
  }
}

async function rebuildBatch(
  trx: Transaction<Schema>,
  worker: RebuildWorker,
  after: string,
  batchSize: number,
  claimed: (lastStreamId: string | null) => void,
): Promise<BatchResult> {
  // Prepared statements keep one generic plan, made when the tables were small; rebuild's tables
  // change size as it runs, so its statements are planned for the data as it is now. And what it
  // writes can always be written again from the log, so a batch need not wait for its WAL flush.
  await sql`set local plan_cache_mode = force_custom_plan`.execute(trx);
  await sql`set local synchronous_commit = off`.execute(trx);
  const locked = await trx
    .selectFrom('streams')
    .select('stream_id')
    .where('stream_id', '>', after)
    .orderBy('stream_id')
    .limit(batchSize)
    .forUpdate()
    .execute();
  const last = locked.at(-1)?.stream_id;
  claimed(last ?? null);
  if (last === undefined) return { lastStreamId: null, streams: 0, events: 0 };
  const ids = locked.map((row) => row.stream_id);
  // The batch is its locked streams. A stream created inside their key range since is not one of
  // them: it is neither read nor written here, or its rows would race its own appends. Range
  // conditions let each table's index be scanned in key order; `= any` keeps to the batch.
  const inBatch = (column: string) =>
    sql<boolean>`${sql.ref(column)} > ${after} and ${sql.ref(column)} <= ${last} and ${sql.ref(column)} = any(${ids}::text[])`;
  // A statement of its own, after the locks: its snapshot sees every append committed before them.
  const { rows: streams } = await sql<StreamToRebuild>`select s.stream_id as "streamId", s.stream_type as "streamType",
      ${streamEventsJson('s.stream_id', { withTimes: true, withMetadata: false })} as events
    from streams s where ${inBatch('s.stream_id')} order by s.stream_id`.execute(trx);
  const rows = await worker.run(streams);

  // Rows are rewritten in place and only rows the log no longer explains are deleted: a dispatch
  // waiting on this batch's stream locks runs its statement on a snapshot from before the batch,
  // and Postgres carries its UPDATE or DELETE over to a row's new version, but not to a row
  // deleted and inserted again (the dispatch's change would be lost).
  await sql`delete from avatars where ${inBatch('avatar_id')} and avatar_id <> all(${rows.avatarIds}::text[])`.execute(trx);
  await sql`delete from generations where ${inBatch('generation_id')} and generation_id <> all(${rows.generationIds}::text[])`.execute(trx);
  await sql`delete from wallets where ${inBatch('wallet_id')} and wallet_id <> all(${rows.walletIds}::text[])`.execute(trx);
  await sql`delete from avatar_photos p where ${inBatch('avatar_id')} and not exists (
      select 1 from unnest(${rows.photoKeys.avatarIds}::text[], ${rows.photoKeys.photoIds}::text[]) as kept(avatar_id, photo_id)
      where kept.avatar_id = p.avatar_id and kept.photo_id = p.photo_id)`.execute(trx);
  await sql`delete from fal_requests where ${inBatch('stream_id')} and request_id <> all(${rows.falRequestIds}::text[])`.execute(trx);
  await upsertRecords(trx, 'avatars', ['avatar_id'], rows.avatars);
  await upsertRecords(trx, 'generations', ['generation_id'], rows.generations);
  await upsertRecords(trx, 'wallets', ['wallet_id'], rows.wallets);
  await upsertRecords(trx, 'avatar_photos', ['avatar_id', 'photo_id'], rows.photos);
  await upsertRecords(trx, 'fal_requests', ['request_id'], rows.falRequests);
  // The cached machine states are part of what is rebuilt: they are dropped, and each stream's
  // next load folds its events through the current machine (and its next append caches it again).
  await trx
    .updateTable('streams')
    .set({ state: null, machine_version: null })
    .where(inBatch('stream_id'))
    .where('state', 'is not', null)
    .execute();
  return { lastStreamId: last, streams: locked.length, events: rows.events };
}

/**
 * Many rows in one statement: Postgres unpacks a JSON array into the table's own row type; a row
 * whose key exists is updated in place. A key missing from a row becomes NULL, not the column
 * default, so rows must carry every column.
 */
async function upsertRecords(trx: Transaction<Schema>, table: keyof Schema, key: readonly string[], rows: TableRows): Promise<void> {
  if (rows.columns.length === 0) return;
  const columns = rows.columns.filter((column) => !key.includes(column));
  const updates = columns.map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`);
  // A row the log agrees with is left as it is (no new row version, no WAL, no index churn: a
  // rebuild over a healthy read model writes almost nothing). Times came through JavaScript
  // dates, so a stored time is compared at their millisecond precision.
  const differs = columns.map((column) =>
    column.endsWith('_at')
      ? sql`date_trunc('milliseconds', t.${sql.ref(column)}) is distinct from excluded.${sql.ref(column)}`
      : sql`t.${sql.ref(column)} is distinct from excluded.${sql.ref(column)}`,
  );
  await sql`insert into ${sql.table(table)} as t select * from json_populate_recordset(null::${sql.table(table)}, ${rows.json}::json)
    on conflict (${sql.join(key.map((column) => sql.ref(column)))}) do update set ${sql.join(updates)}
    where ${sql.join(differs, sql` or `)}`.execute(trx);
}

async function removeOrphans(db: Kysely<Schema>): Promise<void> {
  await sql`delete from avatars a where not exists (select 1 from streams s where s.stream_id = a.avatar_id)`.execute(db);
  await sql`delete from avatar_photos p where not exists (select 1 from streams s where s.stream_id = p.avatar_id)`.execute(db);
  await sql`delete from generations g where not exists (select 1 from streams s where s.stream_id = g.generation_id)`.execute(db);
  await sql`delete from wallets w where not exists (select 1 from streams s where s.stream_id = w.wallet_id)`.execute(db);
  await sql`delete from fal_requests f where not exists (select 1 from streams s where s.stream_id = f.stream_id)`.execute(db);
}
