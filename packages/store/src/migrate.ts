import { Migrator, sql, type MigrationResult } from 'kysely';
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

/** Applies pending migrations (Kysely's Migrator locks, so concurrent instances are safe). */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results } = await (await migrator(store)).migrateToLatest();
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
  const infos = await (await migrator(store)).getMigrations();
  return {
    applied: infos.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: infos.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

export const knownMigrations = Object.keys(migrations);
