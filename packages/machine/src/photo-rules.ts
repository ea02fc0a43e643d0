import type { EventOf } from './events.js';
import { refuse, type Refusal } from './rejection.js';

/** Photo limits of lifecycle-spec.md, shared by the machine and the bot's pre-checks. */
export const photoLimits = {
  minToTrain: 10,
  max: 20,
  minShortestSidePx: 512,
  /** The Bot API download limit. */
  maxBytes: 20 * 1024 * 1024,
} as const;

export interface Photo {
  photoId: string;
  telegramFileId: string;
  fileUniqueId: string;
  sha256: string;
  width: number;
  height: number;
  bytes: number;
  mime: EventOf<'PhotoAdded'>['mime'];
}

export function photoAdditionRefusal(photos: readonly Photo[], photo: EventOf<'PhotoAdded'>): Refusal | null {
  if (photos.some((p) => p.photoId === photo.photoId)) {
    return refuse('photo_duplicate', `photo ${photo.photoId} was already added`);
  }
  if (photos.some((p) => p.fileUniqueId === photo.fileUniqueId || p.sha256 === photo.sha256)) {
    return refuse('photo_duplicate', 'the same photo was already added');
  }
  if (photos.length >= photoLimits.max) {
    return refuse('photo_limit_reached', `an avatar has at most ${photoLimits.max} photos`);
  }
  if (Math.min(photo.width, photo.height) < photoLimits.minShortestSidePx) {
    return refuse(
      'photo_too_small',
      `the shortest side is ${Math.min(photo.width, photo.height)} px; at least ${photoLimits.minShortestSidePx} px is needed`,
    );
  }
  if (photo.bytes > photoLimits.maxBytes) {
    return refuse('photo_too_large', `the photo is ${photo.bytes} bytes; at most ${photoLimits.maxBytes} are allowed`);
  }
  return null;
}

export function photoRemovalRefusal(photos: readonly Photo[], photoId: string): Refusal | null {
  return photos.some((p) => p.photoId === photoId) ? null : refuse('photo_unknown', `photo ${photoId} is not on this avatar`);
}

/** The photo a `PhotoAdded` event adds, field by field (an object rest would copy on V8's slow path, per replayed event). */
export function toPhoto({ photoId, telegramFileId, fileUniqueId, sha256, width, height, bytes, mime }: EventOf<'PhotoAdded'>): Photo {
  return { photoId, telegramFileId, fileUniqueId, sha256, width, height, bytes, mime };
}
