import { photoLimits, type Rejection, type RejectionCode } from '@avatar/machine';
import type { FormattedString } from '@grammyjs/parse-mode';
import type { Texts } from './i18n/texts.js';

/** Why a photo was not added: the machine's codes, and what the bot finds out before asking it. */
export type PhotoRefusalCode = RejectionCode | 'not_an_image' | 'unsupported_format' | 'download_failed';

/** Every machine rejection has a message for the user; a new code does not compile until it gets one. */
const messageKeys: Record<PhotoRefusalCode, string> = {
  stream_missing: 'rejected-avatar-missing',
  stream_exists: 'rejected-already-done',
  not_accepted_in_status: 'rejected-status',
  photo_duplicate: 'photo-rejected-duplicate',
  photo_limit_reached: 'photo-rejected-limit',
  photo_too_small: 'photo-rejected-too-small',
  photo_too_large: 'photo-rejected-too-large',
  photo_unknown: 'rejected-photo-gone',
  not_enough_photos: 'rejected-not-enough-photos',
  photos_mismatch: 'rejected-changed',
  attempt_reused: 'rejected-already-done',
  trigger_phrase_changed: 'rejected-internal',
  attempt_mismatch: 'rejected-changed',
  request_mismatch: 'rejected-internal',
  fal_status_regressed: 'rejected-internal',
  machine_error: 'rejected-internal',
  insufficient_credits: 'rejected-insufficient-credits',
  reservation_exists: 'rejected-already-done',
  reservation_unknown: 'rejected-internal',
  grant_exists: 'rejected-already-done',
  payment_exists: 'rejected-already-done',
  payment_unknown: 'rejected-internal',
  payment_refunded: 'rejected-already-done',
  credits_spent: 'rejected-credits-spent',
  amount_mismatch: 'rejected-internal',
  amount_invalid: 'rejected-internal',
  not_an_image: 'photo-rejected-not-image',
  unsupported_format: 'photo-rejected-format',
  download_failed: 'photo-rejected-download',
};

export interface RefusalFacts {
  /** The avatar's status in the user's language. */
  status?: string;
  width?: number;
  height?: number;
  bytes?: number;
  format?: string;
}

export function refusalMessage(texts: Texts, code: PhotoRefusalCode, facts: RefusalFacts = {}): FormattedString {
  // Dimensions as plain digits ("1280×400", not "1,280×400").
  return texts.fmt(messageKeys[code], {
    status: facts.status ?? '',
    width: String(facts.width ?? 0),
    height: String(facts.height ?? 0),
    sizeMb: Math.round(((facts.bytes ?? 0) / (1024 * 1024)) * 10) / 10,
    format: (facts.format ?? '').toUpperCase(),
    min: String(photoLimits.minShortestSidePx),
    max: photoLimits.max,
    minPhotos: photoLimits.minToTrain,
    maxMb: photoLimits.maxBytes / (1024 * 1024),
  });
}

/** The status a rejection reports, in the user's language ('' when the avatar did not exist). */
export function statusName(texts: Texts, status: string | null): string {
  return status === null ? '' : texts.t(`status-${status}`);
}

/** A whole sentence for a refused command: "Not done: <the reason>". */
export function rejectionMessage(texts: Texts, rejection: Rejection): FormattedString {
  const reason = refusalMessage(texts, rejection.code, { status: statusName(texts, rejection.status) });
  return texts.fmt('not-done', { reason });
}
