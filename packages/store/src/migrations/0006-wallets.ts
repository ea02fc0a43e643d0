import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Each user's credits as the wallet stream folds them: the inline projection of the wallet.
  await db.schema
    .createTable('wallets')
    .addColumn('wallet_id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'bigint', (c) => c.notNull().unique())
    .addColumn('balance', 'integer', (c) => c.notNull().check(sql`balance >= 0`))
    .addColumn('reserved', 'integer', (c) => c.notNull().check(sql`reserved >= 0`))
    .addColumn('open_reservations', 'integer', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('wallets_reserved_within_balance', sql`reserved <= balance`)
    .execute();

  // A change that spans streams (a training and the credits it reserves) is one statement; when
  // one of its streams fails its version check, this ends the statement so none of it is written.
  await sql`
    create function linked_append_refused(stream_id text) returns boolean language plpgsql as $$
    begin
      raise exception 'a linked append was refused: stream % failed its check', stream_id
        using errcode = 'AP001', detail = stream_id;
    end
    $$`.execute(db);
}
