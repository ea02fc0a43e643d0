import { randomBytes, randomInt } from 'node:crypto';
import type { StarTransaction, User } from '@grammyjs/types';
import { badRequest, reasons } from './errors.js';

/** What a Stars invoice sells: the emulator supports digital goods in Telegram Stars only. */
export interface InvoiceTerms {
  title: string;
  description: string;
  /** Bot-defined, never shown to the user; comes back in the pre-checkout query and the payment. */
  payload: string;
  currency: 'XTR';
  /** The one LabeledPrice of a Stars invoice. */
  label: string;
  totalAmount: number;
  startParameter: string;
}

/** Where an invoice can be paid from: a message in a user's chat, or a link anyone may open. */
export type InvoiceOrigin = { kind: 'message'; chatId: number; messageId: number } | { kind: 'link'; slug: string };

export interface StoredInvoice {
  terms: InvoiceTerms;
  origin: InvoiceOrigin;
  /** An invoice message shows a receipt once paid; a link can be paid again and again. */
  paid: boolean;
}

/** How the bot answered a pre-checkout query, or that it did not in time. */
export type PreCheckoutOutcome = { kind: 'ok' } | { kind: 'declined'; errorMessage: string } | { kind: 'timeout' };

/** A successful Stars payment, as Telegram keeps it. */
export interface StarCharge {
  telegramPaymentChargeId: string;
  providerPaymentChargeId: string;
  user: User;
  totalAmount: number;
  invoicePayload: string;
  /** Unix time. */
  date: number;
  refundDate?: number;
}

/** One movement of the bot's Stars, in the order it happened. */
export type StarLedgerEntry =
  | {
      kind: 'payment';
      telegramPaymentChargeId: string;
      userId: number;
      amount: number;
      invoicePayload: string;
      date: number;
      /** Whether the payment was refunded later. */
      refunded: boolean;
    }
  | { kind: 'refund'; telegramPaymentChargeId: string; userId: number; amount: number; invoicePayload: string; date: number };

interface PendingQuery {
  settle: (outcome: PreCheckoutOutcome) => void;
  timer: NodeJS.Timeout;
}

const linkPrefix = 'https://t.me/$';

const unixTime = () => Math.floor(Date.now() / 1000);

/**
 * Telegram's side of Stars payments: the invoices it has issued, the pre-checkout queries waiting
 * for the bot, and the bot's Star transactions (payments and refunds).
 */
export class StarPayments {
  private readonly invoices = new Map<string, StoredInvoice>();
  private readonly pending = new Map<string, PendingQuery>();
  private readonly charges = new Map<string, StarCharge>();
  /** Charge ids in the order of the transactions: a payment, later perhaps its refund. */
  private readonly ledger: { kind: 'payment' | 'refund'; chargeId: string }[] = [];
  private readonly queryIdPrefix = String(randomInt(1_000_000, 9_999_999));
  private queryCount = 0;
  private chargeCount = 0;

  constructor(private readonly preCheckoutTimeoutMs: number) {}

  addInvoiceMessage(chatId: number, messageId: number, terms: InvoiceTerms): void {
    this.invoices.set(messageKey(chatId, messageId), { terms, origin: { kind: 'message', chatId, messageId }, paid: false });
  }

  /** Creates an invoice link, `https://t.me/$<slug>`. */
  addInvoiceLink(terms: InvoiceTerms): string {
    const slug = randomBytes(20).toString('base64url');
    this.invoices.set(linkKey(slug), { terms, origin: { kind: 'link', slug }, paid: false });
    return `${linkPrefix}${slug}`;
  }

  invoiceOfMessage(chatId: number, messageId: number): StoredInvoice | undefined {
    return this.invoices.get(messageKey(chatId, messageId));
  }

  invoiceOfLink(link: string): StoredInvoice | undefined {
    if (!link.startsWith(linkPrefix)) return undefined;
    return this.invoices.get(linkKey(link.slice(linkPrefix.length)));
  }

