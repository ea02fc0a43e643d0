import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFalEmulator, type FalEmulator } from '../src/index.js';
import { postJson } from './helpers.js';

const test = suite('planned faults');
let emulator: FalEmulator;

test.before(async () => {
  emulator = await startFalEmulator({ queueMs: 600_000 });
});
test.after(() => emulator.close());

const submitGeneration = (init: RequestInit = {}) =>
  fetch(`${emulator.url}/queue/fal-ai/flux-lora`, {
    method: 'POST',
    headers: { authorization: `Key ${emulator.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'p' }),
    ...init,
  });

test('failNextCalls answers the route with the status and creates no job, then recovers', async () => {
  emulator.failNextCalls('submit', { count: 2, status: 503 });
  assert.is((await submitGeneration()).status, 503);
  assert.is((await submitGeneration()).status, 503);
  assert.is(emulator.jobs().length, 0);
  assert.is((await submitGeneration()).status, 200);
  assert.is(emulator.jobs().length, 1);
  assert.equal(
    emulator.calls().map((c) => [c.route, c.status]),
    [
      ['submit', 503],
      ['submit', 503],
      ['submit', 200],
    ],
  );
});

test('a hung submit creates the job but never answers', async () => {
  const before = emulator.jobs().length;
  emulator.hangNextSubmit();
  const outcome = await submitGeneration({ signal: AbortSignal.timeout(200) }).then(
    () => 'answered',
    (error: unknown) => (error as Error).name,
  );
  assert.is(outcome, 'TimeoutError');
  assert.is(emulator.jobs().length, before + 1);
  assert.is(emulator.calls().at(-1)?.status, null);
});

test('a submit can also answer late', async () => {
  emulator.hangNextSubmit({ answerAfterMs: 50 });
  const response = await submitGeneration();
  assert.is(response.status, 200);
  const { request_id: requestId } = (await response.json()) as { request_id: string };
  assert.ok(emulator.job(requestId));
});

test('other routes fail the same way', async () => {
  emulator.failNextCalls('storage_initiate');
  const response = await postJson(emulator, '/rest/storage/upload/initiate?storage_type=fal-cdn-v3', {
    content_type: 'a/b',
    file_name: 'x',
  });
  assert.is(response.status, 500);
  assert.equal(await response.json(), { detail: 'Internal Server Error' });
});

test.run();
