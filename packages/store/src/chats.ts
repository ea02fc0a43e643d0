import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.js';

/** Conversation state by chat key; `undefined` when there is none. The caller validates its shape. */
export async function readChatSession(db: Kysely<Schema>, chatKey: string): Promise<unknown> {
  const row = await db.selectFrom('chat_sessions').select('value').where('chat_key', '=', chatKey).executeTakeFirst();
  return row?.value;
}

export async function writeChatSession(db: Kysely<Schema>, chatKey: string, value: unknown): Promise<void> {
  await db
    .insertInto('chat_sessions')
    .values({ chat_key: chatKey, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('chat_key').doUpdateSet({ value: JSON.stringify(value), updated_at: sql`now()` }))
    .execute();
}

export async function deleteChatSession(db: Kysely<Schema>, chatKey: string): Promise<void> {
  await db.deleteFrom('chat_sessions').where('chat_key', '=', chatKey).execute();
}

export async function markChatUnreachable(db: Kysely<Schema>, chatId: number, reason: string): Promise<void> {
  await db.insertInto('unreachable_chats').values({ chat_id: chatId, reason }).onConflict((oc) => oc.column('chat_id').doNothing()).execute();
}

/** A user who blocked the bot and wrote to it again is reachable again. */
export async function markChatReachable(db: Kysely<Schema>, chatId: number): Promise<void> {
  await db.deleteFrom('unreachable_chats').where('chat_id', '=', chatId).execute();
}

export async function isChatUnreachable(db: Kysely<Schema>, chatId: number): Promise<boolean> {
  const row = await db.selectFrom('unreachable_chats').select('chat_id').where('chat_id', '=', chatId).executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes the lease `chatKey` for `holder` unless another holder's has not expired yet; true when
 * taken. A holder that dies leaves a lease that expires after `ttlMs`, never one that blocks.
 */
export async function takeChatLease(db: Kysely<Schema>, chatKey: string, holder: string, ttlMs: number): Promise<boolean> {
  const value = JSON.stringify({ holder });
  const taken = await db
    .insertInto('chat_sessions')
    .values({ chat_key: chatKey, value })
    .onConflict((oc) =>
      oc
        .column('chat_key')
        .doUpdateSet({ value, updated_at: sql`now()` })
        .where('chat_sessions.updated_at', '<', sql<Date>`now() - make_interval(secs => ${ttlMs / 1000})`),
    )
    .returning('chat_key')
    .executeTakeFirst();
  return taken !== undefined;
}

export async function releaseChatLease(db: Kysely<Schema>, chatKey: string, holder: string): Promise<void> {
  await db.deleteFrom('chat_sessions').where('chat_key', '=', chatKey).where(sql<string>`value->>'holder'`, '=', holder).execute();
}
