import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * PGlite is one Postgres session in this process. Every Kysely instance over the same PGlite
 * (one per schema in tests) shares its lock, so a transaction owns the session until it ends,
 * and switches `search_path` only when the schema differs from the last user's.
 */
interface Session {
  queue: Promise<void>;
  searchPath: string | null;
}
const sessions = new WeakMap<PGlite, Session>();

function sessionOf(pglite: PGlite): Session {
  let session = sessions.get(pglite);
  if (!session) {
    session = { queue: Promise.resolve(), searchPath: null };
    sessions.set(pglite, session);
  }
  return session;
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, query.parameters as unknown[]);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite; page with keyset queries instead');
  }
}

class PGliteDriver implements Driver {
  private readonly release = new WeakMap<DatabaseConnection, () => void>();

  constructor(
    private readonly pglite: PGlite,
    private readonly schema: string | null,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const session = sessionOf(this.pglite);
    const previous = session.queue;
    let unlock!: () => void;
    session.queue = new Promise<void>((resolve) => (unlock = resolve));
    await previous;
    const connection = new PGliteConnection(this.pglite);
    this.release.set(connection, unlock);
    if (this.schema !== null && session.searchPath !== this.schema) {
      await this.pglite.exec(`SET search_path TO "${this.schema}"`);
      session.searchPath = this.schema;
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.release.get(connection)?.();
    this.release.delete(connection);
  }

  async destroy(): Promise<void> {}
}

/** A Kysely dialect over an embedded PGlite database, optionally confined to one schema. */
export class PGliteDialect implements Dialect {
  constructor(
    private readonly pglite: PGlite,
    private readonly schema: string | null = null,
  ) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.schema);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
