import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { catchUp, checkpointOf, logStart, type Projector } from './consumer.js';
import { DatabaseProxy } from './database-proxy.js';
import { openStore, type DatabaseConfig, type Store } from './database.js';
import { walletIdOf } from '@avatar/machine';
import { dispatch } from './dispatch.js';
import { migrateToLatest } from './migrate.js';
import { openWallet } from './wallets.js';

export { DatabaseProxy };

/**
 * Databases for tests: PGlite always, and the real Postgres server at TEST_DATABASE_URL when it
 * is set. Every `open()` gets its own schema, migrated, so tests never see each other's rows.
 */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  open(): Promise<TestStore>;
}

export interface TestStore extends Store {
  schema: string;
}

let sharedPglite: Promise<PGlite> | undefined;
let openPgliteStores = 0;
let pendingClose: NodeJS.Timeout | undefined;

/** One PGlite per test process (it takes seconds to start); schemas keep tests apart. */
function pglite(): Promise<PGlite> {
  clearTimeout(pendingClose);
  sharedPglite ??= PGlite.create({ parsers: { 20: (value: string) => Number(value) } });
  return sharedPglite;
}

/**
 * Closes the shared PGlite shortly after its last store closes (PGlite keeps the process alive),
 * unless the next suite opens a store first.
 */
function releasePglite() {
  openPgliteStores -= 1;
  if (openPgliteStores > 0) return;
  pendingClose = setTimeout(() => {
    const closing = sharedPglite;
    sharedPglite = undefined;
    void closing?.then((instance) => instance.close());
  }, 100);
  pendingClose.unref();
}

function newSchemaName(): string {
  return `test_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

async function openPglite(): Promise<TestStore> {
  const instance = await pglite();
  const schema = newSchemaName();
  await instance.exec(`create schema "${schema}"`);
  const store = await openStore({ kind: 'pglite', dataDir: null, instance, schema });
  openPgliteStores += 1;
  await migrateToLatest(store);
  return {
    ...store,
    schema,
    async close() {
      await store.close();
      releasePglite();
    },
  };
}

async function openPostgres(url: string): Promise<TestStore> {
  const schema = newSchemaName();
  const admin = await openStore({ kind: 'postgres', url, poolSize: 1 });
  await admin.db.schema.createSchema(schema).execute();
  await admin.close();
  const store = await openStore({ kind: 'postgres', url, schema, poolSize: 20 });
  await migrateToLatest(store);
  return {
    ...store,
    schema,
    async close() {
      await store.close();
      const cleanup = await openStore({ kind: 'postgres', url, poolSize: 1 });
      await cleanup.db.schema.dropSchema(schema).cascade().execute();
      await cleanup.close();
    },
  };
}

/** A store on `store`'s schema whose every connection goes through a `DatabaseProxy`, and that proxy. */
export interface ProxiedStore {
  store: Store;
  proxy: DatabaseProxy;
  close(): Promise<void>;
}

/**
 * Opens a second store on a Postgres test store's schema, reaching the server through a proxy the
 * test can take away and bring back (the first store stays direct, to check what landed).
 */
export async function openThroughProxy(
  store: TestStore,
  options: { poolSize?: number; groupCommit?: DatabaseConfig['groupCommit'] } = {},
): Promise<ProxiedStore> {
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (store.backend !== 'postgres' || !url) throw new Error('a proxy stands in front of the Postgres server at TEST_DATABASE_URL');
  const proxy = await DatabaseProxy.start(url);
  const proxied = await openStore({ kind: 'postgres', url: proxy.url, schema: store.schema, poolSize: 4, ...options });
  return {
    store: proxied,
    proxy,
    async close() {
      await proxied.close();
      await proxy.close();
    },
  };
}

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  const backends: TestBackend[] = [{ name: 'pglite', open: openPglite }];
  const url = env.TEST_DATABASE_URL?.trim();
  if (url) backends.push({ name: 'postgres', open: () => openPostgres(url) });
  return backends;
}

/**
 * Runs a projector until it has applied every event of its types in the log. A single catch-up
 * can stop short while any transaction in the cluster is open (consumers read below the oldest
 * one), and test files run side by side on one server, so tests wait for this instead.
 */
export async function projectorCaughtUp(store: Store, projector: Projector, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await catchUp(store, projector);
    const checkpoint = (await checkpointOf(store, projector.name)) ?? logStart;
    const behind = await store.db
      .selectFrom('events')
      .select('global_position')
      .where(sql<boolean>`(transaction_id, global_position) > (${checkpoint.transactionId}::xid8, ${checkpoint.globalPosition}::bigint)`)
      .where('type', '=', sql<string>`any(${projector.eventTypes}::text[])`)
      .limit(1)
      .executeTakeFirst();
    if (!behind) return;
    if (Date.now() > deadline) throw new Error(`${projector.name} did not catch up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens `ownerId`'s wallet with `credits` to spend, for tests about something other than money. */
export async function fundWallet(store: Store, ownerId: number, credits = 10_000): Promise<void> {
  await openWallet(store, ownerId, { welcomeCredits: 0 }, { actor: { kind: 'system', component: 'test' } });
  await dispatch(store, walletIdOf(ownerId), { type: 'CreditsGranted', grantId: `test-${crypto.randomUUID()}`, credits, reason: 'admin' }, {
    actor: { kind: 'system', component: 'test' },
  });
}
