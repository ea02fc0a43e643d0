import type { Kysely, Transaction } from 'kysely';
import type { PersistedState } from '@avatar/machine';
import { readStream } from './event-log.js';
import { lifecycleOf, toDomainEvent, type StateOf, type StreamKind } from './lifecycles.js';
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
  const row = await db
    .selectFrom('streams')
    .select(['version', 'stream_type', 'state', 'machine_version'])
    .where('stream_id', '=', streamId)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
  if (!row) return { streamId, storedKind: null, version: null, state: null };
  if (row.stream_type !== kind) return { streamId, storedKind: row.stream_type, version: row.version, state: null };
  if (row.state !== null && row.machine_version === lifecycle.machineVersion) {
    return { streamId, storedKind: row.stream_type, version: row.version, state: lifecycle.restore(row.state as PersistedState) };
  }
  const events = await readStream(db, streamId, { toVersion: row.version });
  let state: StateOf<K> | null = null;
  for (const recorded of events) state = lifecycle.evolve(state, toDomainEvent(recorded) as never);
  return { streamId, storedKind: row.stream_type, version: row.version, state };
}
