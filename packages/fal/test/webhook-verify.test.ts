import { startFalEmulator, type FalEmulator } from '@avatar/fal-emulator';
import type { ReceivedWebhook } from '@avatar/fal-emulator/testing';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FalJwksCache, verifyFalWebhook, type FalWebhookVerdict } from '../src/index.js';
import { startFalWorld, type FalWorld } from './helpers.js';

const test = suite('webhook signature verification');
let world: FalWorld;
let emptyUserEmulator: FalEmulator;
let genuine: ReceivedWebhook;
let clock = 0;
let cache: FalJwksCache;

const signedHeaders = ['x-fal-webhook-request-id', 'x-fal-webhook-user-id', 'x-fal-webhook-timestamp', 'x-fal-webhook-signature'];

test.before(async () => {
  world = await startFalWorld();
  emptyUserEmulator = await startFalEmulator({ queueMs: 0, generationMs: 5, webhookUserId: '' });
  genuine = await delivered(world.emulator);
});
test.before.each(() => {
  clock = 0;
  cache = new FalJwksCache({ url: world.emulator.jwksUrl, clock: () => clock });
});
test.after(async () => {
  await world.close();
  await emptyUserEmulator.close();
});

/** A webhook the emulator really sent (to the shared receiver). */
async function delivered(emulator: FalEmulator): Promise<ReceivedWebhook> {
  const response = await fetch(
    `${emulator.url}/queue/fal-ai/flux-lora?fal_webhook=${encodeURIComponent(`${world.receiver.url}/fal/webhook`)}`,
    { method: 'POST', headers: { authorization: `Key ${emulator.key}` }, body: JSON.stringify({ prompt: 'p', image_size: 'square' }) },
  );
  const { request_id: requestId } = (await response.json()) as { request_id: string };
  const [webhook] = await world.webhooksOf(requestId);
  if (webhook === undefined) throw new Error('no webhook');
  return webhook;
}

const jwksFetches = () => world.emulator.calls().filter((call) => call.route === 'jwks').length;
const timestampOf = (webhook: ReceivedWebhook) => Number(webhook.headers['x-fal-webhook-timestamp']);

function check(webhook: ReceivedWebhook, changes: { headers?: ReceivedWebhook['headers']; rawBody?: Buffer; now?: number } = {}): Promise<FalWebhookVerdict> {
  return verifyFalWebhook({
    headers: changes.headers ?? webhook.headers,
    rawBody: changes.rawBody ?? webhook.rawBody,
    keys: cache,
    now: changes.now ?? timestampOf(webhook) * 1000,
  });
}

const reasonOf = (verdict: FalWebhookVerdict) => (verdict.ok ? 'ok' : verdict.reason);

test('a genuine webhook verifies and names its request and user', async () => {
  const verdict = await check(genuine);
  assert.equal(verdict, {
    ok: true,
    requestId: String(genuine.headers['x-fal-webhook-request-id']),
    userId: 'fal-emulator-user',
    timestamp: timestampOf(genuine),
  });
});

test('header names are case-insensitive, in a plain record or a Headers object', async () => {
  const shouted = Object.fromEntries(signedHeaders.map((name) => [name.toUpperCase(), genuine.headers[name]]));
  assert.is(reasonOf(await check(genuine, { headers: shouted })), 'ok');
  const headers = new Headers(signedHeaders.map((name) => [name, String(genuine.headers[name])]));
  const verdict = await verifyFalWebhook({ headers, rawBody: genuine.rawBody, keys: cache, now: timestampOf(genuine) * 1000 });
  assert.is(reasonOf(verdict), 'ok');
});

test('an empty user id is part of what is signed and verifies', async () => {
  const webhook = await delivered(emptyUserEmulator);
  assert.is(webhook.headers['x-fal-webhook-user-id'], '');
  const keys = new FalJwksCache({ url: emptyUserEmulator.jwksUrl });
  const verdict = await verifyFalWebhook({ headers: webhook.headers, rawBody: webhook.rawBody, keys, now: timestampOf(webhook) * 1000 });
  assert.is(verdict.ok && verdict.userId, '');
});

