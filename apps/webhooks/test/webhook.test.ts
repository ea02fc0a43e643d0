import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { FalJwksCache } from '@avatar/fal';
import { statusOf, trainingRequest, trainingStageOf } from '@avatar/machine';
import { avatarCreated, photosAdded, trainingSubmitted } from '@avatar/machine/testing';
import { findInbound, type Store } from '@avatar/store';
import { openThroughProxy, testBackends, type TestStore } from '@avatar/store/testing';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { falWebhookUrl } from '../src/index.js';
import { avatarState, hintSecret, mustAccept, startApp, startWebhookSigner, typesOf, type WebhookSigner } from './support.js';

/** A training avatar whose attempt a1 fal took as `requestId` (or not yet, without one). */
async function trainingAvatar(store: Store, requestId: string | null): Promise<string> {
  const created = avatarCreated();
  await mustAccept(store, created.avatarId, created);
  for (const photo of photosAdded(10)) await mustAccept(store, created.avatarId, photo);
  await mustAccept(store, created.avatarId, trainingRequest(await avatarState(store, created.avatarId), 'a1'));
  if (requestId !== null) await mustAccept(store, created.avatarId, trainingSubmitted('a1', requestId));
  return created.avatarId;
}

const file = (name: string) =>
  `{"content_type": null, "file_name": null, "file_size": null, "url": "https://v3.fal.media/files/test/${name}"}`;

/** Bodies written the way fal's Python writes them. */
const bodies = {
  trainingSucceeded: (requestId: string) =>
    `{"error": null, "gateway_request_id": "${requestId}", "payload": {"config_file": ${file('config.json')}, ` +
    `"diffusers_lora_file": ${file('lora.safetensors')}}, "request_id": "${requestId}", "status": "OK"}`,
  payloadError: (requestId: string) =>
    `{"error": null, "gateway_request_id": "${requestId}", "payload": null, "payload_error": "Failed to serialize the response payload", "request_id": "${requestId}", "status": "OK"}`,
};

interface Context {
  store: TestStore;
  signer: WebhookSigner;
  app: FastifyInstance;
  url: string;
}

