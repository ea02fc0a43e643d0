import rateLimit from '@fastify/rate-limit';
import type { FalKeySource } from '@avatar/fal';
import { inspector } from '@avatar/inspector';
import { isDatabaseUnreachable, type Store } from '@avatar/store';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { accessLog } from './access-log.js';
import { endConnectionsWhenClosing } from './closing.js';
import { falWebhookRoute } from './routes/fal-webhook.js';
import { healthRoutes } from './routes/health.js';

export interface WebhookAppDeps {
  store: Store;
  /** fal's webhook keys (`FalJwksCache` in production). */
  jwks: FalKeySource;
  logger: Logger;
  /** Signs and checks the hints on the webhook URL (see hints.ts). */
  hintSecret: string;
  /** fal's webhook bodies are small. Default 1 MB. */
  bodyLimitBytes?: number;
  /** Requests per client address and window, on every route. Default 1000 a minute. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Serves the inspector under /inspector, to requests carrying this token; off when absent. */
  inspectorToken?: string;
  /** Behind a proxy or load balancer: trust X-Forwarded-For so rate limits see client addresses. */
  trustProxy?: boolean;
}

export const defaultBodyLimitBytes = 1024 * 1024;
export const defaultRateLimit = { max: 1000, timeWindowMs: 60_000 };

/** The public HTTP surface: fal's webhooks and the health checks. Call `listen` on the result. */
export async function buildWebhookApp(deps: WebhookAppDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  // Event-format ids may be 128 characters; Fastify's default path parameter limit is 100.
  const app = Fastify({
    loggerInstance,
    // accessLog writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
    routerOptions: { maxParamLength: 128 },
  });
  accessLog(app);
  endConnectionsWhenClosing(app);
  // fal retries a 5xx; what went wrong is for our logs, not for the caller. A database that
  // cannot be reached is said so (503): nothing was written, and a later delivery will land.
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    if (isDatabaseUnreachable(error)) {
      request.log.error({ err: error }, 'the database is unreachable; the request wrote nothing and can be retried');
      return reply.code(503).send({ error: 'database_unavailable' });
    }
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'the request failed');
      return reply.code(500).send({ error: 'internal_error' });
    }
    return reply.code(status).send(error);
  });
  const limit = deps.rateLimit ?? defaultRateLimit;
  await app.register(rateLimit, { max: limit.max, timeWindow: limit.timeWindowMs });
  await app.register(healthRoutes, { store: deps.store, readinessTimeoutMs: 5_000 });
  await app.register(falWebhookRoute, {
    store: deps.store,
    jwks: deps.jwks,
    hintSecret: deps.hintSecret,
    bodyLimitBytes: deps.bodyLimitBytes ?? defaultBodyLimitBytes,
  });
  if (deps.inspectorToken !== undefined) {
    await app.register(inspector, { prefix: '/inspector', store: deps.store, token: deps.inspectorToken });
  }
  return app;
}
