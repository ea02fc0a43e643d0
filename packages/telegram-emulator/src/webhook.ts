import type { Update, WebhookInfo } from '@grammyjs/types';
import type { UpdateQueue } from './update-queue.js';

export interface WebhookSettings {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
}

export interface WebhookTiming {
  /** The first redelivery delay after a failed delivery; it doubles up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  requestTimeoutMs: number;
}

/** Runs a Bot API call that a webhook answered with (`{"method": ..., ...params}` as the response body). */
export type WebhookReplyHandler = (method: string, params: Record<string, unknown>) => Promise<void>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'Read timeout expired';
  const cause = error instanceof Error ? error.cause : undefined;
  if (isRecord(cause) && cause.code === 'ECONNREFUSED') return 'Connection refused';
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Webhook mode: each pending update is POSTed to the URL, one at a time in update_id order. A
 * non-2xx answer or a network error keeps the update queued and retries it after a growing delay.
 */
export class Webhook {
  private settings: WebhookSettings | undefined;
  private lastError: { date: number; message: string } | undefined;
  private generation = 0;
  private interrupt: (() => void) | undefined;
  private wakeWhenIdle: (() => void) | undefined;
  private readonly closed = new AbortController();

  constructor(
    private readonly queue: UpdateQueue,
    private readonly timing: WebhookTiming,
    private readonly onReply: WebhookReplyHandler,
  ) {
    queue.onPush(() => this.wakeWhenIdle?.());
  }

  get active(): boolean {
    return this.settings !== undefined;
  }

  set(settings: WebhookSettings): void {
    this.settings = settings;
    this.lastError = undefined;
    const generation = this.restart();
    void this.deliverPending(generation);
  }

  delete(): void {
    this.settings = undefined;
    this.restart();
  }

  close(): void {
    this.delete();
    this.closed.abort();
  }

  info(): WebhookInfo {
    return {
      url: this.settings?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.size,
      ...(this.settings && { max_connections: this.settings.maxConnections }),
      ...(this.lastError && { last_error_date: this.lastError.date, last_error_message: this.lastError.message }),
      ...(this.queue.allowedUpdates() && { allowed_updates: this.queue.allowedUpdates() }),
    };
  }

  private restart(): number {
    this.generation++;
    this.interrupt?.();
    return this.generation;
  }

  private async deliverPending(generation: number): Promise<void> {
    let retryDelay = this.timing.retryDelayMs;
    while (generation === this.generation && this.settings !== undefined) {
      const [update] = this.queue.peek(1);
      if (update === undefined) {
        await this.pause(undefined);
        continue;
      }
      const failure = await this.deliver(update, this.settings);
      // A delivered update is confirmed even if the webhook changed meanwhile.
      if (failure === undefined) {
        this.queue.remove(update.update_id);
        retryDelay = this.timing.retryDelayMs;
        continue;
      }
      if (generation !== this.generation) return;
      this.lastError = { date: Math.floor(Date.now() / 1000), message: failure };
      await this.pause(retryDelay);
      retryDelay = Math.min(retryDelay * 2, this.timing.maxRetryDelayMs);
    }
  }

  /** Waits `ms`, or (when undefined) until an update arrives; a new setting interrupts either. */
  private pause(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        this.wakeWhenIdle = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.interrupt = done;
      if (ms === undefined) this.wakeWhenIdle = done;
    });
  }

  /** Returns undefined when delivered, else the reason, worded like getWebhookInfo's last_error_message. */
  private async deliver(update: Update, settings: WebhookSettings): Promise<string | undefined> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (settings.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = settings.secretToken;
    try {
      const response = await fetch(settings.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        signal: AbortSignal.any([this.closed.signal, AbortSignal.timeout(this.timing.requestTimeoutMs)]),
      });
      const body = await response.text();
      if (!response.ok) return `Wrong response from the webhook: ${response.status} ${response.statusText}`;
      await this.runReply(body);
      return undefined;
    } catch (error) {
      return describeFailure(error);
    }
  }

  private async runReply(body: string): Promise<void> {
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      return;
    }
    if (!isRecord(reply) || typeof reply.method !== 'string') return;
    const { method, ...params } = reply;
    await this.onReply(method, params);
  }
}
