import { randomInt } from 'node:crypto';
import type { Chat, Message, User } from '@grammyjs/types';
import type { CallbackAnswer } from './callback-queries.js';

export type Sender = 'user' | 'bot';

/** A message as it stands now: edits replace `message`, deletion only marks it. */
export interface MessageRecord {
  readonly sender: Sender;
  message: Message;
  editCount: number;
  deleted: boolean;
}

/** What happened in the chat, in order; messages are referenced so that edits show their latest state. */
export type ConversationEvent =
  | { kind: 'messages'; sender: Sender; messageIds: number[]; sent: Message[] }
  | { kind: 'edit'; messageId: number; message: Message }
  | { kind: 'tap'; messageId: number; buttonText: string; callbackData: string; callbackQueryId: string }
  | { kind: 'callback_answer'; callbackQueryId: string; answer: CallbackAnswer }
  | { kind: 'chat_action'; action: string };

/** The private chat between the bot and one user (its id is the user's id, as in Telegram). */
export class Conversation {
  /** Whether the user blocked the bot. */
  blocked = false;
  /** Bots cannot write first: the chat opens once the user has sent something. */
  started = false;
  /** The opaque `chat_instance` of callback queries from this chat. */
  readonly chatInstance = String(-randomInt(10 ** 12, 2 ** 47));
  private lastMessageId = 0;
  private readonly records = new Map<number, MessageRecord>();
  private readonly history: ConversationEvent[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(readonly user: User) {}

  get id(): number {
    return this.user.id;
  }

  get chat(): Chat.PrivateChat {
    const { id, first_name, last_name, username } = this.user;
    return { id, type: 'private', first_name, ...(last_name && { last_name }), ...(username && { username }) };
  }

  /** Message ids in a private chat are shared by both sides and increase by one. */
  nextMessageId(): number {
    return ++this.lastMessageId;
  }

  record(messageId: number): MessageRecord | undefined {
    return this.records.get(messageId);
  }

  /** Adds one message, or an album's messages as one event. */
  addMessages(sender: Sender, messages: Message[]): void {
    for (const message of messages) this.records.set(message.message_id, { sender, message, editCount: 0, deleted: false });
    this.add({ kind: 'messages', sender, messageIds: messages.map((m) => m.message_id), sent: messages });
  }

  replaceMessage(record: MessageRecord, message: Message): void {
    record.message = message;
    record.editCount++;
    this.add({ kind: 'edit', messageId: message.message_id, message });
  }

  deleteMessage(record: MessageRecord): void {
    record.deleted = true;
    this.changed();
  }

  add(event: ConversationEvent): void {
    this.history.push(event);
    this.changed();
  }

  events(): readonly ConversationEvent[] {
    return this.history;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
