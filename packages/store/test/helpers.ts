import { suite, type Test } from 'uvu';
import { trainingRequest, type Actor, type AvatarEvent } from '@avatar/machine';
import { avatarCreated, photosAdded } from '@avatar/machine/testing';
import { commitChange } from '../src/commit.js';
import type { GroupCommit } from '../src/group-commit.js';
import { foldPending } from '../src/stream-change.js';
import { loadStream } from '../src/stream-state.js';
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

/** `count` avatars created by their owner, through dispatch, one after another. */
export async function createdAvatars(store: Store, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = avatarCreated();
    await dispatch(store, created.avatarId, created, { actor: user });
    ids.push(created.avatarId);
  }
  return ids;
}

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

/** Appends `events` to avatar `id` as one change through `group`, decided on the stream as it is now (or at `expected`). */
export async function change(store: Store, group: GroupCommit, id: string, events: readonly AvatarEvent[], options: { eventId?: string; expected?: number } = {}) {
  const loaded = await loadStream(store.db, 'avatar', id);
  const { pending, final } = foldPending(
    'avatar',
    loaded.state,
    events.map((event, i) => ({ event, eventId: (i === 0 && options.eventId) || crypto.randomUUID(), metadata: { actor: user } })),
  );
  const expected = options.expected ?? loaded.version ?? 'no_stream';
  return { id, write: () => commitChange(group, { kind: 'avatar', streamId: id, pending, final }, { expected, sideEffects: true }) };
}

/** Appends a rename to `id` through `group`, decided on the stream as it is now (or at `expected`). */
export function rename(store: Store, group: GroupCommit, id: string, name: string, options: { eventId?: string; expected?: number } = {}) {
  return change(store, group, id, [{ type: 'AvatarRenamed', name }], options);
}

/** Writes issued in one turn of the event loop share a statement (on a group of one statement at a time). */
export async function writeAsGroup<T>(writes: readonly (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(writes.map((write) => write()));
}
