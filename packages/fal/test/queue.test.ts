import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPhotoArchive, type FalSubmission } from '../src/index.js';
import { photos, startFalWorld, type FalWorld } from './helpers.js';

const test = suite('polling and control through the gateway');
let world: FalWorld;
let archiveUrl: string;

test.before(async () => {
  // Jobs only move when a test advances them.
  world = await startFalWorld({ queueMs: 600_000, trainingMs: 600_000, generationMs: 600_000 });
  archiveUrl = await world.gateway.uploadFile(buildPhotoArchive(photos(10)), { contentType: 'application/zip', fileName: 'p.zip' });
});
test.after(() => world.close());

const train = (): Promise<FalSubmission> =>
  world.gateway.submitTraining({
    trainer: 'portrait',
    archiveUrl,
    triggerPhrase: 'avtrq',
    steps: 10,
    webhookUrl: `${world.receiver.url}/fal/webhook`,
  });

test('status follows the job: IN_QUEUE with its position, IN_PROGRESS with logs, COMPLETED', async () => {
  const { gateway, emulator } = world;
  await train();
  const { requestId, endpoint } = await train();
  assert.equal(await gateway.status(endpoint, requestId), { state: 'IN_QUEUE', queuePosition: 1 });
  await emulator.advance(requestId);
  const running = await gateway.status(endpoint, requestId);
  assert.is(running.state, 'IN_PROGRESS');
  assert.ok(running.state === 'IN_PROGRESS' && running.logs.length > 0 && running.logs.every((line) => line.length > 0));
  await emulator.advance(requestId);
  assert.equal(await gateway.status(endpoint, requestId), { state: 'COMPLETED' });
});

test('result: still running, then the training output', async () => {
  const { gateway, emulator } = world;
  const { requestId, endpoint } = await train();
  assert.equal(await gateway.result(endpoint, requestId), { kind: 'still_running' });
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  const result = await gateway.result(endpoint, requestId);
  assert.is(result.kind === 'succeeded' && result.output.kind, 'training');
});

test('the result of a failed job is a model error with a readable reason', async () => {
  const { gateway, emulator } = world;
  const { requestId, endpoint } = await train();
  emulator.failJob({
    requestId,
    detail: [{ loc: ['body', 'images_data_url'], msg: 'No face was found in 7 of the photos', type: 'face_not_found' }],
  });
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  assert.equal(await gateway.result(endpoint, requestId), {
    kind: 'model_error',
    httpStatus: 422,
    reason: 'images_data_url: No face was found in 7 of the photos',
  });
});

test('a result fal no longer keeps is expired', async () => {
  const { gateway, emulator } = world;
  const { requestId, endpoint } = await train();
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  emulator.expireResult(requestId);
  assert.equal(await gateway.result(endpoint, requestId), { kind: 'expired', reason: 'Request not found' });
});

test('cancel: requested while queued, already completed afterwards', async () => {
  const { gateway, emulator } = world;
  const { requestId, endpoint } = await train();
  assert.is(await gateway.cancel(endpoint, requestId), 'cancellation_requested');
  assert.is(emulator.job(requestId).outcome, 'cancelled');
  assert.is(await gateway.cancel(endpoint, requestId), 'already_completed');
});

test.run();
