import type { Effect } from '@avatar/machine';
import {
  abandonEffect,
  claimEffects,
  completeEffect,
  isChatUnreachable,
  markChatUnreachable,
  retryEffect,
  type ClaimedEffect,
  type Store,
} from '@avatar/store';
import { startLoop } from '@avatar/workers';
import type { Api } from 'grammy';
import { ChatState } from '../chat-state.js';
import type { BotLogger } from '../context.js';
import { createI18n, defaultLocale, type Locale } from '../i18n/locales.js';
import { Texts } from '../i18n/texts.js';
import { classifyApiError } from '../telegram/errors.js';
import { deliverGeneration, notifyGenerationFailed, notifyTrainingCompleted, notifyTrainingFailed, type DeliveryDeps } from './deliveries.js';

export interface NotifierOptions {
  store: Store;
  /** The bot's API (`createBot(...).bot.api`), with its bounded flood-control retries. */
  api: Api;
  logger: BotLogger;
  /** Pause after a round with nothing to send (default 1000 ms); an outbox signal ends it early. */
  idleMs?: number;
  batchSize?: number;
  /** How long a claimed effect is this notifier's before another may take it (default 60 s). */
  leaseMs?: number;
  /** Attempts before a notification that keeps failing is given up (default 10). */
  maxAttempts?: number;
}

export interface Notifier {
  stop(): Promise<void>;
}

/**
 * Sends what the outbox's `telegram` topic asks for (training done or failed, images ready or
 * failed) as new messages with buttons from the action registry. Several notifiers may run: each
 * effect is claimed by one. A chat that blocked the bot is marked unreachable and its
 * notifications stop; flood control waits `retry_after`; other failures retry with backoff.
 */
export function startNotifier(options: NotifierOptions): Notifier {
  const { store, api, logger } = options;
  const batchSize = options.batchSize ?? 10;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const i18n = createI18n();
  const chats = new ChatState(store, logger);
  const deps: DeliveryDeps = { store, api, chats, logger };

  async function textsFor(chatId: number): Promise<Texts> {
    const locale: Locale = (await chats.locale(chatId)) ?? defaultLocale;
    return new Texts(locale, (key, variables) => i18n.t(locale, key, variables));
  }

  async function deliver(claimed: ClaimedEffect, effect: TelegramEffect): Promise<void> {
    const texts = await textsFor(effect.chatId);
    switch (effect.kind) {
      case 'NotifyTrainingCompleted':
        return notifyTrainingCompleted(deps, texts, effect);
      case 'NotifyTrainingFailed':
        return notifyTrainingFailed(deps, texts, effect);
      case 'DeliverGeneration':
        return deliverGeneration(deps, texts, claimed, effect);
      case 'NotifyGenerationFailed':
        return notifyGenerationFailed(deps, texts, effect);
    }
  }

  async function handle(claimed: ClaimedEffect): Promise<void> {
    const effect = claimed.effect;
    if (!isTelegramEffect(effect)) {
      await abandonEffect(store.db, claimed.id, `${effect.kind} is not a Telegram effect`);
      return;
    }
    const log = { effectId: claimed.id, kind: effect.kind, chatId: effect.chatId, attempt: claimed.attempts };
    if (await isChatUnreachable(store.db, effect.chatId)) {
      logger.info(log, 'not notifying a chat that blocked the bot');
      await abandonEffect(store.db, claimed.id, 'the chat is unreachable (the user blocked the bot)');
      return;
    }
    try {
      await deliver(claimed, effect);
      await completeEffect(store.db, claimed.id);
      return;
    } catch (error) {
      const failure = classifyApiError(error);
      const message = error instanceof Error ? error.message : String(error);
      switch (failure.kind) {
        case 'not_modified':
          await completeEffect(store.db, claimed.id);
          return;
        case 'blocked':
          logger.info(log, 'the user blocked the bot; notifications to this chat stop');
          await markChatUnreachable(store.db, effect.chatId, message);
          await abandonEffect(store.db, claimed.id, message);
          return;
        case 'flood':
          logger.warn({ ...log, retryAfterSeconds: failure.retryAfterSeconds }, 'flood control; retrying later');
          await retryEffect(store.db, claimed.id, { delayMs: failure.retryAfterSeconds * 1000, error: message });
          return;
        case 'bad_request':
        case 'message_gone':
          logger.error({ ...log, err: error }, 'Telegram refused a notification; giving up on it');
          await abandonEffect(store.db, claimed.id, message);
          return;
        case 'transient':
          if (claimed.attempts >= maxAttempts) {
            logger.error({ ...log, err: error }, 'a notification kept failing; giving up on it');
            await abandonEffect(store.db, claimed.id, message);
            return;
          }
          logger.warn({ ...log, err: error }, 'a notification failed; retrying later');
          await retryEffect(store.db, claimed.id, { delayMs: Math.min(60_000, 1000 * 2 ** claimed.attempts), error: message });
          return;
      }
    }
  }

  const loop = startLoop({
    name: 'telegram-notifier',
    idleMs: options.idleMs ?? 1000,
    wake: { emitter: store.signals, event: 'outbox:telegram' },
    logger,
    async run() {
      const claimed = await claimEffects(store.db, 'telegram', { limit: batchSize, leaseMs });
      // One at a time: a chat's notifications keep their order, and Telegram's per-chat limits hold.
      for (const item of claimed) await handle(item);
      return claimed.length;
    },
  });
  return { stop: () => loop.stop() };
}

type TelegramEffect = Extract<Effect, { chatId: number }>;

function isTelegramEffect(effect: Effect): effect is TelegramEffect {
  return 'chatId' in effect;
}
