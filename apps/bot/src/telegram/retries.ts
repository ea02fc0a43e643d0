import { autoRetry } from '@grammyjs/auto-retry';
import type { Api } from 'grammy';

export interface RetryLimits {
  /** Retries of one call after flood control (429) or a Telegram 5xx. */
  maxRetryAttempts: number;
  /** A longer `retry_after` fails the call instead (the notifier then schedules its own retry). */
  maxDelaySeconds: number;
}

export const defaultRetryLimits: RetryLimits = { maxRetryAttempts: 3, maxDelaySeconds: 10 };

/**
 * Bounded flood-control retries. auto-retry's defaults wait for ever; network errors are not
 * retried here at all (its loop for them has no bound): the caller decides.
 */
export function installRetries(api: Api, limits: RetryLimits = defaultRetryLimits): void {
  api.config.use(autoRetry({ ...limits, rethrowHttpErrors: true }));
}
