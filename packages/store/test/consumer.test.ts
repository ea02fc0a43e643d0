import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { avatarCreated, trainingCompleted, trainingSubmitted } from '@avatar/machine/testing';
import {
  append,
  catchUp,
  checkpointOf,
  dispatch,
  logStart,
  mainAvatarOf,
  ownerProfiles,
  readCommittedEvents,
  type Store,
} from '../src/index.js';
import { projectorCaughtUp } from '../src/testing.js';
import { storeSuites, system, trainingAvatar, user } from './helpers.js';

async function completedAvatar(store: Store, ownerId: number): Promise<string> {
  const id = await trainingAvatar(store, 'a1', avatarCreated({ ownerId, chatId: ownerId }));
  await dispatch(store, id, trainingSubmitted('a1', `req-${id}`), { actor: system });
  await dispatch(store, id, trainingCompleted('a1', `req-${id}`), { actor: system });
  return id;
}

storeSuites('async consumers', (test, backend) => {
  test('the main avatar: first completed, then chosen, then promoted when deleted', async ({ store }) => {
    const owner = 7001;
    const first = await completedAvatar(store, owner);
    const second = await completedAvatar(store, owner);
    await projectorCaughtUp(store, ownerProfiles);
    assert.is((await mainAvatarOf(store.db, owner))?.avatarId, first);
    await dispatch(store, second, { type: 'MainAvatarChosen' }, { actor: user });
    await projectorCaughtUp(store, ownerProfiles);
    const profile = await store.db.selectFrom('owner_profiles').selectAll().where('owner_id', '=', owner).executeTakeFirst();
    assert.is(profile?.main_avatar_id, second);
    await dispatch(store, second, { type: 'AvatarDeleted', reason: 'user' }, { actor: user });
    await projectorCaughtUp(store, ownerProfiles);
    assert.is((await mainAvatarOf(store.db, owner))?.avatarId, first);
    const checkpoint = await checkpointOf(store, ownerProfiles.name);
    assert.ok(checkpoint && checkpoint.globalPosition > 0);
  });

  test('catching up twice applies nothing twice', async ({ store }) => {
    await completedAvatar(store, 7002);
    await projectorCaughtUp(store, ownerProfiles);
    assert.is(await catchUp(store, ownerProfiles), 0);
  });

  if (backend === 'postgres') {
    // The sequence-gap trap: transaction A takes a global position, B takes a later one and
    // commits first. A consumer must not move past A while A is still running.
    test('an event that commits late is never skipped', async ({ store }) => {
      const early = avatarCreated();
      const late = avatarCreated();
      const start = (await readCommittedEvents(store.db, logStart, 100_000)).at(-1);
      const from = start ? { transactionId: start.transactionId, globalPosition: start.globalPosition } : logStart;
      let releaseEarly!: () => void;
      let earlyWritten!: () => void;
      const earlyHeld = new Promise<void>((resolve) => (releaseEarly = resolve));
      const earlyInserted = new Promise<void>((resolve) => (earlyWritten = resolve));
      const earlyDone = store.db.transaction().execute(async (trx) => {
        await sql`insert into streams (stream_id, stream_type, version) values (${early.avatarId}, 'avatar', 1)`.execute(trx);
        await sql`insert into events (stream_id, version, event_id, type, data, metadata)
          values (${early.avatarId}, 1, ${crypto.randomUUID()}, 'AvatarCreated', ${JSON.stringify(early)}::json, '{}'::json)`.execute(trx);
        earlyWritten();
        await earlyHeld;
      });
      await earlyInserted;
      await append(store, late.avatarId, [late], { expected: 'no_stream', actor: system });
      const whileRunning = await readCommittedEvents(store.db, from, 100);
      assert.not.ok(whileRunning.some((e) => e.streamId === late.avatarId), 'read past a running transaction');
      releaseEarly();
      await earlyDone;
      // Test files share this server, and their open transactions hold the readable horizon
      // back for a moment too: wait until `late` is readable, then check nothing came before it.
      let after = await readCommittedEvents(store.db, from, 100);
      for (const deadline = Date.now() + 20_000; !after.some((e) => e.streamId === late.avatarId); ) {
        assert.ok(Date.now() < deadline, 'the committed events never became readable');
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = await readCommittedEvents(store.db, from, 100);
      }
      const ours = after.map((e) => e.streamId).filter((id) => id === early.avatarId || id === late.avatarId);
      assert.equal(ours, [early.avatarId, late.avatarId]);
    });
  }
});
