/** Why the machine refused an event: a code the apps translate, and a sentence for logs and replay. */
export type RejectionCode =
  | 'stream_missing'
  | 'stream_exists'
  | 'not_accepted_in_status'
  | 'photo_duplicate'
  | 'photo_limit_reached'
  | 'photo_too_small'
  | 'photo_too_large'
  | 'photo_unknown'
  | 'not_enough_photos'
  | 'photos_mismatch'
  | 'attempt_reused'
  | 'trigger_phrase_changed'
  | 'attempt_mismatch'
  | 'request_mismatch'
  | 'fal_status_regressed'
  | 'insufficient_credits'
  | 'reservation_exists'
  | 'reservation_unknown'
  | 'grant_exists'
  | 'payment_exists'
  | 'payment_unknown'
  | 'payment_refunded'
  | 'credits_spent'
  | 'amount_mismatch'
  | 'amount_invalid'
  | 'machine_error';

export interface Refusal {
  code: RejectionCode;
  reason: string;
}

/** A typed rejection: the status the stream was in, the refused event type, and why. */
export interface Rejection<TStatus extends string = string> extends Refusal {
  status: TStatus | null;
  eventType: string;
}

export function refuse(code: RejectionCode, reason: string): Refusal {
  return { code, reason };
}
