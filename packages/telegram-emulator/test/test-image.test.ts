import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { imageSize } from 'image-size';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeNonImage, makeTestImage } from '../src/index.js';

const test = suite('test images');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Splits a PNG into its chunks, checking the signature. */
function pngChunks(bytes: Uint8Array): { type: string; data: Buffer }[] {
  const buffer = Buffer.from(bytes);
  assert.equal([...buffer.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let offset = 8; offset < buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    chunks.push({ type: buffer.toString('ascii', offset + 4, offset + 8), data: buffer.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

test('makeTestImage gives a PNG of exactly the requested size', () => {
  for (const [width, height] of [[1, 1], [640, 480], [513, 2000]] as const) {
    assert.equal(imageSize(makeTestImage({ width, height, seed: 'size' })), { width, height, type: 'png' });
  }
});

test('the pixel data decompresses to one filtered RGB row per line', () => {
  const chunks = pngChunks(makeTestImage({ width: 33, height: 17, seed: 3 }));
  assert.equal(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  const idat = chunks[1]?.data ?? Buffer.alloc(0);
  assert.is(inflateSync(idat).length, 17 * (1 + 33 * 3));
});

test('different seeds give different bytes, the same seed the same bytes', () => {
  const a = makeTestImage({ width: 800, height: 600, seed: 1 });
  const b = makeTestImage({ width: 800, height: 600, seed: 2 });
  const again = makeTestImage({ width: 800, height: 600, seed: 1 });
  assert.is.not(sha256(a), sha256(b));
  assert.is(sha256(a), sha256(again));
});

test('a 1600×1600 image is generated', () => {
  const bytes = makeTestImage({ width: 1600, height: 1600, seed: 'large' });
  assert.equal(imageSize(bytes), { width: 1600, height: 1600, type: 'png' });
});

test('makeNonImage is not an image', () => {
  assert.throws(() => imageSize(makeNonImage()));
});

test.run();
