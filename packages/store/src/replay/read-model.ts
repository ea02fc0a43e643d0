import { sql, type Kysely } from 'kysely';
import type { Schema } from '../schema.js';
import type { ReadModelRows } from './fold.js';

/** The read-model rows of a batch of streams, for replay to compare with. */
export async function readModelRows(db: Kysely<Schema>, streamIds: readonly string[]): Promise<ReadModelRows> {
  if (streamIds.length === 0) return { avatars: new Map(), photos: new Map(), generations: new Map() };
  const ids = sql<string>`any(${streamIds}::text[])`;
  const [avatars, photos, generations] = await Promise.all([
    db.selectFrom('avatars').selectAll().where('avatar_id', '=', ids).execute(),
    db.selectFrom('avatar_photos').select(['avatar_id', 'photo_id']).where('avatar_id', '=', ids).execute(),
    db.selectFrom('generations').selectAll().where('generation_id', '=', ids).execute(),
  ]);
  const photoIds = new Map<string, string[]>();
  for (const { avatar_id, photo_id } of photos) photoIds.set(avatar_id, [...(photoIds.get(avatar_id) ?? []), photo_id]);
  return {
    avatars: new Map(avatars.map((row) => [row.avatar_id, row])),
    photos: photoIds,
    generations: new Map(generations.map((row) => [row.generation_id, row])),
  };
}
