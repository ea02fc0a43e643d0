import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { trainingSubmitted } from '@avatar/machine/testing';
import { dispatch, findFalRequest } from '../src/index.js';
import { ReadGroup } from '../src/read-group.js';
import { storeSuites, system, trainingAvatar } from './helpers.js';

storeSuites('grouped lookups', (test) => {
  test('concurrent fal request lookups each get their own request, inbox outcome and stream', async ({ store }) => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await trainingAvatar(store);
      await dispatch(store, id, trainingSubmitted('a1', `req-${id}`), { actor: system });
      ids.push(id);
    }
    store.streamCache.clear();
    const asked = [...ids.map((id) => `req-${id}`), 'req-nobody-submitted', `req-${ids[0]}`];
    const found = await Promise.all(asked.map((requestId) => findFalRequest(store, requestId)));
    assert.equal(
      found.map((request) => request?.stream_id ?? null),
      [...ids, null, ids[0]],
    );
    for (const id of ids) assert.is(store.streamCache.get(id, 'avatar')?.version, 13, `${id}: the lookup handed its stream over`);
  });
});

const readGroup = suite('read groups');

readGroup('while a read runs, lookups queue and share the next read; a failed read fails only its own lookups', async () => {
  const reads: string[][] = [];
  let failNext = false;
  const group = new ReadGroup<string, string>(
    async (keys) => {
      reads.push([...keys]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failNext) {
        failNext = false;
        throw new Error('database went away');
      }
      return new Map(keys.filter((key) => key !== 'missing').map((key) => [key, key.toUpperCase()]));
    },
    { reads: 1, keysPerRead: 3 },
  );
  const first = group.get('a');
  const queued = ['b', 'c', 'b', 'missing', 'e'].map((key) => group.get(key));
  assert.equal(await Promise.all([first, ...queued]), ['A', 'B', 'C', 'B', undefined, 'E']);
  assert.equal(reads, [['a'], ['b', 'c'], ['missing', 'e']]);

  failNext = true;
  const failing = group.get('x').catch((error: Error) => error.message);
  const after = group.get('y');
  assert.is(await failing, 'database went away');
  assert.is(await after, 'Y');
});

readGroup.run();
