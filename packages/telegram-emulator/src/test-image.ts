import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export interface TestImageOptions {
  width: number;
  height: number;
  /** Different seeds give different pixels, hence different bytes and SHA-256. */
  seed: number | string;
  /** Only PNG is generated: a correct baseline JPEG encoder is not worth its size here. */
  format?: 'png';
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Real PNG bytes (8-bit RGB) of exactly `width`×`height`; a cheap seeded gradient keeps 1600×1600 fast. */
export function makeTestImage({ width, height, seed }: TestImageOptions): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  const key = createHash('sha256').update(String(seed)).digest();
  const [r0 = 0, g0 = 0, b0 = 0, rStep = 1, gStep = 1, bStep = 1] = key;
  const rowLength = 1 + width * 3;
  const raw = Buffer.alloc(rowLength * height);
  for (let y = 0; y < height; y++) {
    const row = y * rowLength; // the filter byte stays 0 ("none")
    const r = (r0 + y * rStep) & 0xff;
    for (let x = 0; x < width; x++) {
      const pixel = row + 1 + x * 3;
      raw[pixel] = r;
      raw[pixel + 1] = (g0 + x * gStep) & 0xff;
      raw[pixel + 2] = (b0 + (x ^ y) * bStep) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter method, no interlace
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw, { level: 1 })),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** Bytes that are not an image in any format (a tiny PDF-like text), for "not an image" paths. */
export function makeNonImage(): Uint8Array {
  return new TextEncoder().encode('%PDF-1.4\n% not an image: a test payload for rejection paths\n%%EOF\n');
}
