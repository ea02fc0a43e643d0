import { parseFalWebhook, verifyFalWebhook, type FalKeySource } from '@avatar/fal';
import type { Store } from '@avatar/store';
import type { FastifyInstance } from 'fastify';
import { noteOutcome } from '../access-log.js';
import { receiveFalDelivery } from '../fal-delivery.js';
import { readHint } from '../hints.js';

export interface FalWebhookRouteOptions {
  store: Store;
  jwks: FalKeySource;
  hintSecret: string;
  bodyLimitBytes: number;
}

/**
 * `POST /webhooks/fal`. The signature covers the raw bytes, so the body is kept as a Buffer and
 * checked before anything reads it. 401: not from fal (nothing written); 503: fal's keys cannot be
 * fetched (fal retries); 400: signed but not a webhook body; 200: handled, whatever the outcome,
 * so fal stops retrying.
 */
export async function falWebhookRoute(app: FastifyInstance, options: FalWebhookRouteOptions): Promise<void> {
  const { store, jwks, hintSecret, bodyLimitBytes } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/fal', { bodyLimit: bodyLimitBytes }, async (request, reply) => {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = await verifyFalWebhook({ headers: request.headers, rawBody, keys: jwks });
    if (!signature.ok) {
      request.log.warn({ reason: signature.reason, detail: signature.detail }, 'refused a fal webhook');
      return reply.code(signature.reason === 'keys_unavailable' ? 503 : 401).send({ error: signature.reason, detail: signature.detail });
    }

    const requestId = signature.requestId;
    // Every later line of this request, Fastify's own included, names the fal request.
    const log = request.log.child({ falRequestId: requestId });
    request.log = reply.log = log;
    const body = parseFalWebhook(rawBody);
    if (!body.ok) {
      log.warn({ reason: body.reason, detail: body.detail }, 'a signed fal webhook has a body fal does not send');
      return reply.code(400).send({ error: body.reason, detail: body.detail });
    }
    if (body.requestId !== requestId) {
      const detail = `the body names request ${body.requestId}, the signed header ${requestId}`;
      log.warn({ detail }, 'a signed fal webhook names two requests');
      return reply.code(400).send({ error: 'request_id_mismatch', detail });
    }

    const hint = readHint(request.query, hintSecret);
    const verdict = await receiveFalDelivery(store, { requestId, outcome: body.outcome, payload: rawBody.toString('utf8'), hint }, log);
    const { outcome, ...detail } = verdict;
    noteOutcome(request, `fal webhook ${outcome}`, { falOutcome: body.outcome.kind, outcome, ...detail });
    return reply.code(200).send({ outcome });
  });
}
