import type { PersistedState } from '@avatar/machine';
import { sql, type Kysely } from 'kysely';
import type { Store } from './database.js';
import type { FalRequestRow, InboxOutcome, Schema } from './schema.js';
import { groupedStatements } from './group-commit.js';
import { ReadGroup } from './read-group.js';
import { rememberStream, usableStateOf } from './stream-state.js';

/** A recorded fal request, with the outcome of an earlier delivery for it if the inbox has one. */
export type FoundFalRequest = FalRequestRow & { inbound_outcome: InboxOutcome | null };

type FalRequestLookupRow = FoundFalRequest & { stream_type: string | null; stream_version: number | null; stream_state: PersistedState | null };

/** Each database's grouped lookups (a webhook burst looks up many request ids at once). */
const lookups = new WeakMap<Kysely<Schema>, ReadGroup<string, FalRequestLookupRow>>();

/**
 * The fal request recorded under this id, its inbox outcome, and its stream's cached state, in
 * one read: everything a webhook needs before it dispatches. The state goes to the store's stream
 * cache, so the dispatch that follows appends without reading the stream again. Concurrent
 * lookups share a statement (see ReadGroup).
 */
export async function findFalRequest(store: Store, requestId: string): Promise<FoundFalRequest | undefined> {
  const { db } = store;
  let group = lookups.get(db);
  if (!group) {
    group = new ReadGroup((ids) => readFalRequests(db, ids), { reads: groupedStatements[store.backend], keysPerRead: 64 });
    lookups.set(db, group);
  }
  const row = await group.get(requestId);
  if (!row) return undefined;
  // Each caller hands its own row to its own store's cache (stores may share a database).
  const { stream_type, stream_version, stream_state, ...request } = row;
  rememberStream(store, { streamId: request.stream_id, streamType: stream_type, version: stream_version, state: stream_state });
  return request;
}

async function readFalRequests(db: Kysely<Schema>, requestIds: readonly string[]): Promise<Map<string, FalRequestLookupRow>> {
  const { rows } = await sql<FalRequestLookupRow>`select f.*,
      (select outcome from inbox where source = 'fal' and message_id = f.request_id) as inbound_outcome,
      s.stream_type, s.version as stream_version, ${usableStateOf('s')} as stream_state
    from fal_requests f left join streams s on s.stream_id = f.stream_id
    where f.request_id = any(${requestIds}::text[])`.execute(db);
  return new Map(rows.map((row) => [row.request_id, row]));
}

/**
 * Claims unresolved fal requests that were submitted at least `olderThanMs` ago and are due for a
 * poll, and pushes their next poll `pollAgainInMs` ahead. The reconciler's queue: a lost webhook
 * or a restart never leaves a request unwatched, and any number of instances share the work
 * (FOR UPDATE SKIP LOCKED).
 */
export async function claimDueFalRequests(
  db: Kysely<Schema>,
  { olderThanMs, limit, pollAgainInMs }: { olderThanMs: number; limit: number; pollAgainInMs: number },
): Promise<FalRequestRow[]> {
  return db
    .updateTable('fal_requests')
    .set({ next_poll_at: sql`now() + ${`${pollAgainInMs} milliseconds`}::interval`, polls: sql`polls + 1` })
    .where('request_id', 'in', (q) =>
      q
        .selectFrom('fal_requests')
        .select('request_id')
        .where('resolved_at', 'is', null)
        .where('next_poll_at', '<=', sql<Date>`now()`)
        .where('submitted_at', '<=', sql<Date>`now() - ${`${olderThanMs} milliseconds`}::interval`)
        .orderBy('next_poll_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}
