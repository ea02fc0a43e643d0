import { suite, type Test } from 'uvu';
import type { Actor } from '@avatar/machine';
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
