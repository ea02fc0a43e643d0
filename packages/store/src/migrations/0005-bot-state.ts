import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Conversation state between a question and its answer (e.g. "send me a name"), keyed by chat,
  // so the bot stays stateless and a restart or another instance picks the conversation up.
  await db.schema
    .createTable('chat_sessions')
    .addColumn('chat_key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Chats that blocked the bot: notifications to them stop instead of retrying forever.
  await db.schema
    .createTable('unreachable_chats')
    .addColumn('chat_id', 'bigint', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
