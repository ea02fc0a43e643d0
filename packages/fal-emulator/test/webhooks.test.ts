import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFalEmulator, type FalEmulator } from '../src/index.js';
import { startWebhookReceiver, waitFor, type ReceivedWebhook, type WebhookReceiver } from '../src/testing/index.js';
import { falFetch, submit } from './helpers.js';

const test = suite('webhook delivery');
let emulator: FalEmulator;
let receiver: WebhookReceiver;

test.before(async () => {
  emulator = await startFalEmulator({ queueMs: 0, generationMs: 5, webhookRetryDelaysMs: [20, 20, 20] });
  receiver = await startWebhookReceiver();
});
test.after(async () => {
  await emulator.close();
  await receiver.close();
});

const generate = (prompt = 'p', webhookPath = '/fal/webhook') =>
  submit(emulator, 'fal-ai/flux-lora', { prompt, image_size: 'portrait_4_3' }, receiver.url + webhookPath);

const completed = (requestId: string) =>
  waitFor(`job ${requestId} to complete`, () => emulator.job(requestId).status === 'COMPLETED');

async function deliveryOf(requestId: string, count = 1): Promise<ReceivedWebhook[]> {
  return waitFor(`${count} webhook(s) of ${requestId}`, () => {
    const found = receiver.received.filter((r) => r.headers['x-fal-webhook-request-id'] === requestId);
    return found.length >= count && found;
  });
}

async function publishedKeys(): Promise<JsonWebKey[]> {
  return ((await (await fetch(emulator.jwksUrl)).json()) as { keys: JsonWebKey[] }).keys;
}

/** fal's documented check, done with node:crypto alone. */
function signedBy(delivery: ReceivedWebhook, keys: JsonWebKey[]): boolean {
  const header = (name: string) => String(delivery.headers[name]);
  const message = [
    header('x-fal-webhook-request-id'),
    header('x-fal-webhook-user-id'),
    header('x-fal-webhook-timestamp'),
    createHash('sha256').update(delivery.rawBody).digest('hex'),
  ].join('\n');
  const signature = Buffer.from(header('x-fal-webhook-signature'), 'hex');
  return keys.some((jwk) => verify(null, Buffer.from(message), createPublicKey({ key: jwk, format: 'jwk' }), signature));
}

test('the body is serialized like Python json.dumps(sort_keys=True), non-ASCII escaped', async () => {
  emulator.queueSeeds(2n ** 64n - 1n);
  const requestId = await generate('портрет', '/fal/webhook?attempt=a1&kind=generation');
  const [delivery] = await deliveryOf(requestId);
  const raw = delivery?.rawBody.toString('utf8') ?? '';
  const parsed = JSON.parse(raw) as { payload: { images: { url: string }[] } };
  const inference = /"inference": ([0-9.e+-]+)/.exec(raw)?.[1];
  const imageUrl = parsed.payload.images[0]?.url;
  assert.is(
    raw,
    `{"error": null, "gateway_request_id": "${requestId}", "payload": {"has_nsfw_concepts": [false], ` +
      `"images": [{"content_type": "image/png", "height": 1024, "url": "${imageUrl}", "width": 768}], ` +
      `"prompt": "\\u043f\\u043e\\u0440\\u0442\\u0440\\u0435\\u0442", "seed": 18446744073709551615, ` +
      `"timings": {"inference": ${inference}}}, "request_id": "${requestId}", "status": "OK"}`,
  );
  assert.is(delivery?.path, '/fal/webhook?attempt=a1&kind=generation');
  assert.is(emulator.job(requestId).webhookUrl, `${receiver.url}/fal/webhook?attempt=a1&kind=generation`);
});

test('the four X-Fal-Webhook headers sign the raw body with a key from the JWKS', async () => {
  const requestId = await generate();
  const [delivery] = await deliveryOf(requestId);
  assert.ok(delivery);
  assert.is(delivery.headers['x-fal-webhook-user-id'], 'fal-emulator-user');
  assert.match(String(delivery.headers['x-fal-webhook-signature']), /^[0-9a-f]{128}$/);
  assert.ok(Math.abs(Number(delivery.headers['x-fal-webhook-timestamp']) - Date.now() / 1000) < 60);
  assert.ok(signedBy(delivery, await publishedKeys()));
  const tampered = { ...delivery, rawBody: Buffer.from(delivery.rawBody.toString().replace('"OK"', '"ok"')) };
  assert.not.ok(signedBy(tampered, await publishedKeys()));
});

