import { buildPhotoArchive, FalRejected, type ArchivePhoto } from '@avatar/fal';
import type { AvatarState, Photo } from '@avatar/machine';
import { TelegramFileError, type TelegramFiles } from '@avatar/telegram-files';
import type { Preparation } from './submission.js';

const extensions: Record<Photo['mime'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const parallelDownloads = 4;

/**
 * The attempt's photos, downloaded from Telegram by file id (there is no other copy), zipped and
 * uploaded to fal's storage: the URL the trainer downloads them from.
 */
export async function uploadAttemptPhotos(
  state: AvatarState,
  deps: { telegramFiles: TelegramFiles; upload(bytes: Uint8Array, file: { contentType: string; fileName: string }): Promise<string> },
): Promise<Preparation<string>> {
  const attempt = state.context.attempt;
  if (attempt === null) return { ok: false, failure: { reason: 'no training attempt is in flight', retryable: false } };
  const byId = new Map(state.context.photos.map((photo) => [photo.photoId, photo]));
  const photos = attempt.photoIds.map((photoId) => byId.get(photoId));
  const missing = attempt.photoIds.filter((_, i) => photos[i] === undefined);
  if (missing.length > 0) {
    return { ok: false, failure: { reason: `the attempt names photos the avatar does not have: ${missing.join(', ')}`, retryable: false } };
  }

  let files: ArchivePhoto[];
  try {
    files = await inBatches(photos as Photo[], parallelDownloads, async (photo, index) => ({
      name: `photo-${String(index + 1).padStart(2, '0')}.${extensions[photo.mime]}`,
      bytes: (await deps.telegramFiles.download(photo.telegramFileId)).bytes,
    }));
  } catch (error) {
    if (!(error instanceof TelegramFileError)) throw error;
    if (error.retryable) {
      return {
        ok: false,
        retry: `downloading a photo from Telegram failed: ${error.message}`,
        ...(error.retryAfterMs !== null ? { notBeforeMs: error.retryAfterMs } : {}),
      };
    }
    return {
      ok: false,
      failure: {
        reason: `a photo can no longer be downloaded from Telegram (${error.message}); replace it and start the training again`,
        retryable: false,
      },
    };
  }

  try {
    return { ok: true, value: await deps.upload(buildPhotoArchive(files), { contentType: 'application/zip', fileName: 'photos.zip' }) };
  } catch (error) {
    if (error instanceof FalRejected) return { ok: false, failure: { reason: `fal refused the photos: ${error.reason}`, retryable: false } };
    return { ok: false, retry: `uploading the photos to fal failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Maps `items` with at most `width` calls in flight, keeping their order. */
async function inBatches<T, R>(items: readonly T[], width: number, map: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) {
    const batch = items.slice(start, start + width);
    results.push(...(await Promise.all(batch.map((item, i) => map(item, start + i)))));
  }
  return results;
}
