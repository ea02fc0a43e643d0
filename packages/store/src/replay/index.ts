import { sql } from 'kysely';
import type { Store } from '../database.js';
import type { StateOf, StreamKind } from '../lifecycles.js';
import { StreamFold, type FoldOptions, type StreamReplay, type TimeTravel } from './fold.js';
import { streamEventsJson } from '../stream-events-json.js';
import { WorkerThread } from '../worker-thread.js';
import type { AggregatedStream, PageToFold } from './page.js';
import { readModelColumns, readModelOf } from './read-model.js';
import { reservationAnomalies } from './reservations.js';

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
): Promise<StreamReplay & { state: StateOf<StreamKind> | null }> {
  // One snapshot for the events and the read model: a dispatch committing between two reads
  // would show a read model one event ahead of the log, drift that is not there.
  const { events, readModel } = await store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const events = await trx
        .selectFrom('events')
        .select(['version', 'type', 'data', 'created_at', 'metadata'])
        .where('stream_id', '=', streamId)
        .orderBy('version')
        .execute();
      return { events, readModel: travelling(travel) ? null : await readModelOf(trx, streamId) };
    });
  const fold = new StreamFold({ timeline: true, travel });
  for (const e of events) fold.add({ version: e.version, type: e.type, data: e.data, createdAt: e.created_at, metadata: e.metadata });
  const replay = fold.finish(streamId, readModel);
  if (!travelling(travel)) await checkReservations(store, replay);
  return replay;
}

/** Adds the anomalies of a wallet's open reservations, which the fold alone cannot see. */
async function checkReservations(store: Store, replay: StreamReplay): Promise<void> {
  if (replay.openReservations === undefined || replay.openReservations.length === 0) return;
  replay.anomalies.push(...(await reservationAnomalies(store, replay.version, replay.openReservations)));
}

/**
 * The next page of streams after `after`, each with its events as one JSON text and, to compare
 * with, its read model: one statement, so one snapshot of both.
 */
async function streamPage(store: Store, after: string, pageSize: number, columns: PageColumns) {
  const { rows } = await sql<AggregatedStream>`
    select s.stream_id as "streamId", ${streamEventsJson('s.stream_id', columns)} as events,
      ${columns.compare ? readModelColumns('s') : sql`null as avatar, null as generation, null as wallet, null as photos`}
    from streams s where s.stream_id > ${after} order by s.stream_id limit ${pageSize}`.execute(store.db);
  const last = rows.at(-1)?.streamId;
  return last === undefined ? null : { last, streams: rows };
}

/** What a page carries besides events: optional columns, and whether to compare with the read model. */
type PageColumns = Pick<PageToFold, 'withTimes' | 'withMetadata' | 'compare'>;

/**
 * Replays every stream, a page at a time (memory stays flat however long the log), comparing each
 * with the read model. The main thread reads pages and hands them in turn to worker threads that
 * fold them through the machine, so Postgres, the protocol and the machine all work at once; the
 * machine is the slowest part (~6 µs an event), so two workers fold while the next page is read.
 * Replays come out in stream order. Timelines only when asked for.
 */
export async function* replayAll(
  store: Store,
  {
    timeline = false,
    travel = {},
    pageSize = 250,
    foldWorkers = 2,
  }: { timeline?: boolean; travel?: TimeTravel; pageSize?: number; foldWorkers?: number } = {},
): AsyncGenerator<StreamReplay> {
  const options: FoldOptions = { timeline, travel };
  // Times are only needed to show them or to travel to a moment; not reading them saves parsing.
  const withTimes = timeline || travel.until !== undefined;
  const columns: PageColumns = { withTimes, withMetadata: timeline, compare: !travelling(travel) };
  if (!Number.isInteger(foldWorkers) || foldWorkers < 1) throw new RangeError(`foldWorkers must be a positive integer, not ${foldWorkers}`);
  const workers = await Promise.all(
    Array.from({ length: foldWorkers }, () => WorkerThread.start<PageToFold, StreamReplay[]>(new URL('./worker.ts', import.meta.url), 'replay fold')),
  );
  let pagesRead = 0;
  // Each page goes to the worker as soon as it is read, so the main thread does not hold it (and
  // promote it to its old generation) while the page before is folded.
  const readAndFold = async (after: string) => {
    const page = await streamPage(store, after, pageSize, columns);
    if (!page) return null;
    const worker = workers[pagesRead++ % workers.length]!;
    const replays = worker.run({ streams: page.streams, ...columns, options });
    // Awaited in turn below; a page left behind when the replay ends early must not go unhandled.
    replays.catch(() => {});
    return { last: page.last, replays };
  };
  try {
    let next = readAndFold('');
    for (let page = await next; page !== null; page = await next) {
      next = readAndFold(page.last);
      // The next page is read while this one folds; an error in either ends the replay.
      next.catch(() => {});
      for (const replay of await page.replays) {
        if (columns.compare) await checkReservations(store, replay);
        yield replay;
      }
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}
