import * as assert from 'uvu/assert';
import { avatarEffects, effectTopic, statusOf, type AvatarState } from '@avatar/machine';
import { avatarCreated, avatarPaths } from '@avatar/machine/testing';
import { dispatch, findAvatar, replayStream } from '../src/index.js';
import { storeSuites, user } from './helpers.js';

// Every path xstate/graph finds, dispatched into the store: the read model must agree with the
// machine after each, and the outbox must hold exactly the effects the machine asked for.
const paths = avatarPaths(avatarCreated());
const sample = paths.filter((_, i) => i % 4 === 0 || paths[i]!.name.includes('2 attempts'));

storeSuites('machine paths through the store', (test) => {
  for (const path of sample) {
    test(path.name, async ({ store }) => {
      const created = { ...path.created, avatarId: crypto.randomUUID() };
      const id = created.avatarId;
      let state: AvatarState | null = null;
      const expectedEffects: string[] = [];
      for (const event of [created, ...path.events]) {
        const result = await dispatch(store, id, event, { actor: user });
        assert.is(result.outcome, 'accepted', `${event.type}: ${JSON.stringify(result)}`);
        if (result.outcome !== 'accepted') return;
        expectedEffects.push(...avatarEffects(event, state, result.state).map((e) => `${effectTopic[e.kind]}:${e.kind}`));
        state = result.state;
      }
      assert.is(statusOf(state!), path.status);
      assert.is((await findAvatar(store.db, id))?.status, path.status);
      const replay = await replayStream(store, id);
      assert.equal(replay.anomalies, []);
      assert.is(replay.finalStatus, path.status);
      const outbox = await store.db.selectFrom('outbox').select(['topic', 'kind']).where('stream_id', '=', id).orderBy('id').execute();
      assert.equal(outbox.map((o) => `${o.topic}:${o.kind}`), expectedEffects);
    });
  }
});
