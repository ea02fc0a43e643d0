import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { FalJwksCache } from '@avatar/fal';
import { migrateToLatest, openStore, type Store } from '@avatar/store';
import { testBackends } from '@avatar/store/testing';
import { startApp } from './support.js';

/** A database nobody migrated: an empty in-memory PGlite, or a fresh schema on the Postgres server. */
async function unmigratedStore(backend: 'pglite' | 'postgres'): Promise<{ store: Store; drop(): Promise<void> }> {
  if (backend === 'pglite') return { store: await openStore({ kind: 'pglite', dataDir: null }), drop: async () => {} };
  const url = process.env.TEST_DATABASE_URL ?? '';
  const schema = `unmigrated_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  return {
    store: await openStore({ kind: 'postgres', url, schema, poolSize: 2 }),
    drop: async () => {
      const admin = await openStore({ kind: 'postgres', url, poolSize: 1 });
      await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await admin.close();
    },
  };
}

async function get(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

for (const backend of testBackends()) {
  const test = suite(`health checks [${backend.name}]`);

  test('/readyz is 503 until the schema is migrated, 200 then, and 503 once the database is gone; /healthz is 200 throughout', async () => {
    const { store, drop } = await unmigratedStore(backend.name);
    const { app, url } = await startApp(store, new FalJwksCache({ url: 'http://127.0.0.1:9/jwks.json' }));
    try {
      assert.equal(await get(`${url}/healthz`), { status: 200, json: { status: 'ok' } });
      const pending = await get(`${url}/readyz`);
      assert.is(pending.status, 503);
      assert.match(String(pending.json.reason), /^migrations pending: 0001-event-log, /);

      await migrateToLatest(store);
      assert.equal(await get(`${url}/readyz`), { status: 200, json: { ready: true } });

      await store.close();
      const gone = await get(`${url}/readyz`);
      assert.is(gone.status, 503);
      assert.match(String(gone.json.reason), /^the database is unreachable/);
      assert.is((await get(`${url}/healthz`)).status, 200);
    } finally {
      await app.close();
      await drop();
    }
  });

  test('the inspector is served under /inspector only with INSPECTOR_TOKEN, and only to requests carrying it', async () => {
    const store = await backend.open();
    const jwks = new FalJwksCache({ url: 'http://127.0.0.1:9/jwks.json' });
    const off = await startApp(store, jwks);
    const token = 'inspector-token-for-tests-0123456789';
    const on = await startApp(store, jwks, { inspectorToken: token });
    try {
      assert.is((await fetch(`${off.url}/inspector/api/avatars`, { headers: { authorization: `Bearer ${token}` } })).status, 404);
      assert.is((await fetch(`${on.url}/inspector/api/avatars`)).status, 401);
      assert.is((await fetch(`${on.url}/inspector/api/avatars`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
      const allowed = await fetch(`${on.url}/inspector/api/avatars`, { headers: { authorization: `Bearer ${token}` } });
      assert.is(allowed.status, 200);
      const page = await fetch(`${on.url}/inspector/?token=${token}`);
      assert.is(page.status, 200);
      assert.match(await page.text(), /<html/i);
    } finally {
      await off.app.close();
      await on.app.close();
      await store.close();
    }
  });

  test.run();
}
