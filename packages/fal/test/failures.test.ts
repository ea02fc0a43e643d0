import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPhotoArchive, createFalGateway, FalRejected, FalUnavailable, FalUnreachable } from '../src/index.js';
import { photos, rejectionOf, startFalWorld, type FalWorld } from './helpers.js';

const test = suite('how failures are classified');
let world: FalWorld;
let archiveUrl: string;

test.before(async () => {
  world = await startFalWorld({ queueMs: 600_000, submitTimeoutMs: 300 });
  archiveUrl = await world.gateway.uploadFile(buildPhotoArchive(photos(10)), { contentType: 'application/zip', fileName: 'p.zip' });
});
test.after(() => world.close());

const generation = (numImages = 1) =>
  world.gateway.submitGeneration({
    loraUrl: 'https://v3.fal.media/files/lora.safetensors',
    triggerPhrase: 'avtrx',
    prompt: 'p',
    aspectRatio: '1:1',
    numImages,
    webhookUrl: `${world.receiver.url}/fal/webhook?attempt=${Math.random()}`,
  });
const jobCount = () => world.emulator.jobs().length;

test('422 is FalRejected with the detail as a readable reason', async () => {
  const error = await rejectionOf(
    world.gateway.submitTraining({ trainer: 'portrait', archiveUrl, triggerPhrase: 'x', steps: 20_000, webhookUrl: world.receiver.url }),
  );
  assert.instance(error, FalRejected);
  const rejected = error as FalRejected;
  assert.is(rejected.httpStatus, 422);
  assert.is(rejected.reason, 'steps: Input should be less than or equal to 10000');
});

test('a key fal does not know is FalRejected (401)', async () => {
  const stranger = createFalGateway({ credentials: 'nobody:secret', baseUrl: world.emulator.url });
  const error = await rejectionOf(stranger.status('fal-ai/flux-lora', 'x'));
  assert.instance(error, FalRejected);
  assert.is((error as FalRejected).reason, 'No user found for Key ID and Secret');
});

test('a 500 on submit is FalUnavailable and no job exists', async () => {
  const before = jobCount();
  world.emulator.failNextCalls('submit', { status: 500 });
  const error = await rejectionOf(generation());
  assert.instance(error, FalUnavailable);
  assert.is((error as FalUnavailable).httpStatus, 500);
  assert.is(jobCount(), before);
});

test('a 503 the client retries away leaves exactly one job', async () => {
  // Slow on purpose (the client's own backoff, about a second): this is the retry being tested.
  const patient = createFalGateway({ credentials: world.emulator.key, baseUrl: world.emulator.url });
  const before = jobCount();
  world.emulator.failNextCalls('submit', { status: 503 });
  const submission = await patient.submitGeneration({
    loraUrl: 'https://v3.fal.media/files/lora.safetensors',
    triggerPhrase: 'avtrx',
    prompt: 'p',
    aspectRatio: '1:1',
    numImages: 1,
    webhookUrl: world.receiver.url,
  });
  assert.is(jobCount(), before + 1);
  assert.equal(
    world.emulator.calls().filter((call) => call.route === 'submit').slice(-2).map((call) => call.status),
    [503, 200],
  );
  assert.ok(world.emulator.job(submission.requestId));
});

test('a failing upload is classified too', async () => {
  world.emulator.failNextCalls('storage_initiate', { status: 500 });
  const error = await rejectionOf(world.gateway.uploadFile(new Uint8Array([1]), { contentType: 'a/b', fileName: 'x' }));
  assert.instance(error, FalUnavailable);
});

test('a submit that hangs is FalUnreachable after the timeout, though fal created the job', async () => {
  const before = jobCount();
  world.emulator.hangNextSubmit();
  const error = await rejectionOf(generation());
  assert.instance(error, FalUnreachable);
  assert.ok((error as FalUnreachable).timedOut);
  assert.is(jobCount(), before + 1, 'the job exists: the caller must find it, not submit again');
});

test('nothing listening is FalUnreachable', async () => {
  // Slow on purpose (the client retries transport errors with backoff): no answer at all is what is tested.
  const nowhere = createFalGateway({ credentials: 'a:b', baseUrl: 'http://127.0.0.1:9' });
  const error = await rejectionOf(nowhere.cancel('fal-ai/flux-lora', 'x'));
  assert.instance(error, FalUnreachable);
  assert.not.ok((error as FalUnreachable).timedOut);
});

test.run();
