import type { DeliveryAttempt } from './jobs.js';
import type { SigningKeys } from './signing.js';

/** One webhook to deliver; its attempts are recorded on the job it belongs to. */
export interface Delivery {
  requestId: string;
  url: string;
  body: Buffer;
  attempts: DeliveryAttempt[];
  markDropped(): void;
}

export interface DeliverySettings {
  keys: SigningKeys;
  userId: string;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
}

type Mishap = 'drop' | 'duplicate';

/**
 * Sends webhooks the way fal does: signed, POSTed to `fal_webhook`, retried after each delay in
 * `retryDelaysMs` until the receiver answers 2xx. Tests can drop, duplicate, hold or delay them.
 */
export class WebhookDispatcher {
  readonly #settings: DeliverySettings;
  readonly #mishaps: { requestId: string | null; mishap: Mishap }[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #shutdown = new AbortController();
  #held: Delivery[] | null = null;
  #delayMs = 0;

  constructor(settings: DeliverySettings) {
    this.#settings = settings;
  }

  send(delivery: Delivery): void {
    const mishap = this.#takeMishap(delivery.requestId);
    if (mishap === 'drop') {
      delivery.markDropped();
      return;
    }
    const copies = mishap === 'duplicate' ? [delivery, delivery] : [delivery];
    if (this.#held !== null) {
      this.#held.push(...copies);
      return;
    }
    this.#after(this.#delayMs, async () => {
      for (const copy of copies) await this.#attempt(copy, 0);
    });
  }

  /** The next webhook (of `requestId`, or of any job) will be lost, or delivered twice. */
  planMishap(mishap: Mishap, requestId: string | null): void {
    this.#mishaps.push({ requestId, mishap });
  }

  hold(): void {
    this.#held ??= [];
  }

  /** Sends the held webhooks one after another (first attempts only; retries follow as usual). */
  async release(order: 'as_sent' | 'reversed'): Promise<void> {
    const held = this.#held ?? [];
    this.#held = null;
    for (const delivery of order === 'reversed' ? held.reverse() : held) await this.#attempt(delivery, 0);
  }

  delay(ms: number): void {
    this.#delayMs = ms;
  }

  close(): void {
    this.#shutdown.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #takeMishap(requestId: string): Mishap | null {
    const index = this.#mishaps.findIndex((m) => m.requestId === null || m.requestId === requestId);
    if (index === -1) return null;
    const [planned] = this.#mishaps.splice(index, 1);
    return planned?.mishap ?? null;
  }

  async #attempt(delivery: Delivery, retry: number): Promise<void> {
    if (this.#shutdown.signal.aborted) return;
    const { keys, userId, timeoutMs, retryDelaysMs } = this.#settings;
    const signed = keys.sign(delivery.requestId, userId, delivery.body, Date.now());
    const attempt: DeliveryAttempt = { status: null, error: null };
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-fal-webhook-request-id': signed.requestId,
          'x-fal-webhook-user-id': signed.userId,
          'x-fal-webhook-timestamp': signed.timestamp,
          'x-fal-webhook-signature': signed.signature,
        },
        body: delivery.body,
        signal: AbortSignal.any([this.#shutdown.signal, AbortSignal.timeout(timeoutMs)]),
      });
      attempt.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      if (this.#shutdown.signal.aborted) return;
      attempt.error = describe(error);
    }
    delivery.attempts.push(attempt);
    if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) return;
    const delay = retryDelaysMs[retry];
    if (delay !== undefined) this.#after(delay, () => this.#attempt(delivery, retry + 1));
  }

  #after(ms: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void task();
    }, ms);
    this.#timers.add(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}
