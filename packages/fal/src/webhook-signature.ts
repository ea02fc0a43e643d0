import { createHash, verify, type KeyObject } from 'node:crypto';
import { FalKeysUnavailable, type FalKeySource } from './jwks.js';

/** fal's tolerance for the webhook timestamp, either way. */
export const webhookToleranceSeconds = 300;

export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface FalWebhookDelivery {
  headers: WebhookHeaders;
  /** The body exactly as received: the signature covers its SHA-256. */
  rawBody: Uint8Array;
  keys: FalKeySource;
  /** Milliseconds since the epoch. */
  now?: number;
}

export type FalWebhookRejection =
  | 'missing_headers'
  | 'malformed_headers'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'bad_signature'
  /** No keys could be fetched: the webhook is not known to be bad; answer 5xx so fal retries. */
  | 'keys_unavailable';

export type FalWebhookVerdict =
  | { ok: true; requestId: string; userId: string; timestamp: number }
  | { ok: false; reason: FalWebhookRejection; detail: string };

const signedHeaders = [
  'x-fal-webhook-request-id',
  'x-fal-webhook-user-id',
  'x-fal-webhook-timestamp',
  'x-fal-webhook-signature',
] as const;

/**
 * fal's documented check: the four headers present (the user id may be empty), the timestamp
 * within ±300 s, and an Ed25519 signature by a published key over request id, user id, timestamp
 * and the hex SHA-256 of the raw body, joined by newlines.
 */
export async function verifyFalWebhook({ headers, rawBody, keys, now = Date.now() }: FalWebhookDelivery): Promise<FalWebhookVerdict> {
  const [requestId, userId, timestamp, signature] = signedHeaders.map((name) => headerValue(headers, name));
  if (requestId === undefined || userId === undefined || timestamp === undefined || signature === undefined) {
    const missing = signedHeaders.filter((name) => headerValue(headers, name) === undefined);
    return reject('missing_headers', `missing ${missing.join(', ')}`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) return reject('malformed_headers', 'the timestamp is not Unix seconds');
  if (!/^[0-9a-f]{128}$/i.test(signature)) return reject('malformed_headers', 'the signature is not 64 bytes of hex');
  const skew = Number(timestamp) - now / 1000;
  if (skew < -webhookToleranceSeconds) return reject('stale_timestamp', `signed ${Math.round(-skew)} s ago`);
  if (skew > webhookToleranceSeconds) return reject('future_timestamp', `signed ${Math.round(skew)} s in the future`);

  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  const message = Buffer.from([requestId, userId, timestamp, bodyHash].join('\n'), 'utf8');
  const signatureBytes = Buffer.from(signature, 'hex');
  const signedByOneOf = (candidates: readonly KeyObject[]) =>
    candidates.some((key) => verify(null, message, key, signatureBytes));
  try {
    // A key fal rotated in is not cached yet: look again, once, before calling the signature bad.
    if (signedByOneOf(await keys.keys()) || signedByOneOf(await keys.refresh())) {
      return { ok: true, requestId, userId, timestamp: Number(timestamp) };
    }
  } catch (error) {
    if (error instanceof FalKeysUnavailable) return reject('keys_unavailable', error.message);
    throw error;
  }
  return reject('bad_signature', 'no published fal key verifies the signature');
}

function reject(reason: FalWebhookRejection, detail: string): FalWebhookVerdict {
  return { ok: false, reason, detail };
}

/** Header names are case-insensitive, whatever object the HTTP framework hands over. */
function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}
