import { availableCredits, reservedCredits, walletIdOf, type Reservation, type ReservationPurpose, type TopUp } from '@avatar/machine';
import { walletHistory, type Anomaly, type Store, type WalletReadModel } from '@avatar/store';

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
  /** What it did to the credits: "+100", "−30", "30 held", "30 freed". */
  moved: string;
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

/**
 * A wallet as the log folds it (replayed through the current decider, with replay's anomalies),
 * each event with the credits it moved and the balance after it; null when the user has none.
 */
export async function walletReport(store: Store, ownerId: number): Promise<WalletReport | null> {
  const walletId = walletIdOf(ownerId);
  const history = await walletHistory(store, walletId);
  if (history === null) return null;
  const { replay, state: final, steps, readModel } = history;
  const rows = steps.map(({ recorded, actor, outcome, reason, credits, moved, purpose, balance, reserved, available }): WalletLedgerRow => ({
    version: recorded.version,
    at: recorded.createdAt,
    type: recorded.type,
    actor,
    outcome,
    reason,
    credits,
    moved,
    balance,
    reserved,
    available,
    reservationId: str(recorded.data.reservationId),
    purpose,
    telegramPaymentChargeId: str(recorded.data.telegramPaymentChargeId),
    grantId: str(recorded.data.grantId),
    data: recorded.data,
  }));
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
