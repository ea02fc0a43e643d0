import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { avatarCreated, photosAdded } from '@avatar/machine/testing';
import { dispatch, rebuildProjections, replayAll, replayStream, findAvatar, photosOf, RebuildInProgressError } from '../src/index.js';
import { readyAvatar, storeSuites, user } from './helpers.js';

storeSuites('replay and rebuild', (test, backend) => {
  test('replay prints a timeline with status before → after and the actor', async ({ store }) => {
    const id = await readyAvatar(store);
    const replay = await replayStream(store, id);
    assert.is(replay.finalStatus, 'ready');
    assert.equal(replay.anomalies, []);
    assert.equal(replay.timeline.map((t) => `${t.before ?? '∅'}→${t.after}`).slice(0, 2), ['∅→draft', 'draft→uploading']);
    assert.is(replay.timeline.at(-1)?.after, 'ready');
    assert.is(replay.timeline[0]?.actor, 'user 1001');
  });

  test('time travel: the state at a version or a moment', async ({ store }) => {
    const id = await readyAvatar(store);
    assert.is((await replayStream(store, id, { toVersion: 5 })).finalStatus, 'uploading');
    assert.is((await replayStream(store, id, { toVersion: 1 })).finalStatus, 'draft');
    assert.is((await replayStream(store, id, { until: new Date(0) })).finalStatus, null);
  });

  test('projection drift is reported field by field, and rebuild repairs it', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await dispatch(store, id, created, { actor: user });
    for (const photo of photosAdded(12)) await dispatch(store, id, photo, { actor: user });
    await sql`update avatars set status = 'training', photo_count = 3 where avatar_id = ${id}`.execute(store.db);
    await sql`delete from avatar_photos where avatar_id = ${id} and photo_id = 'photo-1'`.execute(store.db);
    const replay = await replayStream(store, id);
    const reasons = replay.anomalies.map((a) => `${a.kind}: ${a.reason}`);
    assert.ok(reasons.some((r) => /projection_drift: status: the read model says "training", the log says "ready"/.test(r)), reasons.join('\n'));
    assert.ok(reasons.some((r) => /photo_count/.test(r)));
    assert.ok(reasons.some((r) => /photos: the read model has/.test(r)));

    const report = await rebuildProjections(store, { batchSize: 7 });
    assert.ok(report.streams >= 1 && report.events >= 13);
    assert.is((await findAvatar(store.db, id))?.status, 'ready');
    assert.is((await photosOf(store.db, id)).length, 12);
    assert.equal((await replayStream(store, id)).anomalies, []);
  });

  test('rebuild rewrites only the read-model rows the log disagrees with', async ({ store }) => {
    const right = await readyAvatar(store);
    const wrong = await readyAvatar(store);
    await sql`update avatars set name = 'not from the log' where avatar_id = ${wrong}`.execute(store.db);
    // xmin is the transaction that wrote a row version: it changes only when the row is rewritten.
    const writers = async () =>
      (
        await sql<{ id: string; xmin: string }>`select avatar_id || '/' || coalesce(photo_id, '-') as id, xmin::text as xmin from (
          select avatar_id, null as photo_id, xmin from avatars union all select avatar_id, photo_id, xmin from avatar_photos) r
          where avatar_id in (${right}, ${wrong}) order by 1`.execute(store.db)
      ).rows;
    const before = await writers();
    await rebuildProjections(store);
    const after = await writers();
    const rewritten = after.filter((row, i) => row.xmin !== before[i]!.xmin).map((row) => row.id);
    assert.equal(rewritten, [`${wrong}/-`]);
    assert.is((await findAvatar(store.db, wrong))?.name, (await findAvatar(store.db, right))?.name);
  });

  test('replay --all pages through every stream and finds each anomaly', async ({ store }) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = avatarCreated();
      ids.push(created.avatarId);
      await dispatch(store, created.avatarId, created, { actor: user });
      for (const photo of photosAdded(3)) await dispatch(store, created.avatarId, photo, { actor: user });
    }
    await sql`update avatars set name = 'tampered' where avatar_id = ${ids[2]!}`.execute(store.db);
    const replayed = async (foldWorkers: number) => {
      const seen = new Map<string, number>();
      for await (const replay of replayAll(store, { pageSize: 2, foldWorkers })) {
        seen.set(replay.streamId, replay.anomalies.length);
        if (ids.includes(replay.streamId)) assert.is(replay.version, 4);
      }
      return seen;
    };
    const seen = await replayed(3);
    for (const id of ids) assert.is(seen.get(id), id === ids[2] ? 1 : 0, id);
    // Pages folded by three workers at once still come out in stream order, like one worker's.
    const streamOrder = await sql<{ stream_id: string }>`select stream_id from streams order by stream_id`.execute(store.db);
    assert.equal([...seen.keys()], streamOrder.rows.map((row) => row.stream_id));
    assert.equal([...seen], [...(await replayed(1))]);
  });

  if (backend === 'postgres') {
    test('rebuild runs online: dispatches during it are neither lost nor overwritten by it', async ({ store }) => {
      const ids = await Promise.all(Array.from({ length: 24 }, () => readyAvatar(store)));
      const renames = 6;
      // Avatars created while the rebuild runs land inside batches' key ranges (ids are random):
      // a batch must leave their rows to their own appends.
      const createdDuring: string[] = [];
      const [report] = await Promise.all([
        rebuildProjections(store, { batchSize: 4 }),
        Promise.all(
          ids.map(async (id) => {
            for (let n = 1; n <= renames; n++) {
              const renamed = await dispatch(store, id, { type: 'AvatarRenamed', name: `name ${n}` }, { actor: user });
              assert.is(renamed.outcome, 'accepted');
              const created = avatarCreated();
              createdDuring.push(created.avatarId);
              assert.is((await dispatch(store, created.avatarId, created, { actor: user })).outcome, 'accepted');
              assert.is((await dispatch(store, created.avatarId, { type: 'AvatarRenamed', name: 'new' }, { actor: user })).outcome, 'accepted');
            }
          }),
        ),
      ]);
      assert.ok(report.streams >= ids.length);
      for (const id of ids) {
        const view = await findAvatar(store.db, id);
        assert.equal([view?.name, view?.version], [`name ${renames}`, 11 + renames], id);
      }
      for (const id of createdDuring) {
        const view = await findAvatar(store.db, id);
        assert.equal([view?.name, view?.version], ['new', 2], id);
      }
      const anomalies: string[] = [];
      for await (const replay of replayAll(store)) anomalies.push(...replay.anomalies.map((a) => `${replay.streamId}: ${a.reason}`));
      assert.equal(anomalies, []);
    });

    test('replaying one avatar while it is being renamed never reports drift the log does not have', async ({ store }) => {
      const id = await readyAvatar(store);
      let renaming = true;
      const renamer = (async () => {
        for (let n = 1; renaming; n++) {
          assert.is((await dispatch(store, id, { type: 'AvatarRenamed', name: `name ${n}` }, { actor: user })).outcome, 'accepted');
        }
      })();
      const drift: string[] = [];
      try {
        for (let n = 0; n < 150; n++) {
          const replay = await replayStream(store, id);
          drift.push(...replay.anomalies.map((a) => `v${a.version}: ${a.reason}`));
        }
      } finally {
        renaming = false;
        await renamer;
      }
      assert.equal(drift, []);
    });

    test('only one rebuild runs at a time', async ({ store }) => {
      // Another rebuild (here: its lock, taken by hand on another connection) is running.
      await store.db.connection().execute(async (other) => {
        await sql`select pg_advisory_lock(hashtext('avatar-service:rebuild-projections'))`.execute(other);
        try {
          await rebuildProjections(store);
          assert.unreachable('a second rebuild ran');
        } catch (error) {
          assert.instance(error, RebuildInProgressError);
        } finally {
          await sql`select pg_advisory_unlock(hashtext('avatar-service:rebuild-projections'))`.execute(other);
        }
      });
      assert.ok((await rebuildProjections(store)).streams >= 0);
    });
  }
});
