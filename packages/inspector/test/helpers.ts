import Fastify, { type FastifyInstance } from 'fastify';
import { suite, type Test } from 'uvu';
import { testBackends, type TestBackend, type TestStore } from '@avatar/store/testing';
import { inspector } from '../src/index.js';

export const token = 'test-inspector-token-4f1c9a7e';
export const bearer = { authorization: `Bearer ${token}` };

export interface InspectorContext {
  store: TestStore;
  app: FastifyInstance;
}

/**
 * A bare Fastify with the inspector under /inspector, as the webhook app registers it. Fastify
 * refuses path parameters over 100 characters (414) unless told otherwise; ids may have 128.
 */
export async function inspectorApp(store: TestStore): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 256 } });
  await app.register(inspector, { prefix: '/inspector', store, token });
  await app.ready();
  return app;
}

/** One suite per database backend, each with a fresh migrated schema and its own app. */
export function inspectorSuites(name: string, define: (test: Test<InspectorContext>, backend: TestBackend['name']) => void): void {
  for (const backend of testBackends()) {
    const test = suite<InspectorContext>(`${name} [${backend.name}]`, { store: undefined as never, app: undefined as never });
    test.before(async (ctx) => {
      ctx.store = await backend.open();
      ctx.app = await inspectorApp(ctx.store);
    });
    test.after(async (ctx) => {
      await ctx.app?.close();
      await ctx.store?.close();
    });
    define(test, backend.name);
    test.run();
  }
}
