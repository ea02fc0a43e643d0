import type { FoldOptions, ReplayedEvent, StreamReplay } from './fold.js';
import { StreamFold } from './fold.js';
import { parseReadModel, type ReadModelText } from './read-model.js';

/**
 * One stream of a page: its events as Postgres aggregated them, a JSON array of arrays, and its
 * read model (all null when the replay travels in time and compares nothing).
 */
export interface AggregatedStream extends ReadModelText {
  streamId: string;
  /** `[[version, type, data, createdAt?, metadata?], …]` in version order, as JSON text. */
  events: string;
}

export interface PageToFold {
  streams: AggregatedStream[];
  /** Compare each stream with its read model. */
  compare: boolean;
  options: FoldOptions;
  /** Which optional columns the aggregate carries. */
  withTimes: boolean;
  withMetadata: boolean;
}

type AggregatedEvent = [number, string, Record<string, unknown>, string?, Record<string, unknown>?];

const epoch = new Date(0);

/** Folds every stream of a page; runs in the fold worker (or in-thread), so it takes plain data only. */
export function foldPage(page: PageToFold): StreamReplay[] {
  return page.streams.map((stream) => {
    const { streamId, events } = stream;
    const fold = new StreamFold(page.options);
    for (const [version, type, data, createdAt, metadata] of JSON.parse(events) as AggregatedEvent[]) {
      const event: ReplayedEvent = { version, type, data, createdAt: page.withTimes && createdAt ? new Date(createdAt) : epoch };
      if (page.withMetadata && metadata) event.metadata = metadata;
      fold.add(event);
    }
    const { state: _state, ...replay } = fold.finish(streamId, page.compare ? parseReadModel(stream) : null);
    return replay;
  });
}
