import { Migrator, sql, type MigrationResult } from 'kysely';
import { sqlStateOf } from './database-errors.js';
import type { Store } from './database.js';
import { migrationProvider, migrations } from './migrations/index.js';

export class MigrationFailedError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/**
 * Kysely looks for its bookkeeping tables in every schema unless told which one; name the
 * connection's own, so databases holding several schemas (tests, staging) never mix them up.
 */
async function migrator(store: Store) {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  const schema = rows[0]?.schema;
  return new Migrator({ db: store.db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
}

/**
 * Kysely's Migrator finds its tables by reading every schema's tables, checking each schema by
 * name as it goes; a schema another session drops meanwhile fails that read with 3F000. Nothing
 * was migrated then, and reading again is safe. (Seen in CI, where test files drop their schemas
 * while others migrate theirs.)
 */
async function despiteDroppedSchemas<T>(read: () => Promise<T>, failed: (result: T) => unknown = () => null): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await read();
      if (attempt < 3 && isInvalidSchemaName(failed(result))) continue;
      return result;
    } catch (error) {
      if (attempt < 3 && isInvalidSchemaName(error)) continue;
      throw error;
    }
  }
}

/** SQLSTATE invalid_schema_name. */
const isInvalidSchemaName = (error: unknown) => sqlStateOf(error) === '3F000';

/** Applies pending migrations (Kysely's Migrator locks, so concurrent instances are safe). */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results } = await despiteDroppedSchemas(
    async () => (await migrator(store)).migrateToLatest(),
    // Kysely reports a failure before any migration ran without results.
    (outcome) => (outcome.results === undefined ? outcome.error : null),
  );
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

export async function migrationState(store: Store): Promise<MigrationState> {
  const infos = await despiteDroppedSchemas(async () => (await migrator(store)).getMigrations());
  return {
    applied: infos.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: infos.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

export const knownMigrations = Object.keys(migrations);
