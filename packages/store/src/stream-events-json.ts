import { sql, type RawBuilder } from 'kysely';

/**
 * A stream's events as Postgres aggregates them into one JSON text, in version order: one row per
 * stream for the driver to parse instead of one per event, and the text handed as it is to a
 * worker thread, which parses it there. Used by replay and rebuild, which read whole streams.
 */
export type StreamEventsJson = string;

/** One event of a `StreamEventsJson`: `createdAt` and `metadata` only when asked for. */
export type AggregatedEvent = [version: number, type: string, data: Record<string, unknown>, createdAt?: string, metadata?: Record<string, unknown>];

/** The `StreamEventsJson` of the stream whose id is the column `streamIdColumn` (`[]` if it has none). */
export function streamEventsJson(
  streamIdColumn: string,
  { withTimes, withMetadata }: { withTimes: boolean; withMetadata: boolean },
): RawBuilder<StreamEventsJson> {
  const fields = [
    sql`e.version`,
    sql`e.type`,
    sql`e.data`,
    ...(withTimes || withMetadata ? [sql`e.created_at`] : []),
    ...(withMetadata ? [sql`e.metadata`] : []),
  ];
  return sql<StreamEventsJson>`coalesce((select json_agg(json_build_array(${sql.join(fields)}) order by e.version)::text
    from events e where e.stream_id = ${sql.ref(streamIdColumn)}), '[]')`;
}
