import { unzipSync } from 'fflate';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildPhotoArchive,
  endpointFor,
  FalJwksCache,
  parseFalWebhook,
  verifyFalWebhook,
  type FalOutcome,
} from '../src/index.js';
import { photos, startFalWorld, type FalWorld } from './helpers.js';

const test = suite('training through the gateway');
let world: FalWorld;

test.before(async () => {
  world = await startFalWorld();
});
test.after(() => world.close());

test('endpointFor picks the portrait trainer by default and the fast one on request', () => {
  assert.is(endpointFor('portrait'), 'fal-ai/flux-lora-portrait-trainer');
  assert.is(endpointFor('fast'), 'fal-ai/flux-lora-fast-training');
});

test('buildPhotoArchive makes a real zip of the photos, and refuses ambiguous names', () => {
  const archive = buildPhotoArchive(photos(3));
  assert.equal(Object.keys(unzipSync(archive)), ['photo-01.jpg', 'photo-02.jpg', 'photo-03.jpg']);
  assert.throws(() => buildPhotoArchive([...photos(1), ...photos(1)]), /two photos are named/);
  assert.throws(() => buildPhotoArchive([{ name: '../evil.jpg', bytes: new Uint8Array(1) }]), /plain file name/);
});

test('upload, submit, then a signed webhook that verifies and carries the LoRA', async () => {
  const { gateway, emulator } = world;
  const archiveUrl = await gateway.uploadFile(buildPhotoArchive(photos(12)), {
    contentType: 'application/zip',
    fileName: 'photos.zip',
  });
  const webhookUrl = `${world.receiver.url}/fal/webhook?attempt=att-1`;
  const submission = await gateway.submitTraining({
    trainer: 'portrait',
    archiveUrl,
    triggerPhrase: 'avtr1a2b3c4d',
    steps: 2500,
    webhookUrl,
  });
  assert.is(submission.endpoint, 'fal-ai/flux-lora-portrait-trainer');

  const job = emulator.job(submission.requestId);
  assert.is(job.webhookUrl, webhookUrl);
  assert.equal(job.input, {
    images_data_url: archiveUrl,
    trigger_phrase: 'avtr1a2b3c4d',
    steps: 2500,
    learning_rate: 0.00009,
    multiresolution_training: true,
    subject_crop: true,
    create_masks: false,
  });

  const [webhook] = await world.webhooksOf(submission.requestId);
  assert.ok(webhook);
  const verdict = await verifyFalWebhook({
    headers: webhook.headers,
    rawBody: webhook.rawBody,
    keys: new FalJwksCache({ url: emulator.jwksUrl }),
  });
  assert.equal(verdict.ok && verdict.requestId, submission.requestId);

  const parsed = parseFalWebhook(webhook.rawBody);
  assert.ok(parsed.ok);
  const outcome: FalOutcome | null = parsed.ok ? parsed.outcome : null;
  if (outcome?.kind !== 'succeeded' || outcome.output.kind !== 'training') throw new Error(`unexpected ${JSON.stringify(outcome)}`);
  const lora = await fetch(outcome.output.loraUrl);
  assert.is(lora.status, 200);
  assert.is((await (await fetch(outcome.output.configUrl)).json() as { trigger_phrase: string }).trigger_phrase, 'avtr1a2b3c4d');
});

test('the fast trainer gets trigger_word, masks and is_style', async () => {
  const { gateway, emulator } = world;
  const archiveUrl = await gateway.uploadFile(buildPhotoArchive(photos(10)), { contentType: 'application/zip', fileName: 'p.zip' });
  const submission = await gateway.submitTraining({
    trainer: 'fast',
    archiveUrl,
    triggerPhrase: 'avtrfast',
    steps: 1000,
    webhookUrl: `${world.receiver.url}/fal/webhook`,
  });
  assert.is(submission.endpoint, 'fal-ai/flux-lora-fast-training');
  assert.equal(emulator.job(submission.requestId).input, {
    images_data_url: archiveUrl,
    trigger_word: 'avtrfast',
    steps: 1000,
    create_masks: true,
    is_style: false,
  });
});

test('too few photos in the archive end the training with a readable model error', async () => {
  const { gateway } = world;
  const archiveUrl = await gateway.uploadFile(buildPhotoArchive(photos(9)), { contentType: 'application/zip', fileName: 'p.zip' });
  const submission = await gateway.submitTraining({
    trainer: 'portrait',
    archiveUrl,
    triggerPhrase: 'avtrfew',
    steps: 2500,
    webhookUrl: `${world.receiver.url}/fal/webhook`,
  });
  const [webhook] = await world.webhooksOf(submission.requestId);
  const parsed = parseFalWebhook(webhook?.rawBody ?? Buffer.alloc(0));
  assert.equal(parsed.ok && parsed.outcome, {
    kind: 'model_error',
    httpStatus: 422,
    reason: 'images_data_url: The archive has 9 images; at least 10 are required',
  });
});

test.run();
