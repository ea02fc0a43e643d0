import { randomInt } from 'node:crypto';
import type { Chat, ChatMember, Message, MessageEntity, User } from '@grammyjs/types';
import { unixTime, type BotState } from './bot-state.js';
import type { CallbackAnswer } from './callback-queries.js';
import type { Conversation } from './conversation.js';
import { extensionOf, mimeTypeOf } from './files.js';
import { readImage, storePhoto } from './photo-sizes.js';
import { buildTranscript, type ButtonView, type ChatEntry, type ChatMessage, type TranscriptOptions } from './transcript.js';
import { payInvoice, type PaymentResult, type PaymentTarget, type PayOptions } from './user-payments.js';

export interface UserProfile {
  /** Default: a fresh id. */
  id?: number;
  firstName: string;
  lastName?: string;
  username?: string;
  /** The IETF tag Telegram reports for the user's app language, e.g. `ru` or `en`. */
  languageCode?: string;
}

/** A file sent earlier (its message, PhotoSize or Document): a resend keeps its `file_unique_id`. */
export type FileReference = Message | { file_unique_id: string };

export interface PhotoOptions {
  caption?: string;
  /** Makes this upload the same Telegram file as an earlier one (a forward or resend). */
  sameFileAs?: FileReference;
}

export interface DocumentOptions {
  fileName: string;
  /** Default: derived from the file name. */
  mimeType?: string;
  caption?: string;
  sameFileAs?: FileReference;
}

export type AlbumItem = Uint8Array | ({ photo: Uint8Array } & PhotoOptions) | ({ document: Uint8Array } & DocumentOptions);

/** A button label, or a test on the button. */
export type ButtonMatcher = string | ((button: ButtonView) => boolean);

export interface TapOptions {
  /** The message whose button to press (default: the latest bot message that has the button). */
  messageId?: number;
  timeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
}

/** A message from the user as the bot receives it (a private chat, with a sender). */
type IncomingMessage = Message & { chat: Chat.PrivateChat; from: User };

function uniqueIdOf(reference: FileReference | undefined): string | undefined {
  if (reference === undefined) return undefined;
  if ('file_unique_id' in reference) return reference.file_unique_id;
  const uniqueId = reference.photo?.at(-1)?.file_unique_id ?? reference.document?.file_unique_id;
  if (uniqueId === undefined) throw new Error(`message ${reference.message_id} has no photo or document`);
  return uniqueId;
}

const describeButton = (matcher: ButtonMatcher) => (typeof matcher === 'string' ? `[${matcher}]` : 'a matching button');

/** A Telegram user in the emulator: sends messages and taps buttons, and sees the chat with the bot. */
export class EmulatedUser {
  constructor(
    private readonly state: BotState,
    private readonly conversation: Conversation,
    private readonly defaults: { timeoutMs: number; botName: string },
  ) {}

  get id(): number {
    return this.conversation.id;
  }

  /** The user as the Bot API shows it (`from` of their messages). */
  get info(): User {
    return this.conversation.user;
  }

  async sendText(text: string): Promise<Message> {
    return this.sendOne({ text });
  }

  /** Sends `/command` or `/command payload`, marked as a bot_command like Telegram does. */
  async sendCommand(command: string, payload?: string): Promise<Message> {
    const name = command.startsWith('/') ? command : `/${command}`;
    const text = payload === undefined || payload === '' ? name : `${name} ${payload}`;
    const entities: MessageEntity[] = [{ type: 'bot_command', offset: 0, length: name.length }];
    return this.sendOne({ text, entities });
  }

  /** Sends a photo; Telegram's size variants are built, the largest being these bytes with their real dimensions. */
  async sendPhoto(bytes: Uint8Array, options: PhotoOptions = {}): Promise<Message> {
    return this.sendOne(this.photoContent(bytes, options));
  }

  async sendDocument(bytes: Uint8Array, options: DocumentOptions): Promise<Message> {
    return this.sendOne(this.documentContent(bytes, options));
  }