  /** Opens a pre-checkout query; the outcome settles when the bot answers or the deadline passes. */
  openPreCheckout(): { id: string; outcome: Promise<PreCheckoutOutcome> } {
    // Telegram's query ids are long decimal strings, like callback query ids.
    const id = `${this.queryIdPrefix}${String(++this.queryCount).padStart(12, '0')}`;
    const outcome = new Promise<PreCheckoutOutcome>((resolve) => {
      const settle = (result: PreCheckoutOutcome) => {
        clearTimeout(this.pending.get(id)?.timer);
        this.pending.delete(id);
        resolve(result);
      };
      const timer = setTimeout(() => settle({ kind: 'timeout' }), this.preCheckoutTimeoutMs);
      this.pending.set(id, { settle, timer });
    });
    return { id, outcome };
  }

  /** An unknown, answered or expired query id is "query is too old", as in Telegram. */
  answerPreCheckout(id: string, outcome: Exclude<PreCheckoutOutcome, { kind: 'timeout' }>): void {
    const query = this.pending.get(id);
    if (query === undefined) throw badRequest(reasons.queryTooOld);
    query.settle(outcome);
  }

  /** Records a successful payment and returns its charge. */
  charge(user: User, invoice: StoredInvoice): StarCharge {
    this.chargeCount++;
    const charge: StarCharge = {
      // Telegram's Stars charge ids start with "stx"; the rest is opaque.
      telegramPaymentChargeId: `stx${randomBytes(48).toString('base64url')}`,
      providerPaymentChargeId: `${user.id}_${this.chargeCount}`,
      user,
      totalAmount: invoice.terms.totalAmount,
      invoicePayload: invoice.terms.payload,
      date: unixTime(),
    };
    this.charges.set(charge.telegramPaymentChargeId, charge);
    this.ledger.push({ kind: 'payment', chargeId: charge.telegramPaymentChargeId });
    if (invoice.origin.kind === 'message') invoice.paid = true;
    return charge;
  }

  refund(userId: number, chargeId: string): StarCharge {
    const charge = this.charges.get(chargeId);
    if (charge === undefined || charge.user.id !== userId) throw badRequest('CHARGE_NOT_FOUND');
    if (charge.refundDate !== undefined) throw badRequest('CHARGE_ALREADY_REFUNDED');
    charge.refundDate = unixTime();
    this.ledger.push({ kind: 'refund', chargeId });
    return charge;
  }

  /** The bot's transactions in Bot API shape, oldest first. */
  transactions(): StarTransaction[] {
    return this.ledger.map(({ kind, chargeId }) => {
      const charge = this.requireCharge(chargeId);
      const partner = {
        type: 'user',
        transaction_type: 'invoice_payment',
        user: charge.user,
        invoice_payload: charge.invoicePayload,
      } as const;
      return kind === 'payment'
        ? { id: chargeId, amount: charge.totalAmount, date: charge.date, source: partner }
        : { id: chargeId, amount: charge.totalAmount, date: charge.refundDate ?? charge.date, receiver: partner };
    });
  }

  /** The same transactions for tests, with refunded flags on payments. */
  entries(): StarLedgerEntry[] {
    return this.ledger.map(({ kind, chargeId }): StarLedgerEntry => {
      const charge = this.requireCharge(chargeId);
      const common = {
        telegramPaymentChargeId: chargeId,
        userId: charge.user.id,
        amount: charge.totalAmount,
        invoicePayload: charge.invoicePayload,
      };
      return kind === 'payment'
        ? { kind, ...common, date: charge.date, refunded: charge.refundDate !== undefined }
        : { kind, ...common, date: charge.refundDate ?? charge.date };
    });
  }

  /** Stars received minus Stars refunded. */
  balance(): number {
    return [...this.charges.values()].reduce((sum, c) => sum + (c.refundDate === undefined ? c.totalAmount : 0), 0);
  }

  /** Ends the waiting queries (their payments time out) so that no timer outlives the emulator. */
  close(): void {
    for (const query of [...this.pending.values()]) query.settle({ kind: 'timeout' });
  }

  private requireCharge(chargeId: string): StarCharge {
    const charge = this.charges.get(chargeId);
    if (charge === undefined) throw new Error(`no charge ${chargeId}`);
    return charge;
  }
}

const messageKey = (chatId: number, messageId: number) => `message:${chatId}:${messageId}`;
const linkKey = (slug: string) => `link:${slug}`;
