import type { FastifyInstance } from 'fastify';

/**
 * Fastify keeps a connection open for its keep-alive timeout (72 s) after the last response, and
 * `close()` waits for it: a webhook in flight when the app stops would hold shutdown that long.
 * Replies sent once closing has begun end their connection instead.
 */
export function endConnectionsWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
