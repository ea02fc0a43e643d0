import { ApiError } from '@fal-ai/client';
import { readableReason } from './outcome.js';

/**
 * Every way a call to fal can fail, by what the caller should do about it:
 * - `rejected`: fal answered 4xx; the same call will never succeed (`reason` says why);
 * - `unavailable`: fal answered 5xx or 429 after the client's own retries; it did not take the
 *   job, so trying again later is safe;
 * - `unreachable`: no answer (timeout or network); fal may or may not have taken the job, so find
 *   out (status, webhook) before submitting again;
 * - `unexpected_response`: fal answered 2xx with something this code does not understand.
 */
export type FalFailureKind = 'rejected' | 'unavailable' | 'unreachable' | 'unexpected_response';

export abstract class FalError extends Error {
  abstract readonly kind: FalFailureKind;
}

export class FalRejected extends FalError {
  override readonly name = 'FalRejected';
  readonly kind = 'rejected';

  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`fal rejected the call (HTTP ${httpStatus}): ${reason}`, options);
  }
}

export class FalUnavailable extends FalError {
  override readonly name = 'FalUnavailable';
  readonly kind = 'unavailable';

  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`fal is unavailable (HTTP ${httpStatus}): ${reason}`, options);
  }
}

export class FalUnreachable extends FalError {
  override readonly name = 'FalUnreachable';
  readonly kind = 'unreachable';

  constructor(
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(timedOut ? 'fal did not answer in time' : 'fal could not be reached', options);
  }
}

export class FalUnexpectedResponse extends FalError {
  override readonly name = 'FalUnexpectedResponse';
  readonly kind = 'unexpected_response';
}

/** The FalError for what the client threw; anything else (a bug here) is rethrown as it is. */
export function toFalError(error: unknown): FalError {
  if (error instanceof FalError) return error;
  if (error instanceof ApiError) {
    const reason = readableReason(error.body, error.message);
    return error.status === 429 || error.status >= 500
      ? new FalUnavailable(error.status, reason, { cause: error })
      : new FalRejected(error.status, reason, { cause: error });
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new FalUnreachable(true, { cause: error });
  }
  // Node's fetch reports every transport failure as `TypeError: fetch failed`.
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return new FalUnreachable(false, { cause: error });
  throw error;
}
