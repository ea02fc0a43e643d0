import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { transition } from 'xstate';
import { avatarLifecycle, avatarMachine, statusOf } from '../src/index.js';
import { avatarCreated, avatarPaths } from '../src/testing/index.js';
import { fold } from './fold.js';

const test = suite('every path xstate/graph finds');
const created = avatarCreated();
const paths = avatarPaths(created);

test('reaches every end status, with one and with two attempts', () => {
  const reached = new Set(paths.map((p) => `${p.status}/${p.name.includes('2 attempts') ? 2 : 'n'}`));
  for (const status of ['completed', 'failed', 'cancelled', 'deleted']) {
    assert.ok(paths.some((p) => p.status === status), `no path to ${status}`);
  }
  assert.ok(reached.has('completed/2'), 'no path completes on a retry');
  assert.ok(paths.length > 50, `only ${paths.length} paths`);
});

for (const path of paths) {
  test(path.name, () => {
    const state = fold([path.created, ...path.events]);
    assert.is(statusOf(state), path.status);

    // The machine is pure: no transition on the path asks for an action to be executed.
    let snapshot = fold([path.created]);
    for (const event of path.events) {
      const [next, actions] = transition(avatarMachine, snapshot, event);
      assert.equal(actions, [], `${event.type} produced executable actions`);
      snapshot = next;
    }
    assert.equal(snapshot.value, state.value);

    // A persisted state restores to the same machine state, and goes on deciding the same way.
    const restored = avatarLifecycle.restore(JSON.parse(JSON.stringify(avatarLifecycle.persist(state))));
    assert.equal(restored.value, state.value);
    assert.equal(restored.context, state.context);
    assert.is(restored.status, state.status);
    const probe = { type: 'AvatarRenamed', name: 'Renamed' } as const;
    assert.is(avatarLifecycle.decide(restored, probe).ok, avatarLifecycle.decide(state, probe).ok);
  });
}

test.run();
