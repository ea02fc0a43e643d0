import { BotApiError, tooManyRequests } from './errors.js';

export interface FailureOptions {
  /** How many matching calls fail (default 1). */
  count?: number;
  /** 429 (the default) answers "Too Many Requests: retry after N" with `parameters.retry_after`. */
  errorCode?: number;
  /** Seconds, for 429 (default 1). */
  retryAfter?: number;
  /** Only calls for this chat fail. */
  chatId?: number;
  /** Overrides the description (default: Telegram's text for the code). */
  description?: string;
}

interface Failure {
  method: string;
  remaining: number;
  chatId: number | undefined;
  error: () => BotApiError;
}

const defaultDescriptions: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** Failures a test arranges for upcoming calls, e.g. flood control on sendMessage. */
export class FaultInjection {
  private failures: Failure[] = [];

  add(method: string, options: FailureOptions): void {
    const { count = 1, errorCode = 429, retryAfter = 1, chatId, description } = options;
    const error =
      errorCode === 429 && description === undefined
        ? () => tooManyRequests(retryAfter)
        : () => new BotApiError(errorCode, description ?? defaultDescriptions[errorCode] ?? `Error ${errorCode}`);
    this.failures.push({ method: method.toLowerCase(), remaining: count, chatId, error });
  }

  /** The error this call must fail with, if one is arranged; consumes one use of it. */
  take(method: string, chatId: number | undefined): BotApiError | undefined {
    const failure = this.failures.find(
      (f) => f.method === method.toLowerCase() && (f.chatId === undefined || f.chatId === chatId),
    );
    if (failure === undefined) return undefined;
    failure.remaining--;
    if (failure.remaining <= 0) this.failures = this.failures.filter((f) => f !== failure);
    return failure.error();
  }
}
