import { sql, type Transaction } from 'kysely';
import type { Projector } from '../consumer.js';
import type { RecordedEvent } from '../event-log.js';
import type { Schema } from '../schema.js';

/**
 * Each owner's main avatar, projected asynchronously: the first avatar that can generate becomes
 * main, an explicit choice replaces it, and deleting the main avatar promotes another one that
 * can generate (the most recently updated), if there is one. Reads the inline `avatars` table,
 * which is always at least as new as the events being applied; a batch is read and written in
 * three queries and one upsert, whatever its size.
 */
export const ownerProfiles: Projector = {
  name: 'owner-profiles',
  eventTypes: ['TrainingCompleted', 'MainAvatarChosen', 'AvatarDeleted'],

  async applyBatch(trx: Transaction<Schema>, events: readonly RecordedEvent[]) {
    const avatarIds = [...new Set(events.map((event) => event.streamId))];
    const avatars = new Map(
      (
        await trx
          .selectFrom('avatars')
          .select(['avatar_id', 'owner_id', 'can_generate'])
          .where('avatar_id', '=', sql<string>`any(${avatarIds}::text[])`)
          .execute()
      ).map((row) => [row.avatar_id, row]),
    );
    const owners = [...new Set([...avatars.values()].map((avatar) => avatar.owner_id))];
    if (owners.length === 0) return;
    const [profiles, candidates] = await Promise.all([
      trx.selectFrom('owner_profiles').select(['owner_id', 'main_avatar_id']).where('owner_id', '=', sql<number>`any(${owners}::bigint[])`).execute(),
      trx
        .selectFrom('avatars')
        .select(['avatar_id', 'owner_id'])
        .where('owner_id', '=', sql<number>`any(${owners}::bigint[])`)
        .where('can_generate', '=', true)
        .orderBy('updated_at', 'desc')
        .execute(),
    ]);
    const mains = new Map<number, string | null>(profiles.map((profile) => [profile.owner_id, profile.main_avatar_id]));
    const changed = new Map<number, string | null>();
    const choose = (owner: number, main: string | null) => {
      mains.set(owner, main);
      changed.set(owner, main);
    };

    for (const event of events) {
      const avatar = avatars.get(event.streamId);
      if (!avatar) continue;
      const owner = avatar.owner_id;
      const main = mains.get(owner) ?? null;
      switch (event.type) {
        case 'TrainingCompleted':
          if (avatar.can_generate && main === null) choose(owner, avatar.avatar_id);
          break;
        case 'MainAvatarChosen':
          if (avatar.can_generate) choose(owner, avatar.avatar_id);
          break;
        case 'AvatarDeleted':
          if (main === avatar.avatar_id) {
            const next = candidates.find((c) => c.owner_id === owner && c.avatar_id !== avatar.avatar_id);
            choose(owner, next?.avatar_id ?? null);
          }
          break;
      }
    }
    if (changed.size === 0) return;
    await sql`
      insert into owner_profiles (owner_id, main_avatar_id)
      select * from unnest(${[...changed.keys()]}::bigint[], ${[...changed.values()]}::text[])
      on conflict (owner_id) do update set main_avatar_id = excluded.main_avatar_id, updated_at = now()`.execute(trx);
  },

  async reset(trx: Transaction<Schema>) {
    await trx.deleteFrom('owner_profiles').execute();
  },
};
