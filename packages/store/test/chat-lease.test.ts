import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { releaseChatLease, takeChatLease } from '../src/index.js';
import { storeSuites } from './helpers.js';

storeSuites('chat leases', (test, backend) => {
  test('one holder at a time; released, it can be taken again; only its holder releases it', async ({ store }) => {
    assert.ok(await takeChatLease(store.db, 'drawing:a', 'first', 30_000));
    assert.not.ok(await takeChatLease(store.db, 'drawing:a', 'second', 30_000));
    assert.ok(await takeChatLease(store.db, 'drawing:b', 'second', 30_000), 'another key is another lease');
    await releaseChatLease(store.db, 'drawing:a', 'second');
    assert.not.ok(await takeChatLease(store.db, 'drawing:a', 'second', 30_000), 'a non-holder cannot release it');
    await releaseChatLease(store.db, 'drawing:a', 'first');
    assert.ok(await takeChatLease(store.db, 'drawing:a', 'second', 30_000));
  });

  test('a lease whose holder died expires and is taken over', async ({ store }) => {
    assert.ok(await takeChatLease(store.db, 'drawing:c', 'died', 30_000));
    await sql`update chat_sessions set updated_at = now() - interval '31 seconds' where chat_key = 'drawing:c'`.execute(store.db);
    assert.ok(await takeChatLease(store.db, 'drawing:c', 'next', 30_000));
    assert.not.ok(await takeChatLease(store.db, 'drawing:c', 'died', 30_000));
  });

  if (backend === 'postgres') {
    test('twenty instances asking at once: exactly one holds it', async ({ store }) => {
      const taken = await Promise.all(Array.from({ length: 20 }, (_, n) => takeChatLease(store.db, 'drawing:d', `holder ${n}`, 30_000)));
      assert.is(taken.filter(Boolean).length, 1);
    });
  }
});
