import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { avatarCreated, photoAdded } from '@avatar/machine/testing';
import { append, dispatch, readStream, WrongExpectedVersionError } from '../src/index.js';
import { storeSuites, system, user } from './helpers.js';

async function conflictOf(promise: Promise<unknown>): Promise<WrongExpectedVersionError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return error;
    throw error;
  }
  throw new Error('expected a WrongExpectedVersionError');
}

storeSuites('event log', (test) => {
  test('append checks an exact version and reports the actual one on conflict', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await append(store, id, [created, photoAdded(1)], { expected: 'no_stream', actor: system });
    await append(store, id, [photoAdded(2)], { expected: 2, actor: system });
    const conflict = await conflictOf(append(store, id, [photoAdded(3)], { expected: 2, actor: system }));
    assert.is(conflict.actual, 3);
    assert.is(conflict.expected, 2);
    assert.match(conflict.message, /expected version 2, but it is at version 3/);
    assert.is((await readStream(store.db, id)).length, 3);
  });

  test('"no stream" and "stream exists" are checked, not ignored', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    const missing = await conflictOf(append(store, id, [photoAdded(1)], { expected: 'stream_exists', actor: system }));
    assert.is(missing.actual, null);
    assert.match(missing.message, /absent/);
    await append(store, id, [created], { expected: 'no_stream', actor: system });
    const exists = await conflictOf(append(store, id, [created], { expected: 'no_stream', actor: system }));
    assert.is(exists.actual, 1);
    await append(store, id, [photoAdded(1)], { expected: 'stream_exists', actor: system });
    await append(store, id, [photoAdded(2)], { expected: 'any', actor: system });
    assert.equal((await readStream(store.db, id)).map((e) => e.version), [1, 2, 3]);
  });

  test('the log is append-only in the database itself', async ({ store }) => {
    const created = avatarCreated();
    await dispatch(store, created.avatarId, created, { actor: user });
    for (const statement of [
      sql`update events set type = 'AvatarDeleted'`,
      sql`delete from events`,
      sql`truncate events`,
    ]) {
      try {
        await statement.execute(store.db);
        assert.unreachable(`${statement.compile(store.db).sql} succeeded`);
      } catch (error) {
        assert.match(String(error), /append-only/);
      }
    }
    assert.is((await readStream(store.db, created.avatarId)).length, 1);
  });

  test('a retried command with the same event id appends once', async ({ store }) => {
    const created = avatarCreated();
    const eventId = crypto.randomUUID();
    const first = await dispatch(store, created.avatarId, created, { actor: user, eventId });
    const again = await dispatch(store, created.avatarId, created, { actor: user, eventId });
    assert.is(first.outcome, 'accepted');
    assert.is(again.outcome, 'duplicate');
    assert.is((await readStream(store.db, created.avatarId)).length, 1);
  });

  test('time travel reads a stream up to a version or a moment', async ({ store }) => {
    const created = avatarCreated();
    await append(store, created.avatarId, [created, photoAdded(1), photoAdded(2)], { expected: 'no_stream', actor: system });
    assert.is((await readStream(store.db, created.avatarId, { toVersion: 2 })).length, 2);
    assert.is((await readStream(store.db, created.avatarId, { until: new Date(0) })).length, 0);
  });
});