test('a failed job is delivered as status ERROR with the model error as payload', async () => {
  emulator.failJob({ detail: [{ loc: ['body', 'prompt'], msg: 'Prompt is not allowed', type: 'content_policy_violation' }] });
  const requestId = await generate();
  const [delivery] = await deliveryOf(requestId);
  assert.equal(JSON.parse(delivery?.rawBody.toString() ?? ''), {
    error: 'Invalid status code: 422',
    gateway_request_id: requestId,
    payload: { detail: [{ loc: ['body', 'prompt'], msg: 'Prompt is not allowed', type: 'content_policy_violation' }] },
    request_id: requestId,
    status: 'ERROR',
  });
  const result = await falFetch(emulator, `/queue/fal-ai/flux-lora/requests/${requestId}`);
  assert.is(result.status, 422);
});

test('a lost payload is status OK with payload null and payload_error; the result still has the output', async () => {
  emulator.losePayload();
  const requestId = await generate();
  const [delivery] = await deliveryOf(requestId);
  const body = JSON.parse(delivery?.rawBody.toString() ?? '') as Record<string, unknown>;
  assert.equal([body.status, body.payload, body.error], ['OK', null, null]);
  assert.type(body.payload_error, 'string');
  const result = await falFetch(emulator, `/queue/fal-ai/flux-lora/requests/${requestId}`);
  assert.is(result.status, 200);
});

test('deliveries not answered 2xx are retried until one is', async () => {
  receiver.answerWith(500, 503);
  const requestId = await generate();
  const deliveries = await deliveryOf(requestId, 3);
  assert.is(new Set(deliveries.map((d) => d.rawBody.toString())).size, 1, 'every retry carries the same body');
  await waitFor('the third attempt to be recorded', () => emulator.job(requestId).webhook.attempts.length === 3);
  assert.equal(
    emulator.job(requestId).webhook.attempts.map((a) => a.status),
    [500, 503, 200],
  );
});

test('retries stop when the delays run out', async () => {
  receiver.answerWith(500, 500, 500, 500);
  const requestId = await generate();
  await deliveryOf(requestId, 4);
  await waitFor('four attempts', () => emulator.job(requestId).webhook.attempts.length === 4);
  // A fifth attempt would come 20 ms after the fourth; a webhook delayed by 200 ms arrives well after it.
  emulator.delayWebhooks(200);
  await deliveryOf(await generate());
  emulator.delayWebhooks(0);
  assert.is(emulator.job(requestId).webhook.attempts.length, 4);
});

test('a dropped webhook never arrives; a duplicated one arrives twice', async () => {
  emulator.dropNextWebhook();
  const dropped = await generate();
  await completed(dropped);
  emulator.duplicateNextWebhook();
  const duplicated = await generate();
  await deliveryOf(duplicated, 2);
  assert.ok(emulator.job(dropped).webhook.dropped);
  assert.is(receiver.received.filter((r) => r.headers['x-fal-webhook-request-id'] === dropped).length, 0);
});

test('held webhooks are released in reverse order', async () => {
  emulator.holdWebhooks();
  const first = await generate();
  await completed(first);
  const second = await generate();
  await completed(second);
  const before = receiver.received.length;
  await emulator.releaseWebhooks('reversed');
  await receiver.waitForCount(before + 2);
  const order = receiver.received.slice(before).map((r) => r.headers['x-fal-webhook-request-id']);
  assert.equal(order, [second, first]);
});

test('after a rotation, webhooks are signed with the new key, published next to the old one', async () => {
  const before = await publishedKeys();
  emulator.rotateSigningKey();
  const after = await publishedKeys();
  assert.is(after.length, 2);
  const [delivery] = await deliveryOf(await generate());
  assert.ok(delivery);
  assert.not.ok(signedBy(delivery, before));
  assert.ok(signedBy(delivery, after));
});

test('signing with an unpublished key produces webhooks no published key verifies', async () => {
  emulator.signWithUnpublishedKey();
  const [forged] = await deliveryOf(await generate());
  emulator.signWithUnpublishedKey(false);
  assert.ok(forged);
  assert.not.ok(signedBy(forged, await publishedKeys()));
});

test.run();
