import type { BotCommand, User, UserFromGetMe } from '@grammyjs/types';
import { CallbackQueries } from './callback-queries.js';
import { Conversation } from './conversation.js';
import { badRequest, forbidden, reasons } from './errors.js';
import { FileStore } from './files.js';
import { LongPolling } from './long-polling.js';
import { StarPayments } from './payments.js';
import { UpdateQueue } from './update-queue.js';
import { Webhook, type WebhookReplyHandler, type WebhookTiming } from './webhook.js';

/** Everything Telegram knows about the one bot the emulator serves. */
export class BotState {
  readonly files = new FileStore();
  readonly callbacks = new CallbackQueries();
  readonly updates = new UpdateQueue();
  readonly polling = new LongPolling(this.updates);
  readonly webhook: Webhook;
  readonly payments: StarPayments;
  /** Command lists by scope and language, as set with setMyCommands. */
  readonly commands = new Map<string, BotCommand[]>();
  private readonly conversations = new Map<number, Conversation>();

  constructor(
    readonly token: string,
    readonly botInfo: UserFromGetMe,
    webhookTiming: WebhookTiming,
    onWebhookReply: WebhookReplyHandler,
    preCheckoutTimeoutMs: number,
  ) {
    this.webhook = new Webhook(this.updates, webhookTiming, onWebhookReply);
    this.payments = new StarPayments(preCheckoutTimeoutMs);
  }

  /** The bot as the `from` of its messages. */
  get botUser(): User {
    const { id, is_bot, first_name, username } = this.botInfo;
    return { id, is_bot, first_name, username };
  }

  addConversation(user: User): Conversation {
    if (this.conversations.has(user.id)) throw new Error(`a user with id ${user.id} already exists`);
    const conversation = new Conversation(user);
    this.conversations.set(user.id, conversation);
    return conversation;
  }

  conversation(chatId: number): Conversation {
    const conversation = this.conversations.get(chatId);
    if (conversation === undefined) throw badRequest(reasons.chatNotFound);
    return conversation;
  }

  /** A chat the bot may write to now: the user started it and has not blocked the bot. */
  writableConversation(chatId: number): Conversation {
    const conversation = this.conversation(chatId);
    if (conversation.blocked) throw forbidden(reasons.blocked);
    if (!conversation.started) throw forbidden(reasons.cannotInitiate);
    return conversation;
  }
}

export const unixTime = () => Math.floor(Date.now() / 1000);
