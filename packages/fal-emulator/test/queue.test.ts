import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFalEmulator, type FalEmulator } from '../src/index.js';
import { falFetch, photoArchive, postJson, submit, upload } from './helpers.js';

const portrait = 'fal-ai/flux-lora-portrait-trainer';
const test = suite('queue API');
let emulator: FalEmulator;
let archiveUrl: string;

test.before(async () => {
  // Nothing moves on its own: each test advances the jobs it looks at.
  emulator = await startFalEmulator({ queueMs: 600_000, trainingMs: 600_000, generationMs: 600_000 });
  archiveUrl = await upload(emulator, photoArchive(12));
});
test.after(() => emulator.close());

const status = async (requestId: string, logs: 0 | 1 = 0) => {
  const response = await falFetch(emulator, `/queue/fal-ai/flux-lora-portrait-trainer/requests/${requestId}/status?logs=${logs}`);
  return { code: response.status, body: (await response.json()) as Record<string, unknown> };
};
const result = (requestId: string) => falFetch(emulator, `/queue/fal-ai/flux-lora-portrait-trainer/requests/${requestId}`);

test('submit answers IN_QUEUE with the request URLs; status answers 202 with the queue position', async () => {
  const first = await postJson(emulator, `/queue/${portrait}`, { images_data_url: archiveUrl, trigger_phrase: 'avtr1' });
  assert.is(first.status, 200);
  const submitted = (await first.json()) as Record<string, unknown>;
  assert.is(submitted.status, 'IN_QUEUE');
  assert.type(submitted.request_id, 'string');
  assert.is(submitted.status_url, `${emulator.url}/queue/${portrait}/requests/${String(submitted.request_id)}/status`);
  assert.is(submitted.logs, null);
  assert.equal(submitted.metrics, {});

  const second = await submit(emulator, portrait, { images_data_url: archiveUrl });
  const { code, body } = await status(second);
  assert.is(code, 202);
  assert.is(body.status, 'IN_QUEUE');
  assert.is(body.queue_position, 1);
});

test('status is 202 while IN_PROGRESS and 200 once COMPLETED; logs only with logs=1', async () => {
  const requestId = await submit(emulator, portrait, { images_data_url: archiveUrl });
  assert.is(await emulator.advance(requestId), 'IN_PROGRESS');
  const withoutLogs = await status(requestId, 0);
  assert.is(withoutLogs.code, 202);
  assert.is(withoutLogs.body.status, 'IN_PROGRESS');
  assert.is(withoutLogs.body.logs, null);
  const withLogs = await status(requestId, 1);
  const [entry] = withLogs.body.logs as { timestamp: string; message: string; labels: unknown }[];
  assert.ok(entry && entry.message.length > 0 && !Number.isNaN(Date.parse(entry.timestamp)));
  assert.equal(entry?.labels, {});

  assert.is(await emulator.advance(requestId), 'COMPLETED');
  const completed = await status(requestId);
  assert.is(completed.code, 200);
  assert.is(completed.body.status, 'COMPLETED');
});

test('a completed training returns LoRA and config files the emulator serves', async () => {
  const requestId = await submit(emulator, portrait, { images_data_url: archiveUrl, trigger_phrase: 'avtrabc' });
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  const response = await result(requestId);
  assert.is(response.status, 200);
  const output = (await response.json()) as { diffusers_lora_file: { url: string }; config_file: { url: string } };
  const lora = await fetch(output.diffusers_lora_file.url);
  assert.is(lora.status, 200);
  assert.ok((await lora.arrayBuffer()).byteLength > 8);
  const config = (await (await fetch(output.config_file.url)).json()) as { trigger_phrase: string; images: number };
  assert.is(config.trigger_phrase, 'avtrabc');
  assert.is(config.images, 12);
});

test('the result of a job still running answers 400', async () => {
  const requestId = await submit(emulator, portrait, { images_data_url: archiveUrl });
  const response = await result(requestId);
  assert.is(response.status, 400);
  assert.equal(await response.json(), { detail: 'Request is still in progress' });
});

