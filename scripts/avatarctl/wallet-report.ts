import {
  availableCredits,
  reservedCredits,
  walletIdOf,
  walletLifecycle,
  type Reservation,
  type ReservationPurpose,
  type TopUp,
  type WalletEvent,
  type WalletState,
} from '@avatar/machine';
import { readStream, replayStream, type Anomaly, type Store } from '@avatar/store';

/** One wallet event with what it did to the credits, as `avatarctl wallet` prints it. */
export interface WalletLedgerRow {
  version: number;
  at: Date;
  type: string;
  actor: string;
  outcome: 'applied' | 'rejected' | 'error';
  reason: string | null;
  /** The credits the event is about (a capture or a release: its reservation's); null for none. */
  credits: number | null;
  /** After the event (a refused event changes nothing). */
  balance: number;
  reserved: number;
  available: number;
  reservationId: string | null;
  /** What the reservation pays for (reservations, captures, releases). */
  purpose: ReservationPurpose | null;
  telegramPaymentChargeId: string | null;
  grantId: string | null;
  /** The event's data as recorded. */
  data: Record<string, unknown>;
}

export interface WalletReadModel {
  balance: number;
  reserved: number;
  openReservations: number;
  version: number;
  updatedAt: Date;
}

export interface WalletReport {
  walletId: string;
  ownerId: number;
  version: number;
  balance: number;
  reserved: number;
  available: number;
  reservations: Reservation[];
  topUps: (TopUp & { telegramPaymentChargeId: string })[];
  readModel: WalletReadModel | null;
  rows: WalletLedgerRow[];
  anomalies: Anomaly[];
}

/** `123` or `wallet-123`: the owner's Telegram id. */
export function ownerIdOf(text: string): number | null {
  const match = /^(?:wallet-)?(\d{1,15})$/.exec(text);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function describePurpose(purpose: ReservationPurpose): string {
  return purpose.kind === 'training'
    ? `training attempt ${purpose.attemptId} of avatar ${purpose.avatarId}`
    : `generation ${purpose.generationId} of avatar ${purpose.avatarId}`;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function creditsOf(event: WalletEvent, before: WalletState | null): number | null {
  switch (event.type) {
    case 'CreditsGranted':
    case 'TopUpPaid':
    case 'CreditsReserved':
    case 'StarsRefunded':
      return event.credits;
    case 'ReservationCaptured':
    case 'ReservationReleased':
      return before?.reservations[event.reservationId]?.credits ?? null;
    case 'WalletOpened':
      return null;
  }
}

function purposeOf(event: WalletEvent, before: WalletState | null): ReservationPurpose | null {
  if (event.type === 'CreditsReserved') return event.purpose;
  if (event.type === 'ReservationCaptured' || event.type === 'ReservationReleased') return before?.reservations[event.reservationId]?.purpose ?? null;
  return null;
}

async function readModelOf(store: Store, walletId: string): Promise<WalletReadModel | null> {
  const row = await store.db.selectFrom('wallets').selectAll().where('wallet_id', '=', walletId).executeTakeFirst();
  if (!row) return null;
  return {
    balance: Number(row.balance),
    reserved: Number(row.reserved),
    openReservations: Number(row.open_reservations),
    version: Number(row.version),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * A wallet as the log folds it (replayed through the current decider, with replay's anomalies),
 * each event with the credits it moved and the balance after it; null when the user has none.
 */
export async function walletReport(store: Store, ownerId: number): Promise<WalletReport | null> {
  const walletId = walletIdOf(ownerId);
  const replay = await replayStream(store, walletId);
  if (replay.version === 0 || replay.kind !== 'wallet') return null;
  const [events, readModel] = await Promise.all([readStream(store.db, walletId, { toVersion: replay.version }), readModelOf(store, walletId)]);
  const entries = new Map(replay.timeline.map((entry) => [entry.version, entry]));

  let state: WalletState | null = null;
  const rows: WalletLedgerRow[] = [];
  for (const recorded of events) {
    const event = { ...recorded.data, type: recorded.type } as WalletEvent;
    const before: WalletState | null = state;
    const decision = walletLifecycle.decide(before, event);
    if (decision.ok) state = decision.state;
    const entry = entries.get(recorded.version);
    rows.push({
      version: recorded.version,
      at: recorded.createdAt,
      type: recorded.type,
      actor: entry?.actor ?? 'unknown',
      outcome: entry?.outcome ?? (decision.ok ? 'applied' : 'rejected'),
      reason: entry?.reason ?? (decision.ok ? null : decision.rejection.reason),
      credits: creditsOf(event, before),
      balance: state?.balance ?? 0,
      reserved: state === null ? 0 : reservedCredits(state),
      available: state === null ? 0 : availableCredits(state),
      reservationId: str(recorded.data.reservationId),
      purpose: purposeOf(event, before),
      telegramPaymentChargeId: str(recorded.data.telegramPaymentChargeId),
      grantId: str(recorded.data.grantId),
      data: recorded.data,
    });
  }
  const final = (replay.state as WalletState | null) ?? state;
  return {
    walletId,
    ownerId,
    version: replay.version,
    balance: final?.balance ?? 0,
    reserved: final === null ? 0 : reservedCredits(final),
    available: final === null ? 0 : availableCredits(final),
    reservations: final === null ? [] : Object.values(final.reservations),
    topUps: final === null ? [] : Object.entries(final.topUps).map(([telegramPaymentChargeId, topUp]) => ({ telegramPaymentChargeId, ...topUp })),
    readModel,
    rows,
    anomalies: replay.anomalies,
  };
}
