import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('avatars')
    .addColumn('avatar_id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('chat_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.notNull())
    .addColumn('trainer', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('training_stage', 'text')
    .addColumn('photo_count', 'integer', (c) => c.notNull())
    .addColumn('can_generate', 'boolean', (c) => c.notNull())
    .addColumn('accepts_photos', 'boolean', (c) => c.notNull())
    .addColumn('is_deleted', 'boolean', (c) => c.notNull())
    .addColumn('trigger_phrase', 'text')
    .addColumn('current_attempt_id', 'text')
    .addColumn('fal_request_id', 'text')
    .addColumn('lora_url', 'text')
    .addColumn('config_url', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('avatars_by_owner').on('avatars').columns(['owner_id', 'created_at']).execute();

  await db.schema
    .createTable('avatar_photos')
    .addColumn('avatar_id', 'text', (c) => c.notNull())
    .addColumn('photo_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('telegram_file_id', 'text', (c) => c.notNull())
    .addColumn('file_unique_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('avatar_photos_pk', ['avatar_id', 'photo_id'])
    .execute();

  await db.schema
    .createTable('generations')
    .addColumn('generation_id', 'text', (c) => c.primaryKey())
    .addColumn('avatar_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'bigint', (c) => c.notNull())
    .addColumn('chat_id', 'bigint', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('aspect_ratio', 'text', (c) => c.notNull())
    .addColumn('num_images', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fal_request_id', 'text')
    .addColumn('images', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('seed', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('generations_by_avatar').on('generations').columns(['avatar_id', 'created_at']).execute();

  await db.schema
    .createTable('fal_requests')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('attempt_id', 'text')
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('next_poll_at', 'timestamptz', (c) => c.notNull())
    .addColumn('polls', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // An ending event resolves the stream's open requests; rebuild replaces a stream's requests.
  await db.schema.createIndex('fal_requests_by_stream').on('fal_requests').column('stream_id').execute();
  // The reconciler's queue: unresolved requests whose poll is due.
  await db.schema
    .createIndex('fal_requests_due')
    .on('fal_requests')
    .column('next_poll_at')
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();
}
