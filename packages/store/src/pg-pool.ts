import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** How many statements one connection keeps prepared; beyond that, queries run unprepared. */
const maxPreparedPerConnection = 200;

const prepared = new WeakMap<pg.PoolClient, Set<string>>();

/** Statement names by text: the hot statements' texts recur, and a map lookup is cheaper than a hash. */
const names = new Map<string, string>();
const maxNames = 1000;

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `k${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    if (names.size >= maxNames) names.clear();
    names.set(text, name);
  }
  return name;
}

/**
 * Runs Kysely's parameterized queries as named prepared statements on each connection, so
 * Postgres parses and plans the hot statements (load, append) once per connection instead of on
 * every call, as postgres.js and Npgsql do by default. Statements without parameters (DDL,
 * BEGIN/COMMIT) stay unprepared, so migrations never leave a stale plan behind.
 */
export function autoPreparingPool(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let known = prepared.get(client);
      if (!known) {
        known = new Set();
        prepared.set(client, known);
        // pg-pool listens for a client's errors only while it is idle. A connection dropped
        // mid-query emits 'error' as well as failing the query; unheard, that would end the
        // process. The query's caller gets the same error, and pg-pool discards the client.
        client.on('error', () => {});
      }
      return {
        query: ((text: string | object, values?: readonly unknown[]) => {
          if (typeof text !== 'string' || !values || values.length === 0) return client.query(text as string, values as unknown[]);
          const name = statementName(text);
          if (!known.has(name)) {
            if (known.size >= maxPreparedPerConnection) return client.query(text, values as unknown[]);
            known.add(name);
          }
          return client.query({ name, text, values: values as unknown[] });
        }) as unknown as PostgresPoolClient["query"],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}
