import { walletIdOf } from '@avatar/machine';
import { openWallet, recordTopUp, walletSummary } from '@avatar/store';
import type { ActionHandlers } from '../actions/router.js';
import type { BotContext } from '../context.js';
import { checkOffer, offerPayload, parseOfferPayload } from '../payments.js';
import { packageById } from '../pricing.js';
import { screen } from '../telegram/screens.js';
import { balanceScreen, invoiceTexts, topUpScreen, toppedUp } from '../views/wallet.js';
import { chatIdOf, send, show, textsOf, userIdOf } from './replies.js';
import type { BotServices } from './services.js';

/** The user's wallet, opened with the welcome grant the first time the bot meets them. */
export async function ensureWallet(ctx: BotContext, services: BotServices): Promise<void> {
  const userId = userIdOf(ctx);
  await openWallet(services.store, userId, { welcomeCredits: services.pricing.welcomeCredits }, { actor: { kind: 'user', userId } });
}

/**
 * Runs a request that pays from the user's wallet. A user the bot met before wallets existed has
 * none: the request's refusal says so, the wallet is opened with its welcome grant, and the request
 * runs again. Everyone else pays with no read of the wallet beforehand.
 */
export async function paying<R extends { outcome: string }>(ctx: BotContext, services: BotServices, request: () => Promise<R>): Promise<R> {
  const result = await request();
  const refused: { outcome: string; streamId?: string; rejection?: { code: string } } = result;
  const noWallet = refused.outcome === 'rejected' && refused.rejection?.code === 'stream_missing' && refused.streamId === walletIdOf(userIdOf(ctx));
  if (!noWallet) return result;
  await ensureWallet(ctx, services);
  return request();
}

/** What the user can spend now. */
export async function availableNow(services: BotServices, userId: number): Promise<number> {
  return (await walletSummary(services.store, userId, { recent: 0 }))?.available ?? 0;
}

async function balanceView(ctx: BotContext, services: BotServices) {
  await ensureWallet(ctx, services);
  return balanceScreen(textsOf(ctx), await walletSummary(services.store, userIdOf(ctx)), services.pricing);
}

async function topUpView(ctx: BotContext, services: BotServices) {
  await ensureWallet(ctx, services);
  const wallet = await walletSummary(services.store, userIdOf(ctx));
  return topUpScreen(textsOf(ctx), services.pricing, wallet?.available ?? 0);
}

export function walletCommands(services: BotServices) {
  return {
    balance: async (ctx: BotContext) => {
      await send(ctx, await balanceView(ctx, services));
    },
    topup: async (ctx: BotContext) => {
      await send(ctx, await topUpView(ctx, services));
    },
    /** Telegram expects bots that take payments to answer /paysupport. */
    paysupport: async (ctx: BotContext) => {
      await send(ctx, screen(textsOf(ctx).fmt('paysupport')));
    },
    terms: async (ctx: BotContext) => {
      await send(ctx, screen(textsOf(ctx).fmt('terms')));
    },
  };
}

export function walletActions(services: BotServices): Pick<ActionHandlers, 'balance' | 'topUp' | 'buyPackage'> {
  return {
    async balance(ctx, _params, tap) {
      await tap.answer();
      await show(ctx, await balanceView(ctx, services));
    },

    async topUp(ctx, _params, tap) {
      await tap.answer();
      await show(ctx, await topUpView(ctx, services));
    },

    async buyPackage(ctx, { package: packageId }, tap) {
      const texts = textsOf(ctx);
      const pkg = packageById(services.pricing, packageId);
      if (pkg === undefined) {
        services.logger.info({ userId: userIdOf(ctx), packageId }, 'a button names a package no longer on sale');
        await tap.answer(texts.t('topup-unknown-package'), { alert: true });
        await show(ctx, await topUpView(ctx, services));
        return;
      }
      await tap.answer(texts.t('toast-topup-invoice'));
      const { title, description, label } = invoiceTexts(texts, pkg);
      const payload = offerPayload({ packageId: pkg.id, credits: pkg.credits, stars: pkg.stars, userId: userIdOf(ctx) });
      // Digital goods are sold for Stars: currency XTR, no provider token, one price in whole Stars.
      await ctx.api.sendInvoice(chatIdOf(ctx), title, description, payload, 'XTR', [{ label, amount: pkg.stars }]);
    },
  };
}

/**
 * Telegram asks before it charges, and waits 10 seconds for the answer: the offer must be this
 * user's and its package still on sale at that price. Nothing is written: no money has moved yet.
 */
export function preCheckoutHandler(services: BotServices) {
  return async (ctx: BotContext) => {
    const query = ctx.preCheckoutQuery;
    if (query === undefined) return;
    const check = checkOffer(services.pricing, query.invoice_payload, query.from.id, query.total_amount);
    if (check.ok) {
      await ctx.answerPreCheckoutQuery(true);
      return;
    }
    services.logger.warn({ userId: query.from.id, payload: query.invoice_payload, reason: check.reason }, 'pre-checkout refused');
    const key = check.reason === 'not_yours' ? 'precheckout-not-yours' : 'precheckout-unknown-package';
    await ctx.answerPreCheckoutQuery(false, { error_message: textsOf(ctx).t(key) });
  };
}

/**
 * The money has moved: credit the offer's credits, once per Telegram charge id however often the
 * update arrives (the event id derives from the charge id). A refusal here would lose a payment,
 * so an offer is credited as it was made, whatever is on sale now.
 */
export function successfulPaymentHandler(services: BotServices) {
  return async (ctx: BotContext) => {
    const payment = ctx.message?.successful_payment;
    if (payment === undefined) return;
    const userId = userIdOf(ctx);
    const offer = parseOfferPayload(payment.invoice_payload);
    if (offer === null) {
      services.logger.error({ userId, payment }, 'a successful payment carries a payload this bot never wrote; refund it with avatarctl');
      return;
    }
    await ensureWallet(ctx, services);
    const result = await recordTopUp(
      services.store,
      userId,
      {
        telegramPaymentChargeId: payment.telegram_payment_charge_id,
        providerPaymentChargeId: payment.provider_payment_charge_id,
        packageId: offer.packageId,
        credits: offer.credits,
        stars: payment.total_amount,
      },
      { actor: { kind: 'user', userId } },
    );
    if (result.outcome !== 'accepted') {
      services.logger.info({ userId, chargeId: payment.telegram_payment_charge_id, outcome: result.outcome }, 'a payment was already credited');
      return;
    }
    const wallet = await walletSummary(services.store, userId);
    await send(ctx, toppedUp(textsOf(ctx), offer.credits, wallet?.available ?? 0));
  };
}
