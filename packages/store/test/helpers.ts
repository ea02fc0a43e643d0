import { suite, type Test } from 'uvu';
import { trainingRequest, type Actor } from '@avatar/machine';
import { avatarCreated, photosAdded } from '@avatar/machine/testing';
import { dispatch, loadAvatar, type Store } from '../src/index.js';
import { testBackends, type TestBackend, type TestStore } from '../src/testing.js';

export interface StoreContext {
  store: TestStore;
  backend: TestBackend['name'];
}

/** One suite per database backend, each with a fresh migrated schema. */
export function storeSuites(name: string, define: (test: Test<StoreContext>, backend: TestBackend['name']) => void): void {
  for (const backend of testBackends()) {
    const test = suite<StoreContext>(`${name} [${backend.name}]`, { store: undefined as never, backend: backend.name });
    test.before(async (ctx) => {
      ctx.store = await backend.open();
    });
    test.after(async (ctx) => {
      await ctx.store?.close();
    });
    define(test, backend.name);
    test.run();
  }
}

export const user: Actor = { kind: 'user', userId: 1001 };
export const system: Actor = { kind: 'system', component: 'test' };

/** An avatar created and given 10 photos by its owner, through dispatch: `ready` to train. */
export async function readyAvatar(store: Store, created = avatarCreated()): Promise<string> {
  const id = created.avatarId;
  await dispatch(store, id, created, { actor: user });
  for (const photo of photosAdded(10)) await dispatch(store, id, photo, { actor: user });
  return id;
}

/** A ready avatar whose owner requested training attempt `attemptId`. */
export async function trainingAvatar(store: Store, attemptId = 'a1', created = avatarCreated()): Promise<string> {
  const id = await readyAvatar(store, created);
  await dispatch(store, id, trainingRequest((await loadAvatar(store, id))!.state!, attemptId), { actor: user });
  return id;
}
