import { sql, type Kysely } from 'kysely';
import type { Schema } from '../schema.js';
import type { ReadModelRows } from './fold.js';

/** The read-model rows of a batch of streams, for replay to compare with. */
export async function readModelRows(db: Kysely<Schema>, streamIds: readonly string[]): Promise<ReadModelRows> {
  if (streamIds.length === 0) return { avatars: new Map(), photos: new Map(), generations: new Map() };
  const ids = sql<string>`any(${streamIds}::text[])`;
  const [avatars, photos, generations] = await Promise.all([
    db.selectFrom('avatars').selectAll().where('avatar_id', '=', ids).execute(),
    // One row per avatar, not per photo: a page of 250 avatars is 250 rows to parse, not 3,500.
    db
      .selectFrom('avatar_photos')
      .select(['avatar_id', sql<string[]>`array_agg(photo_id)`.as('photo_ids')])
      .where('avatar_id', '=', ids)
      .groupBy('avatar_id')
      .execute(),
    db.selectFrom('generations').selectAll().where('generation_id', '=', ids).execute(),
  ]);
  return {
    avatars: new Map(avatars.map((row) => [row.avatar_id, row])),
    photos: new Map(photos.map((row) => [row.avatar_id, row.photo_ids])),
    generations: new Map(generations.map((row) => [row.generation_id, row])),
  };
}
