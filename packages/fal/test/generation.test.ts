import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPhotoArchive, parseFalWebhook, promptWithTrigger, type FalOutcome } from '../src/index.js';
import { photos, rejectionOf, startFalWorld, type FalWorld } from './helpers.js';

const test = suite('generation through the gateway');
let world: FalWorld;
let loraUrl: string;

test.before(async () => {
  world = await startFalWorld();
  // A LoRA the emulator really holds, as after a training.
  loraUrl = await world.gateway.uploadFile(buildPhotoArchive(photos(1)), {
    contentType: 'application/octet-stream',
    fileName: 'pytorch_lora_weights.safetensors',
  });
});
test.after(() => world.close());

const request = (overrides: Partial<Parameters<FalWorld['gateway']['submitGeneration']>[0]> = {}) => ({
  loraUrl,
  triggerPhrase: 'avtr1a2b3c4d',
  prompt: 'в красном платье на фоне моря',
  aspectRatio: '3:4' as const,
  numImages: 2,
  webhookUrl: `${world.receiver.url}/fal/webhook?generation=g-1`,
  ...overrides,
});

function generationOf(outcome: FalOutcome | undefined) {
  if (outcome?.kind !== 'succeeded' || outcome.output.kind !== 'generation') throw new Error(`unexpected ${JSON.stringify(outcome)}`);
  return outcome.output;
}

test('3:4 asks fal for portrait_4_3 with the LoRA and the trigger phrase leading the prompt', async () => {
  const submission = await world.gateway.submitGeneration(request());
  assert.is(submission.endpoint, 'fal-ai/flux-lora');
  const { input } = world.emulator.job(submission.requestId);
  assert.equal(input, {
    prompt: 'avtr1a2b3c4d, в красном платье на фоне моря',
    loras: [{ path: loraUrl, scale: 1 }],
    image_size: 'portrait_4_3',
    num_images: 2,
    num_inference_steps: 28,
    guidance_scale: 3.5,
    enable_safety_checker: true,
    output_format: 'png',
  });
  assert.is(promptWithTrigger('avtr1a2b3c4d', 'x'), 'avtr1a2b3c4d, x');

  const [webhook] = await world.webhooksOf(submission.requestId);
  const parsed = parseFalWebhook(webhook?.rawBody ?? Buffer.alloc(0));
  const output = generationOf(parsed.ok ? parsed.outcome : undefined);
  assert.equal(
    output.images.map((image) => [image.width, image.height, image.contentType]),
    [
      [768, 1024, 'image/png'],
      [768, 1024, 'image/png'],
    ],
  );
  assert.equal(output.hasNsfwConcepts, [false, false]);
});

test('every aspect ratio maps to its preset', async () => {
  const expected = { '1:1': [1024, 1024], '9:16': [576, 1024], '4:3': [1024, 768], '16:9': [1024, 576] } as const;
  for (const [aspectRatio, size] of Object.entries(expected)) {
    const submission = await world.gateway.submitGeneration(request({ aspectRatio: aspectRatio as keyof typeof expected, numImages: 1 }));
    const [webhook] = await world.webhooksOf(submission.requestId);
    const parsed = parseFalWebhook(webhook?.rawBody ?? Buffer.alloc(0));
    const [image] = generationOf(parsed.ok ? parsed.outcome : undefined).images;
    assert.equal([image?.width, image?.height], size, aspectRatio);
  }
});

test('a 2^64−1 seed survives exactly, from the webhook and from result()', async () => {
  world.emulator.queueSeeds(2n ** 64n - 1n);
  const submission = await world.gateway.submitGeneration(request({ numImages: 1 }));
  const [webhook] = await world.webhooksOf(submission.requestId);
  const parsed = parseFalWebhook(webhook?.rawBody ?? Buffer.alloc(0));
  assert.is(generationOf(parsed.ok ? parsed.outcome : undefined).seed, '18446744073709551615');
  const result = await world.gateway.result(submission.endpoint, submission.requestId);
  assert.is(generationOf(result.kind === 'succeeded' ? result : undefined).seed, '18446744073709551615');
});

test('more than 4 images is refused before anything reaches fal', async () => {
  const before = world.emulator.jobs().length;
  const error = await rejectionOf(world.gateway.submitGeneration(request({ numImages: 5 })));
  assert.instance(error, RangeError);
  assert.is(world.emulator.jobs().length, before);
});

test.run();
