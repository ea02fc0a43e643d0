import type { Update } from '@grammyjs/types';
import { BotApiError, conflict } from './errors.js';
import type { UpdateQueue, UpdateType } from './update-queue.js';

export interface GetUpdatesRequest {
  offset: number | undefined;
  limit: number;
  timeoutSeconds: number;
  allowedUpdates: UpdateType[] | undefined;
}

/**
 * getUpdates with long polling. Only one request may wait per bot: as in Telegram, a newer request
 * terminates the waiting one, which gets 409 "terminated by other getUpdates request".
 */
export class LongPolling {
  private terminateWaiting: ((error: BotApiError) => void) | undefined;

  constructor(private readonly queue: UpdateQueue) {}

  async getUpdates(request: GetUpdatesRequest, cancelled: AbortSignal): Promise<Update[]> {
    this.terminate(conflict('terminated by other getUpdates request; make sure that only one bot instance is running'));
    this.queue.setAllowedUpdates(request.allowedUpdates);
    if (request.offset !== undefined) this.queue.applyOffset(request.offset);
    if (this.queue.size > 0 || request.timeoutSeconds <= 0) return this.queue.peek(request.limit);

    await new Promise<void>((resolve, reject) => {
      const stopWaiting = () => {
        clearTimeout(timer);
        unsubscribe();
        cancelled.removeEventListener('abort', finish);
        if (this.terminateWaiting === terminate) this.terminateWaiting = undefined;
      };
      const finish = () => {
        stopWaiting();
        resolve();
      };
      const terminate = (error: BotApiError) => {
        stopWaiting();
        reject(error);
      };
      const timer = setTimeout(finish, request.timeoutSeconds * 1000);
      const unsubscribe = this.queue.onPush(finish);
      cancelled.addEventListener('abort', finish);
      this.terminateWaiting = terminate;
    });
    return this.queue.peek(request.limit);
  }

  /** Ends the waiting request, if any, with `error` (a newer getUpdates, or setWebhook). */
  terminate(error: BotApiError): void {
    this.terminateWaiting?.(error);
  }
}
