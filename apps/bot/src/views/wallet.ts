import type { WalletSummary } from '@avatar/store';
import { FormattedString } from '@grammyjs/parse-mode';
import { button, inRows } from '../actions/keyboard.js';
import type { Texts } from '../i18n/texts.js';
import type { Pricing, TopUpPackage } from '../pricing.js';
import { screen, type Screen } from '../telegram/screens.js';

/** One line of a wallet's history, in the user's words. */
function operation(texts: Texts, event: WalletSummary['recent'][number]): FormattedString | null {
  const data = event.data as { credits?: number; reason?: string; reservationId?: string };
  const date = event.createdAt.toISOString().slice(0, 10);
  switch (event.type) {
    case 'CreditsGranted':
      return texts.fmt('wallet-op-granted', { date, credits: data.credits ?? 0 });
    case 'TopUpPaid':
      return texts.fmt('wallet-op-topup', { date, credits: data.credits ?? 0 });
    case 'CreditsReserved':
      return texts.fmt('wallet-op-reserved', { date, credits: data.credits ?? 0 });
    case 'ReservationCaptured':
      return texts.fmt('wallet-op-captured', { date });
    case 'ReservationReleased':
      return texts.fmt('wallet-op-released', { date });
    case 'StarsRefunded':
      return texts.fmt('wallet-op-stars-refunded', { date, credits: data.credits ?? 0 });
    default:
      return null;
  }
}

/** /balance: what the user has, what is held for work in flight, the latest operations. */
export function balanceScreen(texts: Texts, wallet: WalletSummary | null, pricing: Pricing): Screen {
  const lines = [
    texts.fmt('wallet-balance', { available: wallet?.available ?? 0 }),
    ...(wallet && wallet.reserved > 0 ? [texts.fmt('wallet-reserved', { reserved: wallet.reserved, count: wallet.reservations.length })] : []),
    texts.fmt('wallet-prices', { training: pricing.trainingCredits, image: pricing.creditsPerImage }),
  ];
  const recent = (wallet?.recent ?? []).map((event) => operation(texts, event)).filter((line) => line !== null);
  if (recent.length > 0) lines.push(FormattedString.join([texts.fmt('wallet-recent'), ...recent], '\n'));
  return screen(FormattedString.join(lines, '\n\n'), [
    [button(texts.t('button-top-up'), 'topUp', {}), button(texts.t('button-home'), 'home', {})],
  ]);
}

/** The packages on sale; each button sends its invoice. */
export function topUpScreen(texts: Texts, pricing: Pricing, available: number): Screen {
  const buttons = pricing.packages.map((p) => button(texts.t('button-package', { credits: p.credits, stars: p.stars }), 'buyPackage', { package: p.id }));
  return screen(texts.fmt('topup-choose', { available }), [...inRows(buttons, 1), [button(texts.t('button-balance'), 'balance', {})]]);
}

/** Not enough credits for what was asked: the numbers, and the way to get more. */
export function notEnoughCredits(texts: Texts, facts: { price: number; available: number }): Screen {
  return screen(texts.fmt('wallet-not-enough', facts), [
    [button(texts.t('button-top-up'), 'topUp', {}), button(texts.t('button-balance'), 'balance', {})],
  ]);
}

export function invoiceTexts(texts: Texts, pkg: TopUpPackage) {
  return {
    title: texts.t('invoice-title', { credits: pkg.credits }),
    description: texts.t('invoice-description', { credits: pkg.credits }),
    label: texts.t('invoice-label', { credits: pkg.credits }),
  };
}

export function toppedUp(texts: Texts, credits: number, available: number): Screen {
  return screen(texts.fmt('topup-paid', { credits, available }), [[button(texts.t('button-balance'), 'balance', {}), button(texts.t('button-home'), 'home', {})]]);
}
