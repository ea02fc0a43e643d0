import type { Pricing, TopUpPackage } from './pricing.js';

/**
 * The invoice payload of a top-up: what was offered to whom. Telegram returns it unchanged with the
 * pre-checkout query and the payment (users cannot alter it), so the credits paid for are the ones
 * the user saw, even if the packages on sale change between the invoice and the payment.
 */
export interface TopUpOffer {
  packageId: string;
  credits: number;
  stars: number;
  userId: number;
}

const prefix = 'topup1';

export function offerPayload(offer: TopUpOffer): string {
  return [prefix, offer.packageId, offer.credits, offer.stars, offer.userId].join(':');
}

export function parseOfferPayload(payload: string): TopUpOffer | null {
  const match = /^topup1:([a-z0-9_-]{1,16}):(\d{1,7}):(\d{1,5}):(\d{1,16})$/.exec(payload);
  if (match === null) return null;
  const [, packageId, credits, stars, userId] = match as unknown as [string, string, string, string, string];
  return { packageId, credits: Number(credits), stars: Number(stars), userId: Number(userId) };
}

export type OfferCheck = { ok: true; offer: TopUpOffer; pkg: TopUpPackage } | { ok: false; reason: 'unknown_package' | 'not_yours' };

/** Whether an offer may still be paid now: it is this user's, and its package is on sale at that price. */
export function checkOffer(pricing: Pricing, payload: string, payerId: number, totalStars: number): OfferCheck {
  const offer = parseOfferPayload(payload);
  if (offer === null) return { ok: false, reason: 'unknown_package' };
  if (offer.userId !== payerId) return { ok: false, reason: 'not_yours' };
  const pkg = pricing.packages.find((p) => p.id === offer.packageId);
  if (pkg === undefined || pkg.credits !== offer.credits || pkg.stars !== offer.stars || totalStars !== pkg.stars) {
    return { ok: false, reason: 'unknown_package' };
  }
  return { ok: true, offer, pkg };
}
