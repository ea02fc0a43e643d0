import type { Chat, Message, User } from '@grammyjs/types';
import { unixTime, type BotState } from './bot-state.js';
import type { Conversation } from './conversation.js';
import type { StoredInvoice } from './payments.js';
import type { ChatMessage } from './transcript.js';

/** An invoice message (as the Bot API returned it, or as the transcript shows it), or an invoice link. */
export type PaymentTarget = Message | ChatMessage | string;

export interface PayOptions {
  /**
   * Delivers the successful_payment message twice, as two updates with their own update_id and
   * message_id and the same charge id: Telegram may deliver a payment more than once.
   */
  deliverTwice?: boolean;
}

export type PaymentResult =
  | {
      status: 'paid';
      telegramPaymentChargeId: string;
      totalAmount: number;
      invoicePayload: string;
      /** The successful_payment message(s) the bot was sent. */
      messages: Message[];
    }
  /** The bot answered the pre-checkout query with ok=false; nothing was charged. */
  | { status: 'declined'; errorMessage: string }
  /** The bot did not answer the pre-checkout query before the deadline; nothing was charged. */
  | { status: 'timeout' };

/** A message from the user as the bot receives it (a private chat, with a sender). */
type IncomingMessage = Message & { chat: Chat.PrivateChat; from: User };

function findInvoice(state: BotState, conversation: Conversation, target: PaymentTarget): StoredInvoice {
  if (typeof target === 'string') {
    const invoice = state.payments.invoiceOfLink(target);
    if (invoice === undefined) throw new Error(`${target} is not an invoice link the bot created`);
    return invoice;
  }
  const message = 'messageId' in target ? target.message : target;
  if (message.chat.id !== conversation.id) throw new Error(`message ${message.message_id} is not in this user's chat`);
  const record = conversation.record(message.message_id);
  if (record === undefined || record.deleted) throw new Error(`message ${message.message_id} is not in the chat (deleted?)`);
  const invoice = state.payments.invoiceOfMessage(conversation.id, message.message_id);
  if (invoice === undefined) throw new Error(`message ${message.message_id} is not an invoice`);
  return invoice;
}

/**
 * The user taps Pay: the bot gets a pre_checkout_query and must answer it before the deadline;
 * only then is the user charged and the bot sent the successful_payment message.
 */
export async function payInvoice(
  state: BotState,
  conversation: Conversation,
  target: PaymentTarget,
  options: PayOptions,
): Promise<PaymentResult> {
  const invoice = findInvoice(state, conversation, target);
  if (invoice.paid) throw new Error('this invoice message is paid already (Telegram shows a receipt instead of the Pay button)');
  const { terms } = invoice;
  const query = state.payments.openPreCheckout();
  state.updates.push({
    pre_checkout_query: {
      id: query.id,
      from: conversation.user,
      currency: terms.currency,
      total_amount: terms.totalAmount,
      invoice_payload: terms.payload,
    },
  });
  const outcome = await query.outcome;
  if (outcome.kind === 'declined') return { status: 'declined', errorMessage: outcome.errorMessage };
  if (outcome.kind === 'timeout') return { status: 'timeout' };

  const charge = state.payments.charge(conversation.user, invoice);
  // A payment through a link opens the chat with the bot, like a first message.
  conversation.started = true;
  const messages = Array.from({ length: options.deliverTwice ? 2 : 1 }, (): IncomingMessage => ({
    message_id: conversation.nextMessageId(),
    from: conversation.user,
    chat: conversation.chat,
    date: unixTime(),
    successful_payment: {
      currency: terms.currency,
      total_amount: charge.totalAmount,
      invoice_payload: charge.invoicePayload,
      telegram_payment_charge_id: charge.telegramPaymentChargeId,
      provider_payment_charge_id: charge.providerPaymentChargeId,
    },
  }));
  // One event per message: several messages in one event would read as an album.
  for (const message of messages) {
    conversation.addMessages('user', [message]);
    state.updates.push({ message });
  }
  return {
    status: 'paid',
    telegramPaymentChargeId: charge.telegramPaymentChargeId,
    totalAmount: charge.totalAmount,
    invoicePayload: charge.invoicePayload,
    messages,
  };
}
