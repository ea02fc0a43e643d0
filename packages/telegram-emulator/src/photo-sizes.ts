import { createHash } from 'node:crypto';
import type { PhotoSize } from '@grammyjs/types';
import { imageSize } from 'image-size';
import type { FileStore, StoredFile } from './files.js';
import { makeTestImage } from './test-image.js';

export interface ImageInfo {
  width: number;
  height: number;
  /** The file extension of the format, e.g. `jpg` or `png`. */
  extension: string;
}

/** The real dimensions and format of image bytes, or undefined when they are not an image. */
export function readImage(bytes: Uint8Array): ImageInfo | undefined {
  try {
    const { width, height, type } = imageSize(bytes);
    if (!width || !height) return undefined;
    return { width, height, extension: type ?? 'jpg' };
  } catch {
    return undefined;
  }
}

/** Telegram's smaller variants fit these boxes (the `s`, `m`, `x` and `y` sizes). */
const variantBoxes = [90, 320, 800, 1280];

const thumbnails = new Map<string, Uint8Array>();

/** Variant pixels are a placeholder of the right size, not a downscale: bots only download the largest. */
function thumbnailBytes(width: number, height: number): Uint8Array {
  const key = `${width}x${height}`;
  const cached = thumbnails.get(key);
  if (cached !== undefined) return cached;
  const bytes = makeTestImage({ width, height, seed: 'telegram-emulator-thumbnail' });
  thumbnails.set(key, bytes);
  return bytes;
}

const derivedUniqueId = (base: string, box: number) =>
  `AQAD${createHash('sha256').update(`${base}/${box}`).digest('base64url').slice(0, 12)}`;

const toPhotoSize = (file: StoredFile, width: number, height: number): PhotoSize => ({
  file_id: file.fileId,
  file_unique_id: file.fileUniqueId,
  width,
  height,
  file_size: file.bytes.length,
});

/**
 * Stores a photo the way Telegram delivers one: smaller variants first, the largest last (here
 * the original bytes). Variants' `file_unique_id`s derive from the largest one, so a resent file
 * (same `fileUniqueId`) keeps every unique id.
 */
export function storePhoto(files: FileStore, bytes: Uint8Array, image: ImageInfo, fileUniqueId?: string): PhotoSize[] {
  const largest = files.add({ kind: 'photo', bytes, extension: image.extension, fileUniqueId, width: image.width, height: image.height });
  const longest = Math.max(image.width, image.height);
  const variants = variantBoxes
    .filter((box) => box < longest)
    .map((box) => {
      const width = Math.max(1, Math.round((image.width * box) / longest));
      const height = Math.max(1, Math.round((image.height * box) / longest));
      const file = files.add({
        kind: 'photo',
        bytes: thumbnailBytes(width, height),
        extension: 'png',
        fileUniqueId: derivedUniqueId(largest.fileUniqueId, box),
        width,
        height,
      });
      return { file, size: toPhotoSize(file, width, height) };
    });
  const sizes = [...variants.map((v) => v.size), toPhotoSize(largest, image.width, image.height)];
  for (const file of [...variants.map((v) => v.file), largest]) file.photoSizes = sizes;
  return sizes;
}
