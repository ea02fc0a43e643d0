import type { InlineKeyboardButton, Message, MessageEntity } from '@grammyjs/types';
import type { CallbackAnswer } from './callback-queries.js';
import type { Conversation, MessageRecord, Sender } from './conversation.js';

export interface ButtonView {
  text: string;
  callbackData?: string;
  url?: string;
  /** The Pay button of an invoice (pay it with `user.pay(message)`). */
  pay?: true;
}

export interface FileView {
  fileId: string;
  fileUniqueId: string;
  /** Size in bytes. */
  size: number;
  width?: number;
  height?: number;
  fileName?: string;
  mimeType?: string;
}

/** What an invoice message offers (the Bot API's `invoice`). */
export interface InvoiceView {
  title: string;
  description: string;
  currency: string;
  totalAmount: number;
  startParameter: string;
}

/** A successful payment (from the user) or a refund (from the bot), in Telegram Stars. */
export interface PaymentView {
  currency: string;
  totalAmount: number;
  invoicePayload: string;
  telegramPaymentChargeId: string;
}

export type MessageKind = 'text' | 'command' | 'photo' | 'album' | 'document' | 'invoice' | 'payment' | 'refund';

/** A message as the chat shows it now: edits show their latest content, deletions stay visible as such. */
export interface ChatMessage {
  from: Sender;
  kind: MessageKind;
  senderName: string;
  /** For an album, the id of its first message. */
  messageId: number;
  /** The text, or the caption of a photo, document or album. */
  text?: string;
  entities: MessageEntity[];
  buttons: ButtonView[][];
  /** The largest size of a photo. */
  photo?: FileView;
  document?: FileView;
  /** The messages of an album, in order. */
  items?: ChatMessage[];
  /** For kind 'invoice'. */
  invoice?: InvoiceView;
  /** For kind 'payment' (the user's successful_payment) and 'refund' (refunded_payment). */
  payment?: PaymentView;
  edited: boolean;
  editCount: number;
  deleted: boolean;
  replyToMessageId?: number;
  /** The Bot API object as it stands now. */
  message: Message;
}

export interface TapEntry {
  from: 'user';
  kind: 'tap';
  senderName: string;
  messageId: number;
  buttonText: string;
  callbackData: string;
  callbackQueryId: string;
  /** Absent while the bot has not answered the query. */
  answer?: CallbackAnswer;
}

export interface CallbackAnswerEntry {
  from: 'bot';
  kind: 'callback_answer';
  callbackQueryId: string;
  answer: CallbackAnswer;
}

export interface ChatActionEntry {
  from: 'bot';
  kind: 'chat_action';
  action: string;
}

/** An edit of an earlier bot message, where it happened in the chat (only with `{ edits: true }`). */
export interface EditEntry {
  from: 'bot';
  kind: 'edit';
  messageId: number;
  text?: string;
  buttons: ButtonView[][];
}

export type ChatEntry = ChatMessage | TapEntry | CallbackAnswerEntry | ChatActionEntry | EditEntry;

export interface TranscriptOptions {
  /**
   * Show each message as it was sent and each edit where it happened, instead of every message as
   * it looks now (how a progress message moved, not only where it ended).
   */
  edits?: boolean;
}

function buttonView(button: InlineKeyboardButton): ButtonView {
  return {
    text: button.text,
    ...('callback_data' in button && { callbackData: button.callback_data }),
    ...('url' in button && { url: button.url }),
    ...('pay' in button && { pay: true }),
  };
}

function messageKind(message: Message): MessageKind {
  if (message.photo?.at(-1)) return 'photo';
  if (message.document) return 'document';
  if (message.invoice) return 'invoice';
  if (message.successful_payment) return 'payment';
  if (message.refunded_payment) return 'refund';
  const isCommand = message.entities?.some((e) => e.type === 'bot_command' && e.offset === 0) ?? false;
  return isCommand ? 'command' : 'text';
}

function paymentView(message: Message): PaymentView | undefined {
  const payment = message.successful_payment ?? message.refunded_payment;
  if (payment === undefined) return undefined;
  return {
    currency: payment.currency,
    totalAmount: payment.total_amount,
    invoicePayload: payment.invoice_payload,
    telegramPaymentChargeId: payment.telegram_payment_charge_id,
  };
}

