import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { bearerToken, queryToken, tokenMatches } from './auth.js';
import { avatarMachineDiagram } from './diagram/index.js';
import { InspectorError } from './errors.js';
import { parseOptions, type InspectorOptions } from './options.js';
import { loadPage } from './page/page.js';
import { apiRoutes } from './routes/api.js';
import { pageRoutes } from './routes/page.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route also accepts the token as `?token=` (only the page: a link cannot carry a header). */
    acceptsQueryToken?: boolean;
  }
}

/** Headers every inspector response carries; the page replaces the CSP with its nonce policy. */
const securityHeaders = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
} as const;

/**
 * The inspector: a page and its JSON API that show why an avatar's status is what it is. Register
 * it with a prefix; every request must present the token, or it gets 401 and nothing else.
 */
export const inspector: FastifyPluginAsync<InspectorOptions> = async (app, rawOptions) => {
  const { store, token } = parseOptions(rawOptions);
  const diagram = await avatarMachineDiagram();
  const page = await loadPage(diagram.svg);

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(securityHeaders);
    const presented = bearerToken(request) ?? (request.routeOptions.config.acceptsQueryToken ? queryToken(request) : undefined);
    if (tokenMatches(token, presented)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="inspector"')
      .send({ error: 'the inspector needs its token: send Authorization: Bearer <INSPECTOR_TOKEN>, or open the page with ?token=' });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof InspectorError) return reply.code(error.statusCode).send({ error: error.message });
    if (error.statusCode !== undefined && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
    request.log.error({ err: error }, 'inspector request failed');
    return reply.code(500).send({ error: 'the inspector failed on this request; the server log has the details' });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no inspector route for ${request.method} ${request.url.split('?')[0]}` }));

  await app.register(pageRoutes, { page });
  await app.register(apiRoutes, { store, graph: diagram.graph });
};