  /** An album arrives as one update per item with a shared media_group_id, and nothing says how many. */
  async sendAlbum(items: readonly AlbumItem[]): Promise<Message[]> {
    if (items.length < 2 || items.length > 10) throw new Error(`an album has 2 to 10 items, not ${items.length}`);
    const contents = items.map((item) =>
      item instanceof Uint8Array
        ? this.photoContent(item, {})
        : 'photo' in item
          ? this.photoContent(item.photo, item)
          : this.documentContent(item.document, item),
    );
    return this.send(contents, String(randomInt(10 ** 9, 2 ** 47)));
  }

  /**
   * Presses an inline button and resolves with the bot's answer to the callback query; rejects if
   * the bot does not answer within the timeout (the user would see a spinner).
   */
  async tap(matcher: ButtonMatcher, options: TapOptions = {}): Promise<CallbackAnswer> {
    this.assertNotBlocked();
    const matches = typeof matcher === 'string' ? (b: ButtonView) => b.text === matcher : matcher;
    const candidates = this.messagesFromBot()
      .filter((m) => options.messageId === undefined || m.messageId === options.messageId)
      .reverse();
    const target = candidates
      .map((message) => ({ message, button: message.buttons.flat().find(matches) }))
      .find((found) => found.button !== undefined);
    if (target?.button === undefined) {
      const shown = candidates.flatMap((m) => m.buttons.flat().map((b) => `[${b.text}]`));
      throw new Error(`no bot message has ${describeButton(matcher)}; buttons on screen: ${shown.join(' ') || 'none'}`);
    }
    const { message, button } = target;
    if (button.pay) throw new Error(`[${button.text}] is a Pay button: use pay() with the invoice message`);
    if (button.callbackData === undefined) throw new Error(`[${button.text}] opens ${button.url ?? 'a link'}, it does not call the bot`);

    const query = this.state.callbacks.open({
      userId: this.id,
      messageId: message.messageId,
      buttonText: button.text,
      data: button.callbackData,
    });
    this.conversation.add({
      kind: 'tap',
      messageId: message.messageId,
      buttonText: button.text,
      callbackData: button.callbackData,
      callbackQueryId: query.id,
    });
    this.state.updates.push({
      callback_query: {
        id: query.id,
        from: this.info,
        message: message.message,
        chat_instance: this.conversation.chatInstance,
        data: button.callbackData,
      },
    });
    return withTimeout(query.answer, options.timeoutMs ?? this.defaults.timeoutMs, () =>
      new Error(`the bot did not answer the tap on [${button.text}] in time (callback query ${query.id})`),
    );
  }

  /**
   * Pays an invoice message or invoice link in Telegram Stars, as a tap on Pay: the bot gets a
   * pre_checkout_query; if it answers ok in time, the payment is recorded and the bot gets a
   * message with successful_payment. Resolves with the outcome; nothing is charged unless 'paid'.
   */
  async pay(target: PaymentTarget, options: PayOptions = {}): Promise<PaymentResult> {
    this.assertNotBlocked();
    return payInvoice(this.state, this.conversation, target, options);
  }

  /** Blocking makes every send to this user fail with 403; the bot is told with a my_chat_member update. */
  blockBot(): void {
    this.setBlocked(true);
  }

  unblockBot(): void {
    this.setBlocked(false);
  }

  transcript(options: TranscriptOptions = {}): ChatEntry[] {
    return buildTranscript(this.conversation, this.defaults.botName, options);
  }

  /** The bot's messages that are still in the chat, oldest first, as they look now. */
  messagesFromBot(): ChatMessage[] {
    return this.transcript().filter(
      (entry): entry is ChatMessage =>
        entry.from === 'bot' && entry.kind !== 'chat_action' && entry.kind !== 'callback_answer' && entry.kind !== 'edit' && !entry.deleted,
    );
  }

