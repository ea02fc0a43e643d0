import type { EffectOf } from '@avatar/machine';
import type { Store } from './database.js';
import { dispatch } from './dispatch.js';
import { derivedUuid } from './ids.js';
import { claimEffects, completeEffect, retryEffect } from './outbox.js';

export interface SettlementReport {
  /** Reservations captured or released by this round. */
  settled: number;
  /** Effects with nothing to settle: no reservation (an attempt from before credits), or settled already. */
  skipped: number;
  failed: number;
}

/**
 * Carries out the `wallet` outbox topic: each ended attempt or generation closes the reservation
 * that paid for it. The effect was written by the statement that recorded the ending event, and
 * the settlement's event id derives from the reservation, so a crash in between is caught up by
 * the next claim and a retried claim settles once.
 */
export async function settleReservationsOnce(
  store: Store,
  { limit = 50, leaseMs = 30_000, retryMs = 5_000 }: { limit?: number; leaseMs?: number; retryMs?: number } = {},
): Promise<SettlementReport> {
  const report: SettlementReport = { settled: 0, skipped: 0, failed: 0 };
  for (const claim of await claimEffects(store.db, 'wallet', { limit, leaseMs })) {
    const { effect } = claim;
    try {
      if (effect.kind !== 'SettleReservation') throw new Error(`a ${effect.kind} effect is not a wallet's`);
      const result = await settle(store, effect, claim.causedBy);
      report[result === 'accepted' ? 'settled' : 'skipped'] += 1;
      await completeEffect(store.db, claim.id);
    } catch (error) {
      report.failed += 1;
      await retryEffect(store.db, claim.id, { delayMs: retryMs * Math.min(claim.attempts, 12), error: String(error) });
    }
  }
  return report;
}

async function settle(store: Store, effect: EffectOf<'SettleReservation'>, causedBy: string) {
  const { walletId, reservationId, settlement, reason } = effect;
  const event =
    settlement === 'capture'
      ? { type: 'ReservationCaptured' as const, reservationId }
      : { type: 'ReservationReleased' as const, reservationId, reason };
  const result = await dispatch(store, walletId, event, {
    actor: { kind: 'system', component: 'wallet-settlements' },
    causationId: causedBy,
    eventId: derivedUuid('reservation-settled', reservationId),
  });
  return result.outcome;
}
