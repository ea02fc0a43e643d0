import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DatabaseUnavailableError } from './database-errors.js';
import { GroupCommit, groupedStatements, type GroupCommitOptions } from './group-commit.js';
import { autoPreparingPool } from './pg-pool.js';
import { PGliteDialect } from './pglite-dialect.js';
import { StreamCache } from './stream-cache.js';
import type { Schema } from './schema.js';

export type DatabaseConfig = (
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number }
  | { kind: 'pglite'; dataDir: string | null; schema?: string; instance?: PGlite }
) & {
  /** Streams whose state dispatch keeps in memory; 0 turns the cache off. */
  streamCacheSize?: number;
  /** How dispatch groups concurrent appends (see GroupCommit); `statements: Infinity` never groups. */
  groupCommit?: Partial<GroupCommitOptions>;
};

/** An open database: the Kysely handle every store function takes, and its lifecycle. */
export interface Store {
  readonly db: Kysely<Schema>;
  readonly backend: 'postgres' | 'pglite';
  /** Where it is, for logs and error messages (no credentials). */
  readonly description: string;
  /** In-process wake-ups ("outbox:fal" …) so local workers need not wait for their next poll. */
  readonly signals: EventEmitter;
  /** Recently written stream states: dispatch's shortcut past the load (see StreamCache). */
  readonly streamCache: StreamCache;
  /** Dispatch's appends, grouped into shared statements when many run at once. */
  readonly groupCommit: GroupCommit;
  close(): Promise<void>;
}

const INT8 = 20;

/**
 * `DATABASE_URL` selects a Postgres server; without it the embedded PGlite database lives in
 * `PGLITE_DATA_DIR` (default ./data/pglite). `DATABASE_SCHEMA` confines either to one schema.
 * PGlite is one process's database: fine for one instance and for development, not for several.
 */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  const schema = env.DATABASE_SCHEMA?.trim();
  const schemaOption = schema ? { schema } : {};
  if (url) return { kind: 'postgres', url, ...schemaOption };
  return { kind: 'pglite', dataDir: env.PGLITE_DATA_DIR?.trim() || './data/pglite', ...schemaOption };
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === 'pglite') return `pglite ${config.dataDir ?? '(in memory)'}${config.schema ? ` schema ${config.schema}` : ''}`;
  try {
    const url = new URL(config.url);
    return `postgres ${url.hostname}:${url.port || 5432}${url.pathname}${config.schema ? ` schema ${config.schema}` : ''}`;
  } catch {
    return 'postgres (unparseable DATABASE_URL)';
  }
}

export async function openStore(config: DatabaseConfig): Promise<Store> {
  const description = describeDatabase(config);
  if (config.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/i.test(config.schema)) {
    throw new RangeError(`DATABASE_SCHEMA must be a plain identifier (letters, digits, _), got "${config.schema}"`);
  }
  const signals = new EventEmitter();
  signals.setMaxListeners(100);
  const streamCache = new StreamCache(config.streamCacheSize ?? 10_000);

  if (config.kind === 'pglite') {
    const owned = config.instance === undefined;
    let pglite: PGlite;
    try {
      pglite =
        config.instance ??
        // Loaded only when used: a process on a Postgres server never carries the embedded one.
        (await (await import('@electric-sql/pglite')).PGlite.create({
          ...(config.dataDir ? { dataDir: config.dataDir } : {}),
          parsers: { [INT8]: (value: string) => Number(value) },
        }));
    } catch (error) {
      throw new DatabaseUnavailableError(description, error);
    }
    if (config.schema) await pglite.exec(`create schema if not exists "${config.schema}"`);
    const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite, config.schema ?? null) });
    return {
      db,
      backend: 'pglite',
      description,
      signals,
      streamCache,
      groupCommit: new GroupCommit(db, groupCommitOptions(config)),
      async close() {
        await db.destroy();
        if (owned) await pglite.close();
      },
    };
  }

  const options = [
    // A transaction left open pauses every async consumer (they read below the oldest xmin).
    '-c idle_in_transaction_session_timeout=60000',
    // The append statement is up to a dozen CTEs; its prepared generic plan (key lookups from
    // small record sets) is as good as a custom one, so plan it once.
    '-c plan_cache_mode=force_generic_plan',
    // A generic plan's row estimates are guesses, and a high guess makes Postgres JIT-compile the
    // statement on every execution (replay's page statement spent 240 ms of its 350 ms on it).
    // This service's statements are short: interpreting them is always cheaper.
    '-c jit=off',
    ...(config.schema ? [`-c search_path=${config.schema}`] : []),
  ].join(' ');
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    options,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      if (config.schema) await client.query(`create schema if not exists "${config.schema}"`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new DatabaseUnavailableError(description, error);
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: autoPreparingPool(pool) }) });
  return {
    db,
    backend: 'postgres',
    description,
    signals,
    streamCache,
    groupCommit: new GroupCommit(db, groupCommitOptions(config)),
    close: () => db.destroy(),
  };
}

function groupCommitOptions(config: DatabaseConfig): GroupCommitOptions {
  return { statements: groupedStatements[config.kind], streamsPerStatement: 32, ...config.groupCommit };
}
