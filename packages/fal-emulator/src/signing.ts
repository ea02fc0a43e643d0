import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { PyJson } from './python-json.js';

export interface WebhookSignature {
  requestId: string;
  userId: string;
  timestamp: string;
  signature: string;
}

/** fal's scheme: Ed25519 over request id, user id, timestamp and hex SHA-256 of the body, joined by `\n`. */
export function signFalWebhook(
  key: KeyObject,
  { requestId, userId, timestamp, body }: { requestId: string; userId: string; timestamp: string; body: Uint8Array | string },
): WebhookSignature {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const message = Buffer.from([requestId, userId, timestamp, bodyHash].join('\n'), 'utf8');
  return { requestId, userId, timestamp, signature: sign(null, message, key).toString('hex') };
}

/** The four `X-Fal-Webhook-*` headers fal sends with a signed body. */
export function falWebhookHeaders({ requestId, userId, timestamp, signature }: WebhookSignature): Record<string, string> {
  return {
    'x-fal-webhook-request-id': requestId,
    'x-fal-webhook-user-id': userId,
    'x-fal-webhook-timestamp': timestamp,
    'x-fal-webhook-signature': signature,
  };
}

/**
 * The emulator's webhook signing keys. Every key it has signed with stays in the JWKS unless
 * retired, as a real key rotation would leave it; `signWithUnpublishedKey` stands in for a forger.
 */
export class SigningKeys {
  #current = generateKeyPairSync('ed25519');
  #published: KeyObject[] = [this.#current.publicKey];
  #unpublished = generateKeyPairSync('ed25519');
  #useUnpublished = false;

  rotate({ retirePrevious }: { retirePrevious: boolean }): void {
    this.#current = generateKeyPairSync('ed25519');
    this.#published = retirePrevious ? [this.#current.publicKey] : [this.#current.publicKey, ...this.#published];
  }

  signWithUnpublishedKey(enabled: boolean): void {
    this.#useUnpublished = enabled;
  }

  sign(requestId: string, userId: string, body: Uint8Array, now: number): WebhookSignature {
    const key = this.#useUnpublished ? this.#unpublished.privateKey : this.#current.privateKey;
    return signFalWebhook(key, { requestId, userId, timestamp: String(Math.floor(now / 1000)), body });
  }

  jwks(): PyJson {
    return {
      keys: this.#published.map((key) => {
        const { x } = key.export({ format: 'jwk' });
        return { kty: 'OKP', crv: 'Ed25519', x: x ?? null };
      }),
    };
  }
}
