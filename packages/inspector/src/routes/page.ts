import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { InspectorPage } from '../page/page.js';

function pagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const pageRoutes: FastifyPluginAsync<{ page: InspectorPage }> = async (app, { page }) => {
  app.get('/', { config: { acceptsQueryToken: true } }, async (_request, reply) => {
    const nonce = randomBytes(18).toString('base64');
    return reply.type('text/html; charset=utf-8').header('content-security-policy', pagePolicy(nonce)).send(page.html(nonce));
  });
};
