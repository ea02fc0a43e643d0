import type { AnyMachineSnapshot } from 'xstate';
import { sql } from 'kysely';
import type { Store } from '../database.js';
import { StreamFold, type FoldOptions, type StreamReplay, type TimeTravel } from './fold.js';
import { FoldWorker } from './fold-worker.js';
import type { AggregatedStream, PageToFold } from './page.js';
import { readModelRows } from './read-model.js';

export type { Anomaly, AnomalyKind, ReplayedEvent, StreamReplay, TimeTravel, TimelineEntry } from './fold.js';
export { StreamFold } from './fold.js';

const travelling = (travel: TimeTravel) => travel.toVersion !== undefined || travel.until !== undefined;

/**
 * Replays one stream, with its timeline and the machine state it folds to; compares it with the
 * read model unless travelling in time.
 */
export async function replayStream(
  store: Store,
  streamId: string,
  travel: TimeTravel = {},
): Promise<StreamReplay & { state: AnyMachineSnapshot | null }> {
  const events = await store.db
    .selectFrom('events')
    .select(['version', 'type', 'data', 'created_at', 'metadata'])
    .where('stream_id', '=', streamId)
    .orderBy('version')
    .execute();
  const fold = new StreamFold({ timeline: true, travel });
  for (const e of events) fold.add({ version: e.version, type: e.type, data: e.data, createdAt: e.created_at, metadata: e.metadata });
  return fold.finish(streamId, travelling(travel) ? null : await readModelRows(store.db, [streamId]));
}

/**
 * The next page of streams after `after`, each with its events aggregated by Postgres into one
 * JSON text: one row per stream to parse instead of one per event.
 */
async function streamPage(store: Store, after: string, pageSize: number, withTimes: boolean, withMetadata: boolean) {
  const ids = await store.db
    .selectFrom('streams')
    .select('stream_id')
    .where('stream_id', '>', after)
    .orderBy('stream_id')
    .limit(pageSize)
    .execute();
  const last = ids.at(-1)?.stream_id;
  if (last === undefined) return null;
  const columns = [sql`version`, sql`type`, sql`data`, ...(withTimes || withMetadata ? [sql`created_at`] : []), ...(withMetadata ? [sql`metadata`] : [])];
  const { rows } = await sql<{ streamId: string; events: string }>`
    select stream_id as "streamId", json_agg(json_build_array(${sql.join(columns)}) order by version)::text as events
    from events where stream_id > ${after} and stream_id <= ${last}
    group by stream_id order by stream_id`.execute(store.db);
  return { last, streams: rows satisfies AggregatedStream[] };
}

/**
 * Replays every stream, a page at a time (memory stays flat however long the log), comparing each
 * with the read model. The main thread reads the next page while a worker thread folds this one
 * through the machine, so Postgres, the protocol and the machine all work at once. Timelines only
 * when asked for.
 */
export async function* replayAll(
  store: Store,
  { timeline = false, travel = {}, pageSize = 250 }: { timeline?: boolean; travel?: TimeTravel; pageSize?: number } = {},
): AsyncGenerator<StreamReplay> {
  const options: FoldOptions = { timeline, travel };
  // Times are only needed to show them or to travel to a moment; not reading them saves parsing.
  const withTimes = timeline || travel.until !== undefined;
  const read = async (after: string): Promise<PageToFold & { last: string } | null> => {
    const page = await streamPage(store, after, pageSize, withTimes, timeline);
    if (!page) return null;
    const rows = travelling(travel) ? null : await readModelRows(store.db, page.streams.map((s) => s.streamId));
    return { last: page.last, streams: page.streams, rows, options, withTimes, withMetadata: timeline };
  };
  const worker = await FoldWorker.start();
  try {
    let next = read('');
    for (let page = await next; page !== null; page = await next) {
      next = read(page.last);
      // The next page is read while this one folds; an error in either ends the replay.
      next.catch(() => {});
      const { last: _last, ...toFold } = page;
      yield* await worker.fold(toFold);
    }
  } finally {
    await worker.close();
  }
}
