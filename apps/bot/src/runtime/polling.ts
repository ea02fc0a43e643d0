import { run, type RunnerHandle } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import { allowedUpdates } from '../bot.js';
import type { BotContext } from '../context.js';

export interface Polling {
  /** Stops fetching and waits for the updates in progress. */
  stop(): Promise<void>;
}

/**
 * Long polling with @grammyjs/runner: updates of different chats run concurrently, one chat's in
 * order (the bot sequentializes per chat). Only one poller per token may run; several instances
 * need webhook mode.
 */
export async function runPolling(bot: Bot<BotContext>, { timeoutSeconds = 30 }: { timeoutSeconds?: number } = {}): Promise<Polling> {
  await bot.init();
  // getUpdates is refused while a webhook is set.
  await bot.api.deleteWebhook();
  const runner: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: [...allowedUpdates], timeout: timeoutSeconds } },
  });
  return {
    async stop() {
      if (runner.isRunning()) await runner.stop();
    },
  };
}
