import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../schema.js';
import type { StreamReadModel } from './fold.js';

/** A stream's read model as the replay statements return it: JSON text, parsed where it is folded. */
export interface ReadModelText {
  avatar: string | null;
  generation: string | null;
  wallet: string | null;
  photos: string | null;
}

/**
 * The read-model columns for the stream row aliased `stream`, read by the same statement as its
 * events so both come from one snapshot: a dispatch committing in between cannot look like drift.
 */
export function readModelColumns(stream: string): RawBuilder<unknown> {
  const id = sql.ref(`${stream}.stream_id`);
  return sql`(select row_to_json(a)::text from avatars a where a.avatar_id = ${id}) as avatar,
    (select row_to_json(g)::text from generations g where g.generation_id = ${id}) as generation,
    (select row_to_json(w)::text from wallets w where w.wallet_id = ${id}) as wallet,
    (select json_agg(p.photo_id)::text from avatar_photos p where p.avatar_id = ${id}) as photos`;
}

export function parseReadModel({ avatar, generation, wallet, photos }: ReadModelText): StreamReadModel {
  return {
    avatar: avatar === null ? null : (JSON.parse(avatar) as Record<string, unknown>),
    generation: generation === null ? null : (JSON.parse(generation) as Record<string, unknown>),
    wallet: wallet === null ? null : (JSON.parse(wallet) as Record<string, unknown>),
    photoIds: photos === null ? [] : (JSON.parse(photos) as string[]),
  };
}

/** One stream's read model, for replaying it alone. */
export async function readModelOf(db: Kysely<Schema>, streamId: string): Promise<StreamReadModel> {
  const { rows } = await sql<ReadModelText>`select ${readModelColumns('s')} from (select ${streamId}::text as stream_id) s`.execute(db);
  return parseReadModel(rows[0]!);
}
