import { sql, type Kysely } from 'kysely';
import type { FalRequestRow, Schema } from './schema.js';

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
