import { migrationState, type Store } from '@avatar/store';
import type { FastifyInstance } from 'fastify';

export interface HealthRouteOptions {
  store: Store;
  /** How long the database may take to answer /readyz. */
  readinessTimeoutMs: number;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

/** `GET /healthz`: the process answers. `GET /readyz`: the database answers and its schema is current. */
export async function healthRoutes(app: FastifyInstance, { store, readinessTimeoutMs }: HealthRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await readinessOf(store, readinessTimeoutMs);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
}

async function readinessOf(store: Store, timeoutMs: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `the database did not answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([schemaReadiness(store), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function schemaReadiness(store: Store): Promise<Readiness> {
  try {
    const { pending } = await migrationState(store);
    if (pending.length > 0) return { ready: false, reason: `migrations pending: ${pending.join(', ')}` };
    return { ready: true };
  } catch (error) {
    return { ready: false, reason: `the database is unreachable: ${error instanceof Error ? error.message : String(error)}` };
  }
}
