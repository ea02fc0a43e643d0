import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { abandonEffect, claimEffects, completeEffect, retryEffect, type Store } from '../src/index.js';
import { storeSuites, trainingAvatar } from './helpers.js';

async function requestTrainings(store: Store, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await trainingAvatar(store, `a${i}`);
}

storeSuites('outbox', (test) => {
  test('concurrent workers claim disjoint effects; a dead worker\'s lease runs out', async ({ store }) => {
    await requestTrainings(store, 6);
    const [a, b] = await Promise.all([
      claimEffects(store.db, 'fal', { limit: 4, leaseMs: 60_000 }),
      claimEffects(store.db, 'fal', { limit: 4, leaseMs: 60_000 }),
    ]);
    const ids = [...a, ...b].map((e) => e.id);
    assert.is(new Set(ids).size, ids.length, 'an effect was claimed twice');
    assert.is(ids.length, 6);
    assert.ok([...a, ...b].every((e) => e.effect.kind === 'SubmitTraining' && e.attempts === 1));
    assert.equal(await claimEffects(store.db, 'fal', { limit: 10, leaseMs: 60_000 }), []);
    assert.equal(await claimEffects(store.db, 'telegram', { limit: 10, leaseMs: 60_000 }), []);

    // The worker holding `a` dies: its lease ends and the effects come back, counted.
    await sql`update outbox set available_at = now() - interval '1 second' where id in (${sql.join(a.map((e) => e.id))})`.execute(store.db);
    const reclaimed = await claimEffects(store.db, 'fal', { limit: 10, leaseMs: 60_000 });
    assert.equal(reclaimed.map((e) => e.id).sort(), a.map((e) => e.id).sort());
    assert.ok(reclaimed.every((e) => e.attempts === 2));
  });

  test('complete, retry later, and give up', async ({ store }) => {
    await requestTrainings(store, 3);
    const [done, later, dead] = await claimEffects(store.db, 'fal', { limit: 3, leaseMs: 60_000 });
    await completeEffect(store.db, done!.id);
    await retryEffect(store.db, later!.id, { delayMs: 0, error: 'fal answered 503' });
    await abandonEffect(store.db, dead!.id, 'fal answered 422');
    const again = await claimEffects(store.db, 'fal', { limit: 10, leaseMs: 60_000 });
    assert.equal(again.map((e) => e.id), [later!.id]);
    const rows = await store.db.selectFrom('outbox').select(['id', 'state', 'last_error']).orderBy('id').execute();
    assert.equal(rows.find((r) => r.id === dead!.id), { id: dead!.id, state: 'dead', last_error: 'fal answered 422' });
    assert.is(rows.find((r) => r.id === done!.id)?.state, 'done');
  });
});
