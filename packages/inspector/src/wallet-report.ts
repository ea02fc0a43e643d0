import { availableCredits, reservedCredits, walletIdOf, type ReservationPurpose } from '@avatar/machine';
import { readStream, replayStream, walletHistory, type Store } from '@avatar/store';
import type { ReservationView, StreamLink, WalletEventRow, WalletReadModel, WalletReport, WalletSummary } from './api-types.js';
import { NotFoundError } from './errors.js';

/**
 * A wallet's story for the inspector: every event replayed through the current decider with the
 * balance after it, each reservation, capture and release linked to the event of what it pays
 * for (the attempt's TrainingRequested, the GenerationRequested), and replay's anomalies.
 */

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const purposeKey = (purpose: ReservationPurpose) =>
  purpose.kind === 'training' ? `training\u0000${purpose.avatarId}\u0000${purpose.attemptId}` : `generation\u0000${purpose.generationId}`;

/** The event each purpose points at, read once per avatar or generation stream. */
async function purposeLinks(store: Store, purposes: readonly ReservationPurpose[]): Promise<Map<string, StreamLink>> {
  const links = new Map<string, StreamLink>();
  const avatars = new Set<string>();
  const generations = new Set<string>();
  for (const purpose of purposes) (purpose.kind === 'training' ? avatars.add(purpose.avatarId) : generations.add(purpose.generationId));
  await Promise.all([
    ...[...avatars].map(async (avatarId) => {
      const events = await readStream(store.db, avatarId);
      for (const purpose of purposes) {
        if (purpose.kind !== 'training' || purpose.avatarId !== avatarId) continue;
        const requested = events.find((e) => e.type === 'TrainingRequested' && e.data.attemptId === purpose.attemptId);
        links.set(purposeKey(purpose), { streamId: avatarId, streamKind: 'avatar', version: requested?.version ?? null, type: 'TrainingRequested' });
      }
    }),
    ...[...generations].map(async (generationId) => {
      const [first] = await readStream(store.db, generationId, { toVersion: 1 });
      const version = first?.type === 'GenerationRequested' ? first.version : null;
      links.set(`generation\u0000${generationId}`, { streamId: generationId, streamKind: 'generation', version, type: 'GenerationRequested' });
    }),
  ]);
  return links;
}

export async function walletReport(store: Store, walletId: string): Promise<WalletReport> {
  const history = await walletHistory(store, walletId);
  if (history === null) {
    const kind = (await replayStream(store, walletId)).kind;
    throw new NotFoundError(kind === null ? `no wallet has the id ${walletId}` : `${walletId} is a ${kind} stream, not a wallet`);
  }
  const { replay, state: final, steps, readModel: row } = history;
  if (final === null) throw new NotFoundError(`wallet ${walletId} has no event that opened it`);

  const links = await purposeLinks(store, steps.flatMap((step) => (step.purpose === null ? [] : [step.purpose])));
  const linkOf = (purpose: ReservationPurpose | null) => (purpose === null ? null : (links.get(purposeKey(purpose)) ?? null));

  const timeline = steps.map(
    ({ recorded, actor, outcome, reason, credits, moved, purpose, balance, reserved, available }): WalletEventRow => ({
      version: recorded.version,
      at: recorded.createdAt.toISOString(),
      type: recorded.type,
      actor,
      outcome,
      reason: outcome === 'applied' ? null : reason,
      credits,
      moved,
      balance,
      reserved,
      available,
      reservationId: text(recorded.data.reservationId),
      purpose,
      link: linkOf(purpose),
      data: recorded.data,
    }),
  );
  const readModel: WalletReadModel | null = row && { ...row, updatedAt: row.updatedAt.toISOString() };

  const reservedAt = new Map(timeline.filter((row) => row.type === 'CreditsReserved' && row.outcome === 'applied').map((row) => [row.reservationId, row.version]));
  const reservations = Object.values(final.reservations).map(
    (r): ReservationView => ({
      reservationId: r.reservationId,
      credits: r.credits,
      purpose: r.purpose,
      reservedAtVersion: reservedAt.get(r.reservationId) ?? null,
      link: linkOf(r.purpose),
    }),
  );

  return {
    walletId,
    ownerId: final.ownerId,
    version: replay.version,
    balance: final.balance,
    reserved: reservedCredits(final),
    available: availableCredits(final),
    readModel,
    reservations,
    topUps: Object.entries(final.topUps).map(([telegramPaymentChargeId, t]) => ({
      telegramPaymentChargeId,
      packageId: t.packageId,
      credits: t.credits,
      stars: t.stars,
      refunded: t.refunded,
    })),
    timeline,
    anomalies: replay.anomalies.map(({ version, type, kind, reason }) => ({ version, type, kind, reason })),
  };
}

/**
 * The wallet events about an avatar's attempts, by attempt id: what reserved it and what settled
 * it. The avatar's timeline links its TrainingRequested (and the ending events) to them.
 */
export async function walletLinksOf(store: Store, walletId: string, avatarId: string): Promise<Map<string, { reserved?: StreamLink; settled?: StreamLink }>> {
  const events = await readStream(store.db, walletId);
  const byAttempt = new Map<string, { reserved?: StreamLink; settled?: StreamLink }>();
  const ours = new Set<string>();
  for (const event of events) {
    const link: StreamLink = { streamId: walletId, streamKind: 'wallet', version: event.version, type: event.type };
    if (event.type === 'CreditsReserved') {
      const purpose = event.data.purpose as Partial<ReservationPurpose> | undefined;
      if (purpose?.kind !== 'training' || purpose.avatarId !== avatarId || typeof purpose.attemptId !== 'string') continue;
      ours.add(String(event.data.reservationId));
      // The first reservation of an attempt is its own; a refused repeat does not replace it.
      if (!byAttempt.get(purpose.attemptId)?.reserved) byAttempt.set(purpose.attemptId, { ...byAttempt.get(purpose.attemptId), reserved: link });
    } else if ((event.type === 'ReservationCaptured' || event.type === 'ReservationReleased') && ours.has(String(event.data.reservationId))) {
      // A reservation's id is the attempt id it pays for.
      const attemptId = String(event.data.reservationId);
      if (!byAttempt.get(attemptId)?.settled) byAttempt.set(attemptId, { ...byAttempt.get(attemptId), settled: link });
    }
  }
  return byAttempt;
}

/** The wallet a search names: `4242` or `wallet-4242`, as the read model has it. */
export async function findWallets(store: Store, query: string): Promise<WalletSummary[]> {
  const match = /^(?:wallet-)?(\d{1,15})$/.exec(query.trim());
  if (!match) return [];
  const walletId = walletIdOf(Number(match[1]));
  const rows = await store.db.selectFrom('wallets').selectAll().where('wallet_id', '=', walletId).execute();
  return rows.map((row) => ({
    walletId: row.wallet_id,
    ownerId: Number(row.owner_id),
    balance: Number(row.balance),
    reserved: Number(row.reserved),
    version: Number(row.version),
  }));
}
