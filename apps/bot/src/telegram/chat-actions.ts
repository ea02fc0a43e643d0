import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from 'grammy';
import type { BotLogger } from '../context.js';

export interface ChatActionTiming {
  /** Telegram shows an action for about 5 s; repeat a little sooner. */
  intervalMs: number;
  /** Stop even if the job never reports back. */
  maxMs: number;
}

/**
 * "Sending a photo…" in a chat while a job runs elsewhere. Purely cosmetic: a restart loses the
 * indicator, never the job, so it is the one thing the bot keeps only in memory.
 */
export class ChatActions {
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly api: Api,
    private readonly logger: BotLogger,
    private readonly timing: ChatActionTiming = { intervalMs: 4000, maxMs: 180_000 },
  ) {}

  /** Repeats `upload_photo` until `finished()` says so, `maxMs` passes or the bot stops. */
  showUploadingPhoto(chatId: number, finished: () => Promise<boolean>): void {
    const controller = new AbortController();
    this.running.add(controller);
    const deadline = Date.now() + this.timing.maxMs;
    void (async () => {
      try {
        while (!controller.signal.aborted && Date.now() < deadline) {
          await this.api.sendChatAction(chatId, 'upload_photo');
          await sleep(this.timing.intervalMs, undefined, { signal: controller.signal });
          if (await finished()) break;
        }
      } catch (error) {
        if (!controller.signal.aborted) this.logger.debug({ err: error, chatId }, 'chat action stopped');
      } finally {
        this.running.delete(controller);
      }
    })();
  }

  stopAll(): void {
    for (const controller of this.running) controller.abort();
    this.running.clear();
  }
}
