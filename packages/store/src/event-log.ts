import type { Kysely, Transaction } from 'kysely';
import type { EventRow, Schema } from './schema.js';

/** What an append expects of the stream: an exact version, no stream yet, a stream, or anything. */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** The stream's version when the append was refused; null when there is no such stream. */
    readonly actual: number | null,
  ) {
    super(`stream ${streamId}: expected ${describeExpected(expected)}, but it is ${actual === null ? 'absent' : `at version ${actual}`}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export class DuplicateEventError extends Error {
  constructor(readonly eventIds: string[]) {
    super(`events already appended: ${eventIds.join(', ')}`);
    this.name = 'DuplicateEventError';
  }
}

function describeExpected(expected: ExpectedVersion): string {
  return typeof expected === 'number' ? `version ${expected}` : expected.replace('_', ' ');
}

export interface NewEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** Kept as given by import; otherwise the transaction's time. */
  createdAt?: Date;
}

export interface RecordedEvent {
  globalPosition: number;
  transactionId: string;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    globalPosition: row.global_position,
    transactionId: row.transaction_id,
    streamId: row.stream_id,
    version: row.version,
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

export interface StreamRange {
  /** Only events from this version on. */
  fromVersion?: number;
  /** Only events up to this version (time travel by version). */
  toVersion?: number;
  /** Only events recorded at or before this time (time travel by date). */
  until?: Date;
}

export async function readStream(db: Kysely<Schema> | Transaction<Schema>, streamId: string, range: StreamRange = {}): Promise<RecordedEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('stream_id', '=', streamId)
    .$if(range.fromVersion !== undefined, (q) => q.where('version', '>=', range.fromVersion as number))
    .$if(range.toVersion !== undefined, (q) => q.where('version', '<=', range.toVersion as number))
    .$if(range.until !== undefined, (q) => q.where('created_at', '<=', range.until as Date))
    .orderBy('version')
    .execute();
  return rows.map(toRecordedEvent);
}