test('each missing header rejects the webhook', async () => {
  for (const name of signedHeaders) {
    const headers = { ...genuine.headers };
    delete headers[name];
    const verdict = await check(genuine, { headers });
    assert.is(reasonOf(verdict), 'missing_headers', name);
    assert.ok(!verdict.ok && verdict.detail.includes(name));
  }
});

test('a tampered body, a forged signature and malformed headers are rejected', async () => {
  const tampered = Buffer.from(genuine.rawBody.toString().replace('"status": "OK"', '"status": "ERROR"'));
  assert.is.not(tampered.toString(), genuine.rawBody.toString());
  assert.is(reasonOf(await check(genuine, { rawBody: tampered })), 'bad_signature');
  const forged = { ...genuine.headers, 'x-fal-webhook-signature': 'ab'.repeat(64) };
  assert.is(reasonOf(await check(genuine, { headers: forged })), 'bad_signature');
  const otherRequest = { ...genuine.headers, 'x-fal-webhook-request-id': 'another-request' };
  assert.is(reasonOf(await check(genuine, { headers: otherRequest })), 'bad_signature');
  const short = { ...genuine.headers, 'x-fal-webhook-signature': 'abcd' };
  assert.is(reasonOf(await check(genuine, { headers: short })), 'malformed_headers');
  const words = { ...genuine.headers, 'x-fal-webhook-timestamp': 'yesterday' };
  assert.is(reasonOf(await check(genuine, { headers: words })), 'malformed_headers');
});

test('a signature by a key fal does not publish is rejected', async () => {
  world.emulator.signWithUnpublishedKey();
  const webhook = await delivered(world.emulator);
  world.emulator.signWithUnpublishedKey(false);
  assert.is(reasonOf(await check(webhook)), 'bad_signature');
});

test('the timestamp must be within 300 s either way', async () => {
  const signedAt = timestampOf(genuine) * 1000;
  assert.is(reasonOf(await check(genuine, { now: signedAt + 300_000 })), 'ok');
  assert.is(reasonOf(await check(genuine, { now: signedAt - 300_000 })), 'ok');
  assert.is(reasonOf(await check(genuine, { now: signedAt + 301_000 })), 'stale_timestamp');
  assert.is(reasonOf(await check(genuine, { now: signedAt - 301_000 })), 'future_timestamp');
});

test('after fal rotates its key: one refetch, then the new key is accepted from the cache', async () => {
  assert.is(reasonOf(await check(genuine)), 'ok');
  const fetched = jwksFetches();
  world.emulator.rotateSigningKey();
  const rotated = await delivered(world.emulator);
  clock += 61_000;
  assert.is(reasonOf(await check(rotated)), 'ok');
  assert.is(jwksFetches(), fetched + 1);
  assert.is(reasonOf(await check(await delivered(world.emulator))), 'ok');
  assert.is(jwksFetches(), fetched + 1);
});

test('forged webhooks make at most one JWKS fetch a minute', async () => {
  assert.is(reasonOf(await check(genuine)), 'ok');
  const fetched = jwksFetches();
  const forged = { ...genuine.headers, 'x-fal-webhook-signature': 'cd'.repeat(64) };
  for (let i = 0; i < 5; i++) assert.is(reasonOf(await check(genuine, { headers: forged })), 'bad_signature');
  assert.is(jwksFetches(), fetched, 'the first fetch was less than a minute ago');
  clock += 61_000;
  for (let i = 0; i < 5; i++) assert.is(reasonOf(await check(genuine, { headers: forged })), 'bad_signature');
  assert.is(jwksFetches(), fetched + 1);
});

test('keys are not used for more than 24 hours', async () => {
  assert.is(reasonOf(await check(genuine)), 'ok');
  const fetched = jwksFetches();
  clock += 24 * 60 * 60 * 1000;
  assert.is(reasonOf(await check(genuine)), 'ok');
  assert.is(jwksFetches(), fetched + 1);
});

test('without any keys the verdict is keys_unavailable, not a bad signature', async () => {
  world.emulator.failNextCalls('jwks', { status: 503 });
  const verdict = await check(genuine);
  assert.is(reasonOf(verdict), 'keys_unavailable');
  assert.ok(!verdict.ok && verdict.detail.includes('503'));
});

test.run();
