import type { FoldOptions, ReplayedEvent, StreamReplay } from './fold.js';
import { StreamFold } from './fold.js';
import type { AggregatedEvent, StreamEventsJson } from '../stream-events-json.js';
import { parseReadModel, type ReadModelText } from './read-model.js';

/**
 * One stream of a page: its events as Postgres aggregated them and its read model (all null when
 * the replay travels in time and compares nothing).
 */
export interface AggregatedStream extends ReadModelText {
  streamId: string;
  events: StreamEventsJson;
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
