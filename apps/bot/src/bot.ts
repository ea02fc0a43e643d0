import { markChatReachable, markChatUnreachable, type Store } from '@avatar/store';
import { createTelegramFiles, type TelegramFiles } from '@avatar/telegram-files';
import { sequentialize } from '@grammyjs/runner';
import { Bot, type BotError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { callbackRouter, type ActionHandlers } from './actions/router.js';
import { ChatState } from './chat-state.js';
import type { BotContext, BotLogger } from './context.js';
import { avatarActions } from './handlers/avatar-actions.js';
import { creationActions, creationCommands } from './handlers/creation.js';
import { generationActions, generationCommands } from './handlers/generation.js';
import { navigationActions, navigationCommands } from './handlers/navigation.js';
import { photoActions, photoMessageHandler } from './handlers/photos.js';
import { send, textsOf } from './handlers/replies.js';
import type { BotServices } from './handlers/services.js';
import { otherMessageHandler, textMessageHandler } from './handlers/text.js';
import { trainingActions } from './handlers/training.js';
import { preCheckoutHandler, successfulPaymentHandler, walletActions, walletCommands } from './handlers/wallet.js';
import { createI18n } from './i18n/locales.js';
import { defaultPricing, type Pricing } from './pricing.js';
import { ChatActions, type ChatActionTiming } from './telegram/chat-actions.js';
import { screen } from './telegram/screens.js';
import { installRetries, type RetryLimits } from './telegram/retries.js';

export interface CreateBotOptions {
  store: Store;
  token: string;
  /** Bot API root without a trailing slash (default https://api.telegram.org): a local Bot API server or an emulator. */
  apiRoot?: string;
  /** What getMe answers; without it, call `bot.init()` before handling updates. */
  botInfo?: UserFromGetMe;
  logger: BotLogger;
  /** Images per generation (default 2: they arrive as an album). */
  imagesPerGeneration?: number;
  /** Prices, the welcome grant and the top-up packages (default `defaultPricing`). */
  pricing?: Pricing;
  retryLimits?: RetryLimits;
  chatActionTiming?: ChatActionTiming;
  files?: TelegramFiles;
}

export interface AvatarBot {
  readonly bot: Bot<BotContext>;
  /** Stops the chat actions the bot shows in the background; the runner or webhook is stopped by whoever started it. */
  close(): void;
}

export const defaultApiRoot = 'https://api.telegram.org';

/** Updates the bot asks Telegram for. */
export const allowedUpdates = ['message', 'callback_query', 'my_chat_member', 'pre_checkout_query'] as const;

/** The whole avatar journey as one grammY bot. All its state is in the store; it can run as several instances. */
export function createBot(options: CreateBotOptions): AvatarBot {
  const { store, token, logger } = options;
  const apiRoot = options.apiRoot ?? defaultApiRoot;
  const bot = new Bot<BotContext>(token, {
    client: { apiRoot },
    ...(options.botInfo && { botInfo: options.botInfo }),
  });
  installRetries(bot.api, options.retryLimits);

  const services: BotServices = {
    store,
    files: options.files ?? createTelegramFiles({ token, apiRoot }),
    chats: new ChatState(store, logger),
    chatActions: new ChatActions(bot.api, logger, options.chatActionTiming),
    logger,
    imagesPerGeneration: options.imagesPerGeneration ?? 2,
    pricing: options.pricing ?? defaultPricing,
  };
  const handlers: ActionHandlers = {
    ...navigationActions(services),
    ...creationActions(services),
    ...avatarActions(services),
    ...photoActions(services),
    ...trainingActions(services),
    ...generationActions(services),
    ...walletActions(services),
  };
  const commands = {
    ...navigationCommands(services),
    ...creationCommands(services),
    ...generationCommands(services),
    ...walletCommands(services),
  };

  // One chat's updates run in order (an album's photos arrive as separate updates); chats run in parallel.
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id ?? '')));
  bot.use(createI18n());

  bot.on('my_chat_member', async (ctx) => {
    const blocked = ctx.myChatMember.new_chat_member.status === 'kicked';
    if (blocked) await markChatUnreachable(store.db, ctx.chat.id, 'the user blocked the bot');
    else await markChatReachable(store.db, ctx.chat.id);
  });

  const guarded = bot.errorBoundary((error) => reportFailure(error, logger));
  const routerTexts = {
    unknownButton: (ctx: BotContext) => textsOf(ctx).t('stale-unknown-button'),
    failed: (ctx: BotContext) => textsOf(ctx).t('error-try-again'),
  };
  guarded.on('callback_query', callbackRouter(handlers, routerTexts, logger));
  guarded.on('pre_checkout_query', preCheckoutHandler(services));

  const inPrivate = guarded.chatType('private');
  for (const [name, handle] of Object.entries(commands)) inPrivate.command(name, handle);
  inPrivate.on('message:successful_payment', successfulPaymentHandler(services));
  inPrivate.on('message:entities:bot_command', commands.help);
  inPrivate.on(['message:photo', 'message:document'], photoMessageHandler(services));
  inPrivate.on('message:text', textMessageHandler(services));
  inPrivate.on('message', otherMessageHandler());

  return {
    bot,
    close: () => services.chatActions.stopAll(),
  };
}

/** A handler failed: logged, and the user is told that nothing was lost and to try again. */
async function reportFailure(error: BotError<BotContext>, logger: BotLogger): Promise<void> {
  const { ctx } = error;
  logger.error({ err: error.error, updateId: ctx.update.update_id, userId: ctx.from?.id }, 'handling an update failed');
  if (ctx.message === undefined) return;
  try {
    await send(ctx, screen(textsOf(ctx).fmt('error-generic')), ctx.message.message_id);
  } catch (sendError) {
    logger.warn({ err: sendError }, 'could not tell the user about a failure');
  }
}
