import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('streams')
    .addColumn('stream_id', 'text', (c) => c.primaryKey())
    .addColumn('stream_type', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('state', 'json')
    .addColumn('machine_version', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('global_position', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('transaction_id', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    // No foreign key to streams: every insert selects its stream row in the same statement (see
    // append-statement.ts), and the per-row RI trigger would cost each append a lock and a lookup.
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    // json, not jsonb: the log is written and read whole, never queried inside; json keeps the
    // text as written and is ~2.5x cheaper for Postgres to output, which bounds replay speed.
    .addColumn('data', 'json', (c) => c.notNull())
    .addColumn('metadata', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The stream's own order is the key. The global position is unique by construction and only
    // ever read through the commit-order index below, so it needs no index of its own.
    .addPrimaryKeyConstraint('events_pkey', ['stream_id', 'version'])
    .execute();

  // Async consumers read committed events in (transaction_id, global_position) order; without
  // exactly this index their poll scans the log.
  await db.schema.createIndex('events_commit_order').on('events').columns(['transaction_id', 'global_position']).execute();

  // The log is append-only in the database itself, whatever the client: corrections are new events.
  await sql`
    create function events_are_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the event log is append-only: % on events is not allowed', tg_op
        using errcode = 'restrict_violation';
    end
    $$`.execute(db);
  await sql`
    create trigger events_no_update_or_delete before update or delete on events
    for each row execute function events_are_append_only()`.execute(db);
  await sql`
    create trigger events_no_truncate before truncate on events
    for each statement execute function events_are_append_only()`.execute(db);
}
