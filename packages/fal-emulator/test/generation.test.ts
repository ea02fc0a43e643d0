import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFalEmulator, type FalEmulator } from '../src/index.js';
import { falFetch, pngSize, submit, upload } from './helpers.js';

const test = suite('flux-lora generation');
let emulator: FalEmulator;

test.before(async () => {
  emulator = await startFalEmulator({ queueMs: 600_000, generationMs: 600_000 });
});
test.after(() => emulator.close());

async function generate(input: Record<string, unknown>): Promise<Response> {
  const requestId = await submit(emulator, 'fal-ai/flux-lora', input);
  await emulator.advance(requestId);
  await emulator.advance(requestId);
  return falFetch(emulator, `/queue/fal-ai/flux-lora/requests/${requestId}`);
}

test('images are real PNGs of the preset size, one per requested image', async () => {
  const response = await generate({ prompt: 'avtr1, a portrait', image_size: 'portrait_4_3', num_images: 2 });
  assert.is(response.status, 200);
  const output = (await response.json()) as {
    images: { url: string; width: number; height: number; content_type: string }[];
    has_nsfw_concepts: boolean[];
    prompt: string;
  };
  assert.is(output.images.length, 2);
  assert.equal(output.has_nsfw_concepts, [false, false]);
  assert.is(output.prompt, 'avtr1, a portrait');
  for (const image of output.images) {
    assert.equal([image.width, image.height, image.content_type], [768, 1024, 'image/png']);
    const file = await fetch(image.url);
    assert.is(file.headers.get('content-type'), 'image/png');
    assert.equal(pngSize(new Uint8Array(await file.arrayBuffer())), { width: 768, height: 1024 });
  }
});

test('the seed is written exactly, even beyond 2^53', async () => {
  emulator.queueSeeds(2n ** 64n - 1n);
  const exact = await (await generate({ prompt: 'p' })).text();
  assert.match(exact, /"seed": 18446744073709551615[,}]/);

  const random = await (await generate({ prompt: 'p' })).text();
  const seed = BigInt(/"seed": (\d+)/.exec(random)?.[1] ?? '0');
  assert.ok(seed > 2n ** 53n, `seed ${seed} should not fit a double exactly`);
});

test('without image_size the model uses landscape_4_3', async () => {
  const output = (await (await generate({ prompt: 'p' })).json()) as { images: { width: number; height: number }[] };
  assert.equal(output.images.map((i) => [i.width, i.height]), [[1024, 768]]);
});

test('a LoRA URL on the emulator that holds no file fails the generation', async () => {
  const lora = await upload(emulator, new Uint8Array([1, 2, 3]), 'lora.safetensors');
  const missing = lora.replace(/\/files\/[0-9a-f]+\//, '/files/000000000000000000000000/');
  const response = await generate({ prompt: 'p', loras: [{ path: missing, scale: 1 }] });
  assert.is(response.status, 422);
  const { detail } = (await response.json()) as { detail: { loc: unknown[]; type: string }[] };
  assert.equal(detail[0]?.loc, ['body', 'loras', 0, 'path']);
  assert.is(detail[0]?.type, 'file_download_error');
  assert.is((await generate({ prompt: 'p', loras: [{ path: lora, scale: 1 }] })).status, 200);
});

test.run();
