import type { InlineKeyboardMarkup, LabeledPrice, Message, StarAmount, StarTransactions } from '@grammyjs/types';
import type { BotState } from '../bot-state.js';
import { badRequest } from '../errors.js';
import type { ApiParams } from '../http/api-params.js';
import type { InvoiceTerms, StarCharge } from '../payments.js';
import { readReplyMarkup } from '../reply-markup.js';
import { newBotMessage, readChatId, readReplyTarget } from './common.js';
import type { MethodTable } from './method.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const characterCount = (text: string) => [...text].length;

const starsCurrency = 'XTR';

function requiredString(params: ApiParams, name: string): string {
  const value = params.string(name);
  if (value === undefined) throw badRequest(`parameter "${name}" is required`);
  return value;
}

/** JSON bodies carry numbers, the other encodings decimal strings. */
function integerOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
}

function readPrices(params: ApiParams): LabeledPrice[] {
  const unparsable = "can't parse prices JSON object";
  const raw = params.json('prices', unparsable);
  if (raw === undefined) throw badRequest('parameter "prices" is required');
  if (!Array.isArray(raw)) throw badRequest(unparsable);
  return raw.map((price: unknown) => {
    const amount = isRecord(price) ? integerOf(price.amount) : undefined;
    if (!isRecord(price) || typeof price.label !== 'string' || amount === undefined) {
      throw badRequest("can't parse LabeledPrice JSON object");
    }
    return { label: price.label, amount };
  });
}

/** Stars invoices take no tips. */
function hasTips(params: ApiParams): boolean {
  const suggested = params.json('suggested_tip_amounts', "can't parse suggested_tip_amounts JSON object");
  return (params.integer('max_tip_amount') ?? 0) > 0 || (Array.isArray(suggested) && suggested.length > 0);
}

/**
 * The invoice of sendInvoice or createInvoiceLink, validated as Telegram validates a Stars invoice.
 * Without a provider token Telegram takes only XTR; the emulator knows no payment providers, so it
 * has no other currency at all.
 */
function readInvoiceTerms(params: ApiParams): InvoiceTerms {
  const title = requiredString(params, 'title');
  const description = requiredString(params, 'description');
  const payload = requiredString(params, 'payload');
  const currency = requiredString(params, 'currency');
  const prices = readPrices(params);
  const providerToken = params.string('provider_token') ?? '';

  if (characterCount(title) < 1 || characterCount(title) > 32) throw badRequest('INVOICE_TITLE_INVALID');
  if (characterCount(description) < 1 || characterCount(description) > 255) throw badRequest('INVOICE_DESCRIPTION_INVALID');
  const payloadBytes = Buffer.byteLength(payload);
  if (payloadBytes < 1 || payloadBytes > 128) throw badRequest('INVOICE_PAYLOAD_INVALID');
  if (currency !== starsCurrency) throw badRequest(providerToken === '' ? 'PAYMENT_PROVIDER_INVALID' : 'CURRENCY_INVALID');
  if (providerToken !== '') throw badRequest('PAYMENT_PROVIDER_INVALID');

  const [price] = prices;
  if (price === undefined || prices.length > 1 || hasTips(params)) throw badRequest('STARS_INVOICE_INVALID');
  if (price.amount < 1) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
  return {
    title,
    description,
    payload,
    currency: starsCurrency,
    label: price.label,
    totalAmount: price.amount,
    startParameter: params.string('start_parameter') ?? '',
  };
}

/** Telegram shows one "Pay" button when the bot gives no keyboard. */
const defaultPayButton = (terms: InvoiceTerms): InlineKeyboardMarkup => ({
  inline_keyboard: [[{ text: `Pay ⭐️${terms.totalAmount}`, pay: true }]],
});

function readUserId(params: ApiParams): number {
  const userId = params.has('user_id') ? params.integer('user_id') : undefined;
  if (userId === undefined || userId <= 0) throw badRequest('invalid user_id specified');
  return userId;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

export function paymentMethods(state: BotState): MethodTable {
  const { payments } = state;

  /** The service message a refund leaves in the chat; it is the bot's own, so no update is sent. */
  const recordRefund = (charge: StarCharge) => {
    const conversation = state.conversation(charge.user.id);
    const message: Message = {
      ...newBotMessage(state, conversation),
      refunded_payment: {
        currency: starsCurrency,
        total_amount: charge.totalAmount,
        invoice_payload: charge.invoicePayload,
        telegram_payment_charge_id: charge.telegramPaymentChargeId,
        provider_payment_charge_id: charge.providerPaymentChargeId,
      },
    };
    conversation.addMessages('bot', [message]);
  };

  return {
    sendInvoice: ({ params }) => {
      const conversation = state.writableConversation(readChatId(params));
      const terms = readInvoiceTerms(params);
      const replyMarkup = readReplyMarkup(params, 'send', { invoice: true }) ?? defaultPayButton(terms);
      const reply = readReplyTarget(params, conversation);
      const message: Message = {
        ...newBotMessage(state, conversation),
        ...reply,
        invoice: {
          title: terms.title,
          description: terms.description,
          start_parameter: terms.startParameter,
          currency: terms.currency,
          total_amount: terms.totalAmount,
        },
        reply_markup: replyMarkup,
      };
      conversation.addMessages('bot', [message]);
      payments.addInvoiceMessage(conversation.id, message.message_id, terms);
      return message;
    },

    createInvoiceLink: ({ params }) => {
      if (params.has('subscription_period')) throw badRequest('the emulator does not support subscription invoices');
      return payments.addInvoiceLink(readInvoiceTerms(params));
    },

    answerPreCheckoutQuery: ({ params }) => {
      const ok = params.boolean('ok');
      const errorMessage = params.string('error_message') ?? '';
      if (!ok && errorMessage.trim() === '') throw badRequest('parameter "error_message" is required');
      payments.answerPreCheckout(params.string('pre_checkout_query_id') ?? '', ok ? { kind: 'ok' } : { kind: 'declined', errorMessage });
      return true;
    },

    refundStarPayment: ({ params }) => {
      const userId = readUserId(params);
      const charge = payments.refund(userId, params.string('telegram_payment_charge_id') ?? '');
      recordRefund(charge);
      return true;
    },

    getStarTransactions: ({ params }): StarTransactions => {
      const offset = Math.max(params.integer('offset') ?? 0, 0);
      const limit = clamp(params.integer('limit') ?? 100, 1, 100);
      return { transactions: payments.transactions().slice(offset, offset + limit) };
    },

    getMyStarBalance: (): StarAmount => ({ amount: payments.balance() }),
  };
}
