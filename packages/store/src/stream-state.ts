import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { PersistedState } from '@avatar/machine';
import type { RecordedEvent } from './event-log.js';
import type { Store } from './database.js';
import { isStreamKind, lifecycleOf, streamKinds, toDomainEvent, type StateOf, type StreamKind } from './lifecycles.js';
import type { Schema } from './schema.js';

export interface LoadedStream<K extends StreamKind> {
  streamId: string;
  /** The stream's kind as stored; null when there is no stream yet. */
  storedKind: string | null;
  /** null when there is no stream yet. */
  version: number | null;
  state: StateOf<K> | null;
}

/**
 * The current state of a stream: its cached machine state when the same machine version wrote
 * it, else a fold of its events through the current machine. `lock` holds the stream row until
 * the caller's transaction ends (the retry path of dispatch).
 */
export async function loadStream<K extends StreamKind>(
  db: Kysely<Schema> | Transaction<Schema>,
  kind: K,
  streamId: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<LoadedStream<K>> {
  const lifecycle = lifecycleOf(kind);
  // One round trip: the stream row, and its events only when its cached state cannot be used.
  const { rows } = await sql<{
    version: number;
    stream_type: string;
    state: PersistedState | null;
    events: Pick<RecordedEvent, 'type' | 'data'>[] | null;
  }>`
    select version, stream_type, ${usableStateOf('s')} as state,
      case when stream_type = ${kind} and ${usableStateOf('s')} is null then
        (select json_agg(json_build_object('type', e.type, 'data', e.data) order by e.version)
         from events e where e.stream_id = s.stream_id and e.version <= s.version)
      end as events
    from streams s where stream_id = ${streamId} ${lock ? sql`for update` : sql``}`.execute(db);
  const row = rows[0];
  if (!row) return { streamId, storedKind: null, version: null, state: null };
  if (row.stream_type !== kind) return { streamId, storedKind: row.stream_type, version: row.version, state: null };
  if (row.state !== null) {
    return { streamId, storedKind: row.stream_type, version: row.version, state: lifecycle.restore(row.state) };
  }
  let state: StateOf<K> | null = null;
  for (const recorded of row.events ?? []) state = lifecycle.evolve(state, toDomainEvent(recorded) as never);
  return { streamId, storedKind: row.stream_type, version: row.version, state };
}

/**
 * `alias.state` when the current machine version of the stream's kind wrote it, else null: the
 * cached state a query may read alongside other rows (see `rememberStream`).
 */
export function usableStateOf(alias: string): RawBuilder<PersistedState | null> {
  const versions = streamKinds.map((kind) => sql`when ${kind} then ${lifecycleOf(kind).machineVersion}`);
  const table = sql.table(alias);
  return sql`case when ${table}.machine_version = case ${table}.stream_type ${sql.join(versions, sql` `)} end then ${table}.state end`;
}

/** Keeps a stream state read by another query in the store's cache, so the next dispatch to it need not read it again. */
export function rememberStream(
  store: Store,
  stream: { streamId: string; streamType: string | null; version: number | null; state: PersistedState | null },
): void {
  const { streamId, streamType, version, state } = stream;
  if (streamType === null || version === null || state === null || !isStreamKind(streamType)) return;
  store.streamCache.set(streamId, streamType, version, lifecycleOf(streamType).restore(state));
}
