import { createHash } from 'node:crypto';
import type { PhotoMime } from '@avatar/machine';
import { imageSize } from 'image-size';

export type ImageInspection =
  | { ok: true; mime: PhotoMime; width: number; height: number; sha256: string }
  | { ok: false; problem: 'not_an_image' }
  | { ok: false; problem: 'unsupported_format'; format: string };

const mimeOfFormat: Partial<Record<string, PhotoMime>> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * What the bytes really are, read from the bytes (magic numbers and headers via image-size),
 * never from the file name or the declared mime type.
 */
export function inspectImage(bytes: Uint8Array): ImageInspection {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return { ok: false, problem: 'not_an_image' };
  }
  const format = size.type ?? 'unknown';
  const mime = mimeOfFormat[format];
  if (mime === undefined) return { ok: false, problem: 'unsupported_format', format };
  if (!size.width || !size.height) return { ok: false, problem: 'not_an_image' };
  // EXIF orientations 5–8 turn the picture by 90°: width and height swap as the user sees it.
  const turned = size.orientation !== undefined && size.orientation >= 5;
  return {
    ok: true,
    mime,
    width: turned ? size.height : size.width,
    height: turned ? size.width : size.height,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