async function deliver(
  context: Pick<Context, 'url'>,
  body: string,
  headers: Record<string, string>,
  query = '',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${context.url}/webhooks/fal${query}`, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The named fields of a log line, for comparing the ones a test cares about. */
const pick = (line: Record<string, unknown> | undefined, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, line?.[key]]));

async function nothingWritten(store: Store, avatarId: string, requestId: string, eventCount: number): Promise<void> {
  assert.is((await typesOf(store, avatarId)).length, eventCount, 'an event was appended');
  assert.is(await findInbound(store.db, 'fal', requestId), undefined, 'the inbox recorded it');
}

for (const backend of testBackends()) {
  const test = suite<Context>(`fal webhook route [${backend.name}]`, {} as Context);
  test.before(async (context) => {
    context.store = await backend.open();
    context.signer = await startWebhookSigner();
    Object.assign(context, await startApp(context.store, new FalJwksCache({ url: context.signer.jwksUrl })));
  });
  test.after(async ({ app, signer, store }) => {
    await app?.close();
    await signer?.close();
    await store?.close();
  });

  // Only a server can go away.
  if (backend.name === 'postgres') {
    test('while the database is away a webhook gets 503 and writes nothing; fal\'s redelivery is applied once', async ({ store, signer }) => {
      const { store: proxied, proxy, close } = await openThroughProxy(store);
      const { app, url } = await startApp(proxied, new FalJwksCache({ url: signer.jwksUrl }));
      try {
        const requestId = `req-${randomBytes(4).toString('hex')}`;
        const avatarId = await trainingAvatar(store, requestId);
        const eventCount = (await typesOf(store, avatarId)).length;
        const body = bodies.trainingSucceeded(requestId);

        proxy.down();
        assert.equal(await deliver({ url }, body, signer.headers(requestId, body)), { status: 503, json: { error: 'database_unavailable' } });
        await nothingWritten(store, avatarId, requestId, eventCount);

        proxy.up();
        assert.equal(await deliver({ url }, body, signer.headers(requestId, body)), { status: 200, json: { outcome: 'accepted' } });
        assert.is(statusOf(await avatarState(store, avatarId)), 'completed');
        assert.equal(await deliver({ url }, body, signer.headers(requestId, body)), { status: 200, json: { outcome: 'duplicate' } });
        assert.is((await typesOf(store, avatarId)).length, eventCount + 1);
      } finally {
        await app.close();
        await close();
      }
    });
  }

  test('anything fal did not sign is refused with 401 and writes nothing; fal\'s own webhook is applied once', async (context) => {
    const { store, signer } = context;
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const avatarId = await trainingAvatar(store, requestId);
    const eventCount = (await typesOf(store, avatarId)).length;
    const body = bodies.trainingSucceeded(requestId);
    const now = Math.floor(Date.now() / 1000);
    const genuine = signer.headers(requestId, body);

    const forgeries: [string, string, Record<string, string>][] = [
      ['a made-up signature', body, { ...genuine, 'x-fal-webhook-signature': randomBytes(64).toString('hex') }],
      ['a key fal does not publish', body, signer.headers(requestId, body, { key: generateKeyPairSync('ed25519').privateKey })],
      ['a tampered body', body.replace('lora.safetensors', 'evil.safetensors'), genuine],
      ['another request id in the header', body, { ...genuine, 'x-fal-webhook-request-id': 'req-other' }],
      ['a stale timestamp', body, signer.headers(requestId, body, { timestamp: now - 400 })],
      ['a future timestamp', body, signer.headers(requestId, body, { timestamp: now + 400 })],
      ...['x-fal-webhook-request-id', 'x-fal-webhook-user-id', 'x-fal-webhook-timestamp', 'x-fal-webhook-signature'].map(
        (header): [string, string, Record<string, string>] => [`no ${header}`, body, Object.fromEntries(Object.entries(genuine).filter(([name]) => name !== header))],
      ),
      ['no signature headers at all', body, { 'content-type': 'application/json' }],
    ];
    for (const [what, sent, headers] of forgeries) {
      const { status } = await deliver(context, sent, headers);
      assert.is(status, 401, what);
    }
    await nothingWritten(store, avatarId, requestId, eventCount);
    assert.ok(trainingStageOf(await avatarState(store, avatarId)) !== null);

    assert.equal(await deliver(context, body, genuine), { status: 200, json: { outcome: 'accepted' } });
    const completed = await avatarState(store, avatarId);
    assert.is(statusOf(completed), 'completed');
    assert.is(completed.context.lora?.loraUrl, 'https://v3.fal.media/files/test/lora.safetensors');
    assert.is((await findInbound(store.db, 'fal', requestId))?.payload, body);

    assert.equal(await deliver(context, body, signer.headers(requestId, body)), { status: 200, json: { outcome: 'duplicate' } });
    assert.is((await typesOf(store, avatarId)).length, eventCount + 1);
  });

  test('each request writes one access line; a webhook\'s lines name its fal request and its avatar', async (context) => {
    const { store, signer } = context;
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { app, url } = await startApp(store, new FalJwksCache({ url: signer.jwksUrl }), { logger });
    try {
      const requestId = `req-${randomBytes(4).toString('hex')}`;
      const avatarId = await trainingAvatar(store, requestId);
      const body = bodies.trainingSucceeded(requestId);
      const forged = { ...signer.headers(requestId, body), 'x-fal-webhook-signature': randomBytes(64).toString('hex') };
      assert.is((await deliver({ url }, body, forged)).status, 401);
      assert.is((await deliver({ url }, body, signer.headers(requestId, body))).status, 200);

      const [refusal, forgedAccess, applied, ...rest] = lines.filter((line) => line.reqId !== undefined);
      assert.equal(rest, [], 'one line per request, plus the refusal\'s warning');
      assert.is(refusal?.msg, 'refused a fal webhook');
      assert.is(refusal?.reason, 'bad_signature');
      assert.equal(pick(forgedAccess, ['msg', 'method', 'path', 'statusCode']), {
        msg: 'request completed',
        method: 'POST',
        path: '/webhooks/fal',
        statusCode: 401,
      });
      assert.equal(pick(applied, ['msg', 'falRequestId', 'streamId', 'statusCode', 'outcome', 'eventType', 'falOutcome']), {
        msg: 'fal webhook accepted',
        falRequestId: requestId,
        streamId: avatarId,
        statusCode: 200,
        outcome: 'accepted',
        eventType: 'TrainingCompleted',
        falOutcome: 'succeeded',
      });
      assert.type(applied?.responseTimeMs, 'number');
      assert.ok(applied?.reqId !== undefined && applied.reqId !== forgedAccess?.reqId, 'each line names its HTTP request');
    } finally {
      await app.close();
    }
  });

  test('a signed body that is not a fal webhook is refused with 400 and writes nothing', async (context) => {
    const { store, signer } = context;
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const avatarId = await trainingAvatar(store, requestId);
    const eventCount = (await typesOf(store, avatarId)).length;
    for (const body of ['{"request_id": ', '{"request_id": "x"}', '[]', `{"request_id": "${requestId}", "status": "MAYBE", "payload": null}`]) {
      assert.is((await deliver(context, body, signer.headers(requestId, body))).status, 400, body);
    }
    const otherBody = bodies.trainingSucceeded('req-someone-else');
    const mismatch = await deliver(context, otherBody, signer.headers(requestId, otherBody));
    assert.equal(mismatch, { status: 400, json: { error: 'request_id_mismatch', detail: `the body names request req-someone-else, the signed header ${requestId}` } });
    await nothingWritten(store, avatarId, requestId, eventCount);
  });

  test('fal\'s keys out of reach: 503, so fal delivers again later', async ({ store, signer }) => {
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const avatarId = await trainingAvatar(store, requestId);
    const eventCount = (await typesOf(store, avatarId)).length;
    const closed = await startApp(store, new FalJwksCache({ url: 'http://127.0.0.1:9/.well-known/jwks.json', timeoutMs: 2_000 }));
    try {
      const body = bodies.trainingSucceeded(requestId);
      const { status } = await deliver(closed, body, signer.headers(requestId, body));
      assert.is(status, 503);
      await nothingWritten(store, avatarId, requestId, eventCount);
    } finally {
      await closed.app.close();
    }
  });

  test('output fal could not serialize (payload_error) is a failure with that reason, never a success', async (context) => {
    const { store, signer } = context;
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const avatarId = await trainingAvatar(store, requestId);
    const body = bodies.payloadError(requestId);
    assert.is((await deliver(context, body, signer.headers(requestId, body))).status, 200);
    const failed = await avatarState(store, avatarId);
    assert.is(statusOf(failed), 'failed');
    assert.match(failed.context.failure?.reason ?? '', /Failed to serialize the response payload/);
    assert.is(failed.context.lora, null);
  });

  test('an unknown request id is answered 200 and kept as unknown_request', async (context) => {
    const { store, signer } = context;
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const body = bodies.trainingSucceeded(requestId);
    assert.equal(await deliver(context, body, signer.headers(requestId, body)), { status: 200, json: { outcome: 'unknown_request' } });
    const inbound = await findInbound(store.db, 'fal', requestId);
    assert.is(inbound?.outcome, 'unknown_request');
    assert.is(inbound?.payload, body);
  });

  test('a valid hint recovers a submission that was never recorded; a forged or stale hint does not', async (context) => {
    const { store, signer } = context;
    const avatarId = await trainingAvatar(store, null);
    const hintFor = (attemptId: string) => new URL(falWebhookUrl(context.url, hintSecret, { streamId: avatarId, attemptId })).search;
    const deliverWith = async (query: string) => {
      const requestId = `req-${randomBytes(4).toString('hex')}`;
      const body = bodies.trainingSucceeded(requestId);
      return { requestId, ...(await deliver(context, body, signer.headers(requestId, body), query)) };
    };

    const forged = await deliverWith(hintFor('a1').replace(/sig=[0-9a-f]{4}/, 'sig=0000'));
    const otherAttempt = await deliverWith(hintFor('a0'));
    const noHint = await deliverWith('');
    for (const refused of [forged, otherAttempt, noHint]) {
      assert.equal(refused.json, { outcome: 'unknown_request' });
      assert.is((await findInbound(store.db, 'fal', refused.requestId))?.outcome, 'unknown_request');
    }
    const waiting = await avatarState(store, avatarId);
    assert.is(waiting.context.attempt?.falRequestId, null);

    const recovered = await deliverWith(hintFor('a1'));
    assert.equal(recovered.json, { outcome: 'accepted' });
    assert.equal((await typesOf(store, avatarId)).slice(-2), ['TrainingSubmitted', 'TrainingCompleted']);
    assert.is((await avatarState(store, avatarId)).context.lora?.falRequestId, recovered.requestId);
  });

  test('twenty concurrent deliveries of one webhook append one event', async (context) => {
    const { store, signer } = context;
    const requestId = `req-${randomBytes(4).toString('hex')}`;
    const avatarId = await trainingAvatar(store, requestId);
    const eventCount = (await typesOf(store, avatarId)).length;
    const body = bodies.trainingSucceeded(requestId);
    const headers = signer.headers(requestId, body);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(context, body, headers)));
    assert.ok(answers.every((answer) => answer.status === 200));
    assert.is(answers.filter((answer) => answer.json.outcome === 'accepted').length, 1);
    assert.equal((await typesOf(store, avatarId)).slice(eventCount), ['TrainingCompleted']);
  });

  test('a body over the limit is refused with 413 before anything reads it', async ({ store, signer }) => {
    const limited = await startApp(store, new FalJwksCache({ url: signer.jwksUrl }), { bodyLimitBytes: 1024 });
    try {
      const requestId = `req-${randomBytes(4).toString('hex')}`;
      const body = bodies.trainingSucceeded(requestId).replace('"status"', `"padding": "${'x'.repeat(2048)}", "status"`);
      assert.is((await deliver(limited, body, signer.headers(requestId, body))).status, 413);
      assert.is(await findInbound(store.db, 'fal', requestId), undefined);
    } finally {
      await limited.app.close();
    }
  });

  test('too many requests from one address are refused with 429', async ({ store, signer }) => {
    const limited = await startApp(store, new FalJwksCache({ url: signer.jwksUrl }), { rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${limited.url}/healthz`)).status);
      assert.equal(statuses, [200, 200, 200, 429]);
      const requestId = 'req-rate-limited';
      const body = bodies.trainingSucceeded(requestId);
      assert.is((await deliver(limited, body, signer.headers(requestId, body))).status, 429);
    } finally {
      await limited.app.close();
    }
  });

  test.run();
}