  lastBotMessage(): ChatMessage | undefined {
    return this.messagesFromBot().at(-1);
  }

  /**
   * Resolves with the newest bot message that satisfies `predicate`, now or after a later message
   * or edit; rejects after the timeout, listing what the bot did send.
   */
  waitForBotMessage(predicate: (message: ChatMessage) => boolean, options: WaitOptions = {}): Promise<ChatMessage> {
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messagesFromBot().reverse().find(predicate);
        if (found === undefined) return;
        stop();
        resolve(found);
      };
      const giveUp = () => {
        stop();
        const sent = this.messagesFromBot().map((m) => `  #${m.messageId}: ${m.text ?? `(${m.kind})`}`);
        reject(new Error(`no matching bot message within ${timeoutMs} ms; the bot's messages:\n${sent.join('\n') || '  none'}`));
      };
      const timer = setTimeout(giveUp, timeoutMs);
      const unsubscribe = this.conversation.onChange(check);
      const stop = () => {
        clearTimeout(timer);
        unsubscribe();
      };
      check();
    });
  }

  private sendOne(content: Partial<Message>): Message {
    const [message] = this.send([content]);
    if (message === undefined) throw new Error('a send without content');
    return message;
  }

  /** Delivers messages to the bot: several contents with a media group id form an album. */
  private send(contents: Partial<Message>[], mediaGroupId?: string): Message[] {
    this.assertNotBlocked();
    this.conversation.started = true;
    const messages = contents.map(
      (content): IncomingMessage => ({
        ...content,
        message_id: this.conversation.nextMessageId(),
        from: this.info,
        chat: this.conversation.chat,
        date: unixTime(),
        ...(mediaGroupId !== undefined && { media_group_id: mediaGroupId }),
      }),
    );
    this.conversation.addMessages('user', messages);
    for (const message of messages) this.state.updates.push({ message });
    return messages;
  }

  /** Telegram shows a user who blocked the bot a "Restart" button instead of the chat. */
  private assertNotBlocked(): void {
    if (this.conversation.blocked) throw new Error(`${this.info.first_name} has blocked the bot; call unblockBot() first`);
  }

  private photoContent(bytes: Uint8Array, options: PhotoOptions): Partial<Message> {
    const image = readImage(bytes);
    if (image === undefined) throw new Error('sendPhoto needs image bytes (use sendDocument for other files)');
    const photo = storePhoto(this.state.files, bytes, image, uniqueIdOf(options.sameFileAs));
    return { photo, ...(options.caption !== undefined && { caption: options.caption }) };
  }

  private documentContent(bytes: Uint8Array, options: DocumentOptions): Partial<Message> {
    const mimeType = options.mimeType ?? mimeTypeOf(options.fileName);
    const uniqueId = uniqueIdOf(options.sameFileAs);
    const file = this.state.files.add({
      kind: 'document',
      bytes,
      extension: extensionOf(options.fileName),
      fileName: options.fileName,
      ...(mimeType !== undefined && { mimeType }),
      ...(uniqueId !== undefined && { fileUniqueId: uniqueId }),
    });
    return {
      document: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_name: options.fileName,
        ...(mimeType !== undefined && { mime_type: mimeType }),
        file_size: bytes.length,
      },
      ...(options.caption !== undefined && { caption: options.caption }),
    };
  }

  private setBlocked(blocked: boolean): void {
    if (this.conversation.blocked === blocked) return;
    this.conversation.blocked = blocked;
    const member: ChatMember = { status: 'member', user: this.state.botUser };
    const kicked: ChatMember = { status: 'kicked', user: this.state.botUser, until_date: 0 };
    this.state.updates.push({
      my_chat_member: {
        chat: this.conversation.chat,
        from: this.info,
        date: unixTime(),
        old_chat_member: blocked ? member : kicked,
        new_chat_member: blocked ? kicked : member,
      },
    });
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, timeoutError: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