function messageView(record: MessageRecord, senderName: string): ChatMessage {
  const { message } = record;
  const largest = message.photo?.at(-1);
  const { document, invoice } = message;
  const payment = paymentView(message);
  const text = message.text ?? message.caption;
  const replyTo = message.reply_to_message?.message_id;
  return {
    from: record.sender,
    kind: messageKind(message),
    senderName,
    messageId: message.message_id,
    ...(text !== undefined && { text }),
    entities: message.entities ?? message.caption_entities ?? [],
    buttons: message.reply_markup?.inline_keyboard.map((row) => row.map(buttonView)) ?? [],
    ...(largest && {
      photo: {
        fileId: largest.file_id,
        fileUniqueId: largest.file_unique_id,
        size: largest.file_size ?? 0,
        width: largest.width,
        height: largest.height,
      },
    }),
    ...(document && {
      document: {
        fileId: document.file_id,
        fileUniqueId: document.file_unique_id,
        size: document.file_size ?? 0,
        ...(document.file_name !== undefined && { fileName: document.file_name }),
        ...(document.mime_type !== undefined && { mimeType: document.mime_type }),
      },
    }),
    ...(invoice && {
      invoice: {
        title: invoice.title,
        description: invoice.description,
        currency: invoice.currency,
        totalAmount: invoice.total_amount,
        startParameter: invoice.start_parameter,
      },
    }),
    ...(payment && { payment }),
    edited: record.editCount > 0,
    editCount: record.editCount,
    deleted: record.deleted,
    ...(replyTo !== undefined && { replyToMessageId: replyTo }),
    message,
  };
}

function albumView(items: ChatMessage[]): ChatMessage {
  const [first] = items;
  if (first === undefined) throw new Error('an album has at least one message');
  const captioned = items.find((item) => item.text !== undefined) ?? first;
  const editCount = items.reduce((sum, item) => sum + item.editCount, 0);
  const { photo: _photo, document: _document, ...common } = first;
  return {
    ...common,
    kind: 'album',
    text: captioned.text,
    entities: captioned.entities,
    items,
    edited: editCount > 0,
    editCount,
    deleted: items.every((item) => item.deleted),
  };
}

/**
 * The chat as ordered entries. By default a message that was later edited or deleted shows its
 * current state; with `edits`, messages show what was sent and each edit has its own entry.
 */
export function buildTranscript(conversation: Conversation, botName: string, options: TranscriptOptions = {}): ChatEntry[] {
  const userName = conversation.user.first_name;
  const answers = new Map<string, CallbackAnswer>();
  for (const event of conversation.events()) {
    if (event.kind === 'callback_answer') answers.set(event.callbackQueryId, event.answer);
  }
  const events = options.edits ? conversation.events() : conversation.events().filter((event) => event.kind !== 'edit');
  return events.map((event): ChatEntry => {
    switch (event.kind) {
      case 'messages': {
        const name = event.sender === 'user' ? userName : botName;
        const views = event.messageIds.flatMap((id, i) => {
          const record = conversation.record(id);
          if (!record) return [];
          const sent = event.sent[i];
          return [messageView(options.edits && sent ? { ...record, message: sent, editCount: 0 } : record, name)];
        });
        const [single] = views;
        return views.length === 1 && single !== undefined ? single : albumView(views);
      }
      case 'tap': {
        const answer = answers.get(event.callbackQueryId);
        const { kind, ...tap } = event;
        return { from: 'user', kind, senderName: userName, ...tap, ...(answer && { answer }) };
      }
      case 'callback_answer':
        return { from: 'bot', ...event };
      case 'chat_action':
        return { from: 'bot', ...event };
      case 'edit': {
        const text = event.message.text ?? event.message.caption;
        return {
          from: 'bot',
          kind: 'edit',
          messageId: event.messageId,
          ...(text !== undefined && { text }),
          buttons: event.message.reply_markup?.inline_keyboard.map((row) => row.map(buttonView)) ?? [],
        };
      }
    }
  });
}
