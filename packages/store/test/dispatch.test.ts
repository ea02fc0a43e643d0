import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { trainingRequest, type Actor } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingCompleted, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { sql } from 'kysely';
import {
  dispatch,
  findAvatar,
  findFalRequest,
  findGeneration,
  loadAvatar,
  readStream,
  ReadModelError,
  recordInbound,
  requestGeneration,
  type Store,
} from '../src/index.js';
import { fundWallet, testBackends } from '../src/testing.js';
import { trainingAvatar } from './helpers.js';

const user: Actor = { kind: 'user', userId: 1001 };

for (const backend of testBackends()) {
  const test = suite<{ store: Store }>(`dispatch [${backend.name}]`, { store: undefined as never });
  test.before(async (ctx) => {
    ctx.store = await backend.open();
  });
  test.after(async (ctx) => {
    await ctx.store?.close();
  });

  test('a journey to completed is recorded, projected and answered with each new status', async ({ store }) => {
    const created = avatarCreated();
    const id = created.avatarId;
    const first = await dispatch(store, id, created, { actor: user });
    assert.is(first.outcome, 'accepted');
    if (first.outcome === 'accepted') assert.is(first.status, 'draft');
    for (const photo of photosAdded(10)) await dispatch(store, id, photo, { actor: user });
    const loaded = await loadAvatar(store, id);
    assert.ok(loaded?.state);
    const training = await dispatch(store, id, trainingRequest(loaded!.state!, 'a1'), { actor: user });
    assert.is(training.outcome === 'accepted' && training.status, 'training');
    await dispatch(store, id, trainingSubmitted('a1'), { actor: { kind: 'system', component: 'test' } });
    const done = await dispatch(store, id, trainingCompleted('a1'), { actor: { kind: 'fal', requestId: 'req-a1' } });
    assert.is(done.outcome === 'accepted' && done.status, 'completed');

    const view = await findAvatar(store.db, id);
    assert.is(view?.status, 'completed');
    assert.is(view?.photoCount, 10);
    assert.is(view?.canGenerate, true);
    assert.is(view?.version, 14);
    const events = await readStream(store.db, id);
    assert.equal(events.map((e) => e.version), Array.from({ length: 14 }, (_, i) => i + 1));
    assert.is(events[0]?.metadata.machineVersion, 'avatar/1');
    const outbox = await store.db.selectFrom('outbox').select(['kind', 'topic']).where('stream_id', '=', id).orderBy('id').execute();
    assert.equal(outbox, [
      { kind: 'SubmitTraining', topic: 'fal' },
      { kind: 'NotifyTrainingCompleted', topic: 'telegram' },
      { kind: 'SettleReservation', topic: 'wallet' },
    ]);
  });

  test('a refused event is a typed rejection and appends nothing', async ({ store }) => {
    const created = avatarCreated();
    await dispatch(store, created.avatarId, created, { actor: user });
    const result = await dispatch(store, created.avatarId, trainingCompleted('x'), { actor: user });
    assert.is(result.outcome, 'rejected');
    if (result.outcome === 'rejected') {
      assert.is(result.rejection.status, 'draft');
      assert.is(result.rejection.code, 'not_accepted_in_status');
      assert.is(result.version, 1);
    }
    assert.is((await readStream(store.db, created.avatarId)).length, 1);
  });

  test('a callback kept as an unknown request still applies once its submission is known', async ({ store }) => {
    const id = await trainingAvatar(store);
    const message = { source: 'fal' as const, messageId: 'req-a1', payload: '{"request_id":"req-a1","status":"OK"}' };
    assert.ok(await recordInbound(store.db, message, 'unknown_request', null, null));
    await dispatch(store, id, trainingSubmitted('a1'), { actor: { kind: 'system', component: 'test' } });
    const applied = await dispatch(store, id, trainingCompleted('a1'), { actor: { kind: 'fal', requestId: 'req-a1' }, inbox: message });
    assert.is(applied.outcome, 'accepted');
    const again = await dispatch(store, id, trainingCompleted('a1'), { actor: { kind: 'fal', requestId: 'req-a1' }, inbox: message });
    assert.is(again.outcome, 'duplicate');
    const row = await store.db.selectFrom('inbox').select(['outcome', 'stream_id']).where('message_id', '=', 'req-a1').executeTakeFirst();
    assert.equal(row, { outcome: 'applied', stream_id: id });
  });

  test('a webhook\'s request lookup hands dispatch the stream; a stale hand-off costs a retry, never a wrong write', async ({ store }) => {
    const id = await trainingAvatar(store);
    const requestId = `req-${id}`;
    await dispatch(store, id, trainingSubmitted('a1', requestId), { actor: { kind: 'system', component: 'test' } });
    store.streamCache.clear();

    const found = await findFalRequest(store, requestId);
    assert.equal([found?.stream_id, found?.attempt_id, found?.inbound_outcome], [id, 'a1', null]);
    const handedOver = store.streamCache.get(id, 'avatar');
    assert.is(handedOver?.version, 13, 'the lookup read the stream as it is');
    // Another instance moves the stream on after the lookup; this one still holds the older state.
    await dispatch(store, id, trainingProgressed('a1', 'IN_PROGRESS'), { actor: { kind: 'fal', requestId } });
    store.streamCache.set(id, 'avatar', handedOver!.version, handedOver!.state);

    const message = { source: 'fal' as const, messageId: requestId, payload: `{"request_id":"${requestId}","status":"OK"}` };
    const applied = await dispatch(store, id, trainingCompleted('a1', requestId), { actor: { kind: 'fal', requestId }, inbox: message });
    assert.is(applied.outcome === 'accepted' && applied.version, 15);
    assert.equal((await readStream(store.db, id)).slice(-2).map((e) => [e.version, e.type]), [
      [14, 'TrainingProgressed'],
      [15, 'TrainingCompleted'],
    ]);
    assert.is((await findAvatar(store.db, id))?.status, 'completed');
  });

  test('a read-model row the machine cannot produce is an error, never a status or option to compare', async ({ store }) => {
    const id = await trainingAvatar(store);
    await dispatch(store, id, trainingSubmitted('a1', `req-${id}`), { actor: { kind: 'system', component: 'test' } });
    await dispatch(store, id, trainingCompleted('a1', `req-${id}`), { actor: { kind: 'fal', requestId: `req-${id}` } });
    const generationId = crypto.randomUUID();
    const order = { generationId, prompt: 'in a red coat', aspectRatio: '3:4', numImages: 2 } as const;
    await fundWallet(store, 1001);
    assert.is((await requestGeneration(store, id, order, 10, { actor: user })).outcome, 'accepted');
    assert.is((await findGeneration(store.db, generationId))?.aspectRatio, '3:4');

    await sql`update avatars set trainer = 'turbo' where avatar_id = ${id}`.execute(store.db);
    await sql`update generations set aspect_ratio = '2:1' where generation_id = ${generationId}`.execute(store.db);
    for (const [what, read] of [
      ['avatar', () => findAvatar(store.db, id)],
      ['generation', () => findGeneration(store.db, generationId)],
    ] as const) {
      try {
        await read();
        assert.unreachable(`the ${what} row was read`);
      } catch (error) {
        assert.instance(error, ReadModelError, what);
      }
    }
  });

  test.run();
}