test('cancel: 202 for a queued job, which completes cancelled; 400 ALREADY_COMPLETED after', async () => {
  const requestId = await submit(emulator, portrait, { images_data_url: archiveUrl });
  const cancelUrl = `/queue/${portrait}/requests/${requestId}/cancel`;
  const first = await falFetch(emulator, cancelUrl, { method: 'PUT' });
  assert.is(first.status, 202);
  assert.equal(await first.json(), { status: 'CANCELLATION_REQUESTED' });
  const completed = await status(requestId);
  assert.is(completed.body.status, 'COMPLETED');
  assert.is((await result(requestId)).status, 499);
  const again = await falFetch(emulator, cancelUrl, { method: 'PUT' });
  assert.is(again.status, 400);
  assert.equal(await again.json(), { status: 'ALREADY_COMPLETED' });
});

test('an unknown key and a malformed Authorization header answer 401 as fal does', async () => {
  const unknown = await falFetch(emulator, `/queue/${portrait}`, { method: 'POST', body: '{}' }, 'nobody:secret');
  assert.is(unknown.status, 401);
  assert.equal(await unknown.json(), { detail: 'No user found for Key ID and Secret' });
  const malformed = await fetch(`${emulator.url}/queue/${portrait}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.key}` },
    body: '{}',
  });
  assert.is(malformed.status, 401);
  assert.match(((await malformed.json()) as { detail: string }).detail, /^Invalid Key Authorization header format/);
});

test('an unknown application answers 404', async () => {
  const response = await postJson(emulator, '/queue/fal-ai/flux-pro-trainer', {});
  assert.is(response.status, 404);
  assert.equal(await response.json(), { detail: 'Application "flux-pro-trainer" not found' });
});

test('input that does not match the schema answers 422 with pydantic-style detail', async () => {
  const missing = await postJson(emulator, `/queue/${portrait}`, { trigger_phrase: 'x' });
  assert.is(missing.status, 422);
  assert.equal(await missing.json(), {
    detail: [{ loc: ['body', 'images_data_url'], msg: 'Field required', type: 'missing' }],
  });
  const tooMany = await postJson(emulator, '/queue/fal-ai/flux-lora', { prompt: 'p', num_images: 5 });
  assert.is(tooMany.status, 422);
  assert.equal(await tooMany.json(), {
    detail: [{ loc: ['body', 'num_images'], msg: 'Input should be less than or equal to 4', type: 'less_than_equal' }],
  });
  assert.is(emulator.jobs().filter((job) => job.endpoint === 'fal-ai/flux-lora').length, 0);
});

test('an archive with too few images, or one that is not a zip, fails the job with a 422 model error', async () => {
  const fewUrl = await upload(emulator, photoArchive(9));
  const notZipUrl = await upload(emulator, new TextEncoder().encode('these are not photos'));
  for (const [url, message] of [
    [fewUrl, 'The archive has 9 images; at least 10 are required'],
    [notZipUrl, 'The file is not a zip archive'],
  ] as const) {
    const requestId = await submit(emulator, portrait, { images_data_url: url });
    await emulator.advance(requestId);
    await emulator.advance(requestId);
    const response = await result(requestId);
    assert.is(response.status, 422);
    const { detail } = (await response.json()) as { detail: { loc: string[]; msg: string }[] };
    assert.equal(detail[0]?.loc, ['body', 'images_data_url']);
    assert.is(detail[0]?.msg, message);
    assert.is(emulator.job(requestId).outcome, 'failed');
  }
});

test('the fast trainer needs 4 images only', async () => {
  const url = await upload(emulator, photoArchive(4));
  const requestId = await submit(emulator, 'fal-ai/flux-lora-fast-training', { images_data_url: url, trigger_word: 'tok' });
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  assert.is(emulator.job(requestId).outcome, 'succeeded');
});

test('an unknown or expired request answers 404', async () => {
  assert.is((await status('00000000-0000-4000-8000-000000000000')).code, 404);
  const requestId = await submit(emulator, portrait, { images_data_url: archiveUrl });
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  emulator.expireResult(requestId);
  const response = await result(requestId);
  assert.is(response.status, 404);
  assert.equal(await response.json(), { detail: 'Request not found' });
});

test.run();
