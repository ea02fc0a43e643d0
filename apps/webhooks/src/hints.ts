import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Hints the app adds to the webhook URL it gives fal: which stream and attempt a submission was
 * for, signed with our own secret. They let a webhook for a request id the database never learned
 * (a crash between "fal took it" and "recorded") still find its attempt. fal's signature does not
 * cover the URL, so the HMAC is what makes a hint trustworthy.
 */
export interface SubmissionHint {
  streamId: string;
  /** The training attempt; for a generation, the generation id. */
  attemptId: string;
}

function hintSignature(secret: string, { streamId, attemptId }: SubmissionHint): Buffer {
  return createHmac('sha256', secret).update(`${streamId}\n${attemptId}`, 'utf8').digest();
}

export function falWebhookUrl(publicUrl: string, secret: string, hint: SubmissionHint): string {
  const query = new URLSearchParams({
    stream: hint.streamId,
    attempt: hint.attemptId,
    sig: hintSignature(secret, hint).toString('hex'),
  });
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/fal?${query.toString()}`;
}

export type HintReading = { kind: 'none' } | { kind: 'valid'; hint: SubmissionHint } | { kind: 'invalid'; detail: string };

/** The hint of a webhook's query string, checked against our secret in constant time. */
export function readHint(query: unknown, secret: string): HintReading {
  const { stream, attempt, sig } = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  if (stream === undefined && attempt === undefined && sig === undefined) return { kind: 'none' };
  if (typeof stream !== 'string' || typeof attempt !== 'string' || typeof sig !== 'string' || stream === '' || attempt === '') {
    return { kind: 'invalid', detail: 'stream, attempt and sig must each be given once' };
  }
  if (!/^[0-9a-f]{64}$/i.test(sig)) return { kind: 'invalid', detail: 'sig is not 32 bytes of hex' };
  const hint = { streamId: stream, attemptId: attempt };
  if (!timingSafeEqual(Buffer.from(sig, 'hex'), hintSignature(secret, hint))) return { kind: 'invalid', detail: 'sig does not match' };
  return { kind: 'valid', hint };
}
