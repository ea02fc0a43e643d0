import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** Where fal documents its webhook keys; newer fal code uses rest.fal.ai. */
export const defaultFalJwksUrl = 'https://rest.alpha.fal.ai/.well-known/jwks.json';

/** fal's webhook public keys. Headers carry no key id: a signature is good if any key verifies it. */
export interface FalKeySource {
  /** The keys to try first. Throws `FalKeysUnavailable` when there are none to try. */
  keys(): Promise<readonly KeyObject[]>;
  /** Keys fetched anew, for when none of `keys()` verifies; the cached ones when asked too often. */
  refresh(): Promise<readonly KeyObject[]>;
}

export class FalKeysUnavailable extends Error {
  override readonly name = 'FalKeysUnavailable';
}

export interface FalJwksCacheOptions {
  url?: string;
  fetch?: typeof fetch;
  /** Keys older than this are not used. Default 24 h. */
  maxAgeMs?: number;
  /** At most one fetch per this interval, whatever the traffic: forged webhooks cannot hammer fal. Default 1 min. */
  minFetchIntervalMs?: number;
  timeoutMs?: number;
  clock?: () => number;
}

const jwks = z.object({ keys: z.array(z.unknown()) });
const ed25519Jwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1) });

/** fal's JWKS, fetched when needed and kept at most `maxAgeMs`. */
export class FalJwksCache implements FalKeySource {
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #maxAgeMs: number;
  readonly #minFetchIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  #keys: readonly KeyObject[] = [];
  #fetchedAt: number | null = null;
  #attemptedAt: number | null = null;
  #inFlight: Promise<void> | null = null;
  #lastProblem = 'the keys were never fetched';

  constructor(options: FalJwksCacheOptions = {}) {
    this.#url = options.url ?? defaultFalJwksUrl;
    this.#fetch = options.fetch ?? fetch;
    this.#maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
    this.#minFetchIntervalMs = options.minFetchIntervalMs ?? 60 * 1000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  async keys(): Promise<readonly KeyObject[]> {
    if (!this.#fresh()) await this.#fetchUnlessTooSoon();
    if (!this.#fresh()) throw new FalKeysUnavailable(`no usable fal webhook keys: ${this.#lastProblem}`);
    return this.#keys;
  }

  async refresh(): Promise<readonly KeyObject[]> {
    await this.#fetchUnlessTooSoon();
    return this.keys();
  }

  #fresh(): boolean {
    return this.#fetchedAt !== null && this.#clock() - this.#fetchedAt < this.#maxAgeMs;
  }

  #fetchUnlessTooSoon(): Promise<void> {
    if (this.#inFlight !== null) return this.#inFlight;
    const now = this.#clock();
    if (this.#attemptedAt !== null && now - this.#attemptedAt < this.#minFetchIntervalMs) return Promise.resolve();
    this.#attemptedAt = now;
    this.#inFlight = this.#fetchKeys().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  /** Keeps the previous keys when the fetch fails, and records why for `FalKeysUnavailable`. */
  async #fetchKeys(): Promise<void> {
    try {
      const response = await this.#fetch(this.#url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      if (!response.ok) {
        this.#lastProblem = `${this.#url} answered HTTP ${response.status}`;
        return;
      }
      const body = jwks.safeParse(await response.json());
      const keys = body.success ? body.data.keys.flatMap(toPublicKey) : [];
      if (keys.length === 0) {
        this.#lastProblem = `${this.#url} lists no Ed25519 key`;
        return;
      }
      this.#keys = keys;
      this.#fetchedAt = this.#clock();
    } catch (error) {
      this.#lastProblem = `fetching ${this.#url} failed: ${String(error)}`;
    }
  }
}

function toPublicKey(entry: unknown): KeyObject[] {
  const jwk = ed25519Jwk.safeParse(entry);
  if (!jwk.success) return [];
  try {
    return [createPublicKey({ key: jwk.data, format: 'jwk' })];
  } catch {
    return [];
  }
}
