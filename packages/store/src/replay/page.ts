import type { FoldOptions, ReadModelRows, ReplayedEvent, StreamReplay } from './fold.js';
import { StreamFold } from './fold.js';

/** One stream of a page: its events as Postgres aggregated them, a JSON array of arrays. */
export interface AggregatedStream {
  streamId: string;
  /** `[[version, type, data, createdAt?, metadata?], …]` in version order, as JSON text. */
  events: string;
}

export interface PageToFold {
  streams: AggregatedStream[];
  rows: ReadModelRows | null;
  options: FoldOptions;
  /** Which optional columns the aggregate carries. */
  withTimes: boolean;
  withMetadata: boolean;
}

type AggregatedEvent = [number, string, Record<string, unknown>, string?, Record<string, unknown>?];

const epoch = new Date(0);

/** Folds every stream of a page; runs in the fold worker (or in-thread), so it takes plain data only. */
export function foldPage(page: PageToFold): StreamReplay[] {
  return page.streams.map(({ streamId, events }) => {
    const fold = new StreamFold(page.options);
    for (const [version, type, data, createdAt, metadata] of JSON.parse(events) as AggregatedEvent[]) {
      const event: ReplayedEvent = { version, type, data, createdAt: page.withTimes && createdAt ? new Date(createdAt) : epoch };
      if (page.withMetadata && metadata) event.metadata = metadata;
      fold.add(event);
    }
    const { state: _state, ...replay } = fold.finish(streamId, page.rows);
    return replay;
  });
}
