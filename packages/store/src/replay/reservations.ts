import { isGenerationFinished, isTraining, type Reservation } from '@avatar/machine';
import { sql } from 'kysely';
import type { Store } from '../database.js';
import { loadStream } from '../stream-state.js';
import type { Anomaly } from './fold.js';

/**
 * The wallet invariant that spans streams: a reservation still open pays for an attempt or a
 * generation still in flight, or its settlement is waiting in the outbox. An open reservation for
 * something that has ended, with nothing on the way to settle it, is money stuck: an anomaly.
 */
export async function reservationAnomalies(store: Store, walletVersion: number, open: readonly Reservation[]): Promise<Anomaly[]> {
  const anomalies: Anomaly[] = [];
  for (const reservation of open) {
    const ended = await endedPurpose(store, reservation);
    if (ended === null || (await settlementPending(store, reservation.reservationId))) continue;
    anomalies.push({
      version: walletVersion,
      type: '(wallet)',
      kind: 'wallet_invariant',
      reason: `reservation ${reservation.reservationId} (${reservation.credits} credits) is open, but ${ended}, and no settlement is pending`,
    });
  }
  return anomalies;
}

/** How what a reservation pays for has ended, or null while it is still in flight. */
async function endedPurpose(store: Store, { purpose }: Reservation): Promise<string | null> {
  if (purpose.kind === 'training') {
    const { state } = await loadStream(store.db, 'avatar', purpose.avatarId);
    if (state === null) return `avatar ${purpose.avatarId} does not exist`;
    return isTraining(state) && state.context.attempt?.attemptId === purpose.attemptId
      ? null
      : `training attempt ${purpose.attemptId} of avatar ${purpose.avatarId} is no longer in flight`;
  }
  const { state } = await loadStream(store.db, 'generation', purpose.generationId);
  if (state === null) return `generation ${purpose.generationId} does not exist`;
  return isGenerationFinished(state) ? `generation ${purpose.generationId} has finished` : null;
}

async function settlementPending(store: Store, reservationId: string): Promise<boolean> {
  const { rows } = await sql<{ found: number }>`select 1 as found from outbox
    where topic = 'wallet' and state = 'pending' and payload->>'reservationId' = ${reservationId} limit 1`.execute(store.db);
  return rows.length > 0;
}
