import * as assert from 'uvu/assert';
import { avatarCreated, photoAdded } from '@avatar/machine/testing';
import { GroupCommit } from '../src/group-commit.js';
import { DuplicateEventError, WrongExpectedVersionError, dispatch, findAvatar, photosOf, readStream, replayStream, type Store } from '../src/index.js';
import { change, createdAvatars, rename, storeSuites, user, writeAsGroup } from './helpers.js';

async function transactionOf(store: Store, id: string, version: number): Promise<string> {
  const event = (await readStream(store.db, id, { toVersion: version })).at(-1)!;
  assert.is(event.version, version);
  return event.transactionId;
}

storeSuites('group commit', (test) => {
  test('concurrent dispatches on distinct avatars share commits, and each keeps its own log and read model', async ({ store }) => {
    const ids = await createdAvatars(store, 16);
    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(ids.map((id, i) => dispatch(store, id, photoAdded(round + i * 10), { actor: user })));
      assert.ok(results.every((r) => r.outcome === 'accepted' && r.version === round + 1), JSON.stringify(results));
    }
    const transactions = new Set<string>();
    for (const id of ids) {
      const events = await readStream(store.db, id);
      assert.equal(events.map((e) => e.version), [1, 2, 3, 4]);
      for (const event of events.slice(1)) transactions.add(event.transactionId);
      assert.is((await findAvatar(store.db, id))?.photoCount, 3);
      assert.is((await photosOf(store.db, id)).length, 3);
      assert.equal((await replayStream(store, id)).anomalies, []);
    }
    // 48 appends; when ungrouped every one is its own transaction.
    assert.ok(transactions.size < 48 / 2, `${transactions.size} transactions for 48 appends`);
  });

  test('callers a finished statement releases go out together with their next writes, not the first of them alone', async ({ store }) => {
    // One statement at a time, so every round's writes are released, and come back, together.
    const oneAtATime = { ...store, groupCommit: new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 }) };
    const ids = await createdAvatars(store, 16);
    // Each avatar's owner adds three photos in a row; the 16 owners at once.
    await Promise.all(
      ids.map(async (id, i) => {
        for (let n = 1; n <= 3; n++) {
          const result = await dispatch(oneAtATime, id, photoAdded(n + i * 10), { actor: user });
          assert.is(result.outcome, 'accepted');
        }
      }),
    );
    const transactions = new Set<string>();
    for (const id of ids) for (const event of (await readStream(store.db, id)).slice(1)) transactions.add(event.transactionId);
    // When the first caller back started a statement alone, the other 15 waited for it: two
    // statements a round.
    assert.is(transactions.size, 3, `${transactions.size} transactions for 3 rounds of 16 writes`);
  });

  test('writes issued together are shared evenly between the statement slots, so both run at once', async ({ store }) => {
    const twoAtATime = { ...store, groupCommit: new GroupCommit(store.db, { statements: 2, streamsPerStatement: 32 }) };
    const ids = await createdAvatars(store, 16);
    const results = await Promise.all(ids.map((id, i) => dispatch(twoAtATime, id, photoAdded(1 + i * 10), { actor: user })));
    assert.ok(results.every((r) => r.outcome === 'accepted'), JSON.stringify(results));
    const streamsByCommit = new Map<string, number>();
    for (const id of ids) {
      const commit = await transactionOf(store, id, 2);
      streamsByCommit.set(commit, (streamsByCommit.get(commit) ?? 0) + 1);
    }
    assert.equal([...streamsByCommit.values()], [8, 8]);
  });

  test('one statement writes changes of every kind, each to its own stream, with its events in version order', async ({ store }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const [withPhoto, renamed] = await createdAvatars(store, 2);
    await dispatch(store, withPhoto!, photoAdded(1), { actor: user });
    const created = avatarCreated();
    const writes = [
      // A new stream, so its avatar row is the first.
      await change(store, group, created.avatarId, [created, photoAdded(5), photoAdded(6)]),
      // A photo out and another in, in one change.
      await change(store, group, withPhoto!, [{ type: 'PhotoRemoved', photoId: photoAdded(1).photoId }, photoAdded(2)]),
      await rename(store, group, renamed!, 'renamed'),
    ];
    const outcomes = await writeAsGroup(writes.map(({ write }) => write));
    assert.equal(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled']);

    const newStream = await readStream(store.db, created.avatarId);
    assert.equal(newStream.map((e) => [e.version, e.type]), [[1, 'AvatarCreated'], [2, 'PhotoAdded'], [3, 'PhotoAdded']]);
    const changed = await readStream(store.db, withPhoto!);
    assert.equal(changed.map((e) => [e.version, e.type]), [[1, 'AvatarCreated'], [2, 'PhotoAdded'], [3, 'PhotoRemoved'], [4, 'PhotoAdded']]);
    for (const events of [newStream, changed]) {
      const positions = events.map((e) => e.globalPosition);
      assert.equal(positions, [...positions].sort((a, b) => a - b), 'a consumer reading by position sees each stream in version order');
    }
    assert.is(await transactionOf(store, created.avatarId, 3), await transactionOf(store, withPhoto!, 4), 'one commit');
    assert.is(await transactionOf(store, renamed!, 2), await transactionOf(store, withPhoto!, 4), 'one commit');

    assert.equal((await photosOf(store.db, created.avatarId)).map((p) => p.photo_id), [photoAdded(5).photoId, photoAdded(6).photoId]);
    assert.equal((await photosOf(store.db, withPhoto!)).map((p) => p.photo_id), [photoAdded(2).photoId]);
    assert.is((await findAvatar(store.db, created.avatarId))?.photoCount, 2);
    assert.is((await findAvatar(store.db, renamed!))?.name, 'renamed');
    for (const id of [created.avatarId, withPhoto!, renamed!]) assert.equal((await replayStream(store, id)).anomalies, [], id);
  });

  test('a write whose expected version is stale fails alone; the rest of its group lands', async ({ store }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const [first, b, stale, d] = await createdAvatars(store, 4);
    const writes = [
      await rename(store, group, first!, 'first'),
      await rename(store, group, b!, 'b'),
      await rename(store, group, stale!, 'stale', { expected: 0 }),
      await rename(store, group, d!, 'd'),
    ];
    const outcomes = await writeAsGroup(writes.map(({ write }) => write));
    assert.equal(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const refused = (outcomes[2] as PromiseRejectedResult).reason;
    assert.instance(refused, WrongExpectedVersionError);
    assert.is((refused as WrongExpectedVersionError).actual, 1);
    assert.is((await readStream(store.db, stale!)).length, 1);
    assert.is((await findAvatar(store.db, d!))?.name, 'd');
    const commit = await transactionOf(store, first!, 2);
    assert.is(await transactionOf(store, b!, 2), commit, 'first and b were one commit');
    assert.is(await transactionOf(store, d!, 2), commit, 'first and d were one commit');
  });

  test('a duplicate event id inside a group is refused once and the others are written alone', async ({ store }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const [first, b, c, d] = await createdAvatars(store, 4);
    const eventId = crypto.randomUUID();
    const writes = [
      await rename(store, group, first!, 'first'),
      await rename(store, group, b!, 'b', { eventId }),
      await rename(store, group, c!, 'c', { eventId }),
      await rename(store, group, d!, 'd'),
    ];
    const outcomes = await writeAsGroup(writes.map(({ write }) => write));
    assert.is(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.is(refused.length, 1);
    assert.instance(refused[0]!.reason, DuplicateEventError);
    const withId = await store.db.selectFrom('events').select('stream_id').where('event_id', '=', eventId).execute();
    assert.is(withId.length, 1);
    assert.is((await findAvatar(store.db, d!))?.name, 'd');
    assert.is((await findAvatar(store.db, d!))?.version, 2);
  });

  test('two writes for one stream never share a statement: the second waits and is checked on its own', async ({ store }) => {
    const group = new GroupCommit(store.db, { statements: 1, streamsPerStatement: 32 });
    const [first, twice] = await createdAvatars(store, 2);
    const writes = [
      await rename(store, group, first!, 'first'),
      await rename(store, group, twice!, 'one'),
      await rename(store, group, twice!, 'two'),
    ];
    const outcomes = await writeAsGroup(writes.map(({ write }) => write));
    assert.equal(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.instance((outcomes[2] as PromiseRejectedResult).reason, WrongExpectedVersionError);
    const events = await readStream(store.db, twice!);
    assert.equal(events.map((e) => e.version), [1, 2]);
    assert.is(events[1]?.data.name, 'one');
  });
});
