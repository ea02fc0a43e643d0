import * as assert from 'uvu/assert';
import { trainingRequest } from '@avatar/machine';
import { avatarCreated, photoAdded, photosAdded, trainingSubmitted } from '@avatar/machine/testing';
import { dispatch, findAvatar, loadAvatar, photosOf, readStream, replayStream } from '../src/index.js';
import { readyAvatar, storeSuites, system, trainingAvatar, user } from './helpers.js';

storeSuites('concurrent writers', (test) => {
  test('50 concurrent dispatches on one avatar lose nothing and keep the 20-photo limit', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await dispatch(store, id, created, { actor: user });
    const results = await Promise.all(photosAdded(50).map((photo) => dispatch(store, id, photo, { actor: user })));
    const accepted = results.filter((r) => r.outcome === 'accepted');
    const rejected = results.flatMap((r) => (r.outcome === 'rejected' ? [r.rejection.code] : []));
    assert.is(accepted.length, 20);
    assert.equal(rejected, Array(30).fill('photo_limit_reached'));
    const versions = (await readStream(store.db, id)).map((e) => e.version);
    assert.equal(versions, Array.from({ length: 21 }, (_, i) => i + 1));
    assert.is((await findAvatar(store.db, id))?.photoCount, 20);
    assert.is((await photosOf(store.db, id)).length, 20);
    assert.equal((await replayStream(store, id)).anomalies, []);
  });

  test('50 concurrent renames are all recorded, one after another', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await dispatch(store, id, created, { actor: user });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => dispatch(store, id, { type: 'AvatarRenamed', name: `name ${i}` }, { actor: user })),
    );
    assert.ok(results.every((r) => r.outcome === 'accepted'));
    const events = await readStream(store.db, id);
    assert.is(events.length, 51);
    const view = await findAvatar(store.db, id);
    assert.is(view?.version, 51);
    assert.is(view?.name, events.at(-1)?.data.name);
  });

  test('two concurrent training requests produce exactly one attempt', async ({ store }) => {
    const id = await readyAvatar(store);
    const ready = (await loadAvatar(store, id))!.state!;
    const results = await Promise.all([
      dispatch(store, id, trainingRequest(ready, 'attempt-a'), { actor: user }),
      dispatch(store, id, trainingRequest(ready, 'attempt-b'), { actor: user }),
    ]);
    assert.equal(results.map((r) => r.outcome).sort(), ['accepted', 'rejected']);
    const attempts = (await readStream(store.db, id)).filter((e) => e.type === 'TrainingRequested');
    assert.is(attempts.length, 1);
    const submissions = await store.db.selectFrom('outbox').select('kind').where('stream_id', '=', id).where('kind', '=', 'SubmitTraining').execute();
    assert.is(submissions.length, 1);
  });

  test('duplicate event ids append once, even concurrently', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    await dispatch(store, id, created, { actor: user });
    const eventId = crypto.randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => dispatch(store, id, photoAdded(1), { actor: user, eventId })),
    );
    assert.is(results.filter((r) => r.outcome === 'accepted').length, 1);
    assert.ok(results.every((r) => r.outcome !== 'rejected' || r.rejection.code === 'photo_duplicate'));
    assert.is((await readStream(store.db, id)).filter((e) => e.eventId === eventId).length, 1);
  });

  test('20 concurrent deliveries of one inbound message append one event', async ({ store }) => {
    const id = await trainingAvatar(store);
    const message = { source: 'fal' as const, messageId: 'req-a1', payload: '{"request_id":"req-a1"}' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => dispatch(store, id, trainingSubmitted('a1'), { actor: system, inbox: message })),
    );
    assert.is(results.filter((r) => r.outcome === 'accepted').length, 1);
    assert.ok(results.every((r) => r.outcome === 'accepted' || r.outcome === 'duplicate'), JSON.stringify(results.map((r) => r.outcome)));
    assert.is((await readStream(store.db, id)).filter((e) => e.type === 'TrainingSubmitted').length, 1);
    const inbox = await store.db.selectFrom('inbox').selectAll().where('message_id', '=', 'req-a1').execute();
    assert.is(inbox.length, 1);
    assert.is(inbox[0]?.outcome, 'applied');
  });
});
