import {
  availableCredits,
  movementOf,
  reservedCredits,
  trainingRequest,
  trainingReservation,
  walletIdOf,
  type Actor,
  type AvatarState,
  type Reservation,
  type ReservationPurpose,
  type WalletEvent,
  type WalletState,
  walletLifecycle,
} from '@avatar/machine';
import type { Store } from './database.js';
import { dispatch, dispatchTogether, type DispatchResult } from './dispatch.js';
import { readStream, type RecordedEvent } from './event-log.js';
import { derivedUuid } from './ids.js';
import { replayStream, type StreamReplay, type TimelineEntry } from './replay/index.js';
import type { WalletRow } from './schema.js';
import { loadStream } from './stream-state.js';

/**
 * The credits side of the service: opening a wallet with its welcome grant, paying for a training
 * attempt in the same statement that starts it, top-ups and star refunds. Every change is an event
 * of the user's wallet stream with an id derived from what it is for, so a retry, a redelivered
 * update or a double tap appends it once.
 */

export interface CommandMeta {
  actor: Actor;
  correlationId?: string;
}

/**
 * Opens the user's wallet and gives the welcome grant, each once: a crash between the two is
 * made good by the next call, and a wallet that has had its welcome grant gets nothing more.
 */
export async function openWallet(store: Store, ownerId: number, { welcomeCredits }: { welcomeCredits: number }, meta: CommandMeta): Promise<void> {
  const walletId = walletIdOf(ownerId);
  const { state } = await loadStream(store.db, 'wallet', walletId);
  if (state === null) {
    await dispatch(store, walletId, { type: 'WalletOpened', ownerId }, { ...meta, eventId: derivedUuid('wallet-opened', ownerId) });
  }
  if (welcomeCredits > 0 && !state?.grants.includes('welcome')) {
    await dispatch(
      store,
      walletId,
      { type: 'CreditsGranted', grantId: 'welcome', credits: welcomeCredits, reason: 'welcome' },
      { ...meta, eventId: derivedUuid('welcome-grant', ownerId) },
    );
  }
}

/** The event id of the reservation that pays for `reservationId`: the log holds it at most once. */
export function reservationEventId(reservationId: string): string {
  return derivedUuid('credits-reserved', reservationId);
}

/**
 * Starts a training attempt and reserves its price from the owner's wallet in one statement: the
 * avatar's `TrainingRequested` and the wallet's `CreditsReserved` land together, each behind its
 * own version check, or neither does (a refusal by either stream appends nothing).
 */
export async function requestTraining(store: Store, avatar: AvatarState, attemptId: string, credits: number, meta: CommandMeta) {
  const { avatarId, ownerId } = avatar.context;
  return dispatchTogether(
    store,
    [
      { streamId: avatarId, event: trainingRequest(avatar, attemptId) },
      { streamId: walletIdOf(ownerId), event: trainingReservation(avatarId, attemptId, credits), eventId: reservationEventId(attemptId) },
    ],
    meta,
  );
}

export interface PaidStars {
  telegramPaymentChargeId: string;
  providerPaymentChargeId: string;
  packageId: string;
  credits: number;
  stars: number;
}

/** Credits a Stars payment once, whatever the number of times Telegram delivers it. */
export async function recordTopUp(store: Store, ownerId: number, paid: PaidStars, meta: CommandMeta): Promise<DispatchResult<'wallet'>> {
  return dispatch(store, walletIdOf(ownerId), { type: 'TopUpPaid', ...paid }, { ...meta, eventId: derivedUuid('stars-payment', paid.telegramPaymentChargeId) });
}

/**
 * Takes a top-up's credits back before its Stars are refunded. Refused when the top-up is unknown,
 * refunded already, or its credits are spent or reserved; recorded once per charge.
 */
export async function recordStarsRefund(store: Store, ownerId: number, telegramPaymentChargeId: string, meta: CommandMeta) {
  const walletId = walletIdOf(ownerId);
  const { state } = await loadStream(store.db, 'wallet', walletId);
  const paid = state?.topUps[telegramPaymentChargeId];
  if (paid === undefined) {
    const reason = state === null ? `user ${ownerId} has no wallet` : `no top-up of user ${ownerId} has the charge id ${telegramPaymentChargeId}`;
    return {
      outcome: 'rejected' as const,
      streamId: walletId,
      version: null,
      rejection: { status: state === null ? null : ('open' as const), eventType: 'StarsRefunded', code: 'payment_unknown' as const, reason },
    };
  }
  return dispatch(
    store,
    walletId,
    { type: 'StarsRefunded', telegramPaymentChargeId, credits: paid.credits, stars: paid.stars },
    { ...meta, eventId: derivedUuid('stars-refund', telegramPaymentChargeId) },
  );
}

export interface WalletSummary {
  walletId: string;
  balance: number;
  reserved: number;
  /** What can be spent now: the balance less the reservations in flight. */
  available: number;
  reservations: Reservation[];
  /** The latest events of the wallet, newest first. */
  recent: RecordedEvent[];
  version: number;
}

/** A user's wallet as /balance shows it; null when it was never opened. */
export async function walletSummary(store: Store, ownerId: number, { recent = 5 }: { recent?: number } = {}): Promise<WalletSummary | null> {
  const walletId = walletIdOf(ownerId);
  const loaded = await loadStream(store.db, 'wallet', walletId);
  if (loaded.state === null || loaded.version === null) return null;
  const events = recent > 0 ? await readStream(store.db, walletId, { fromVersion: Math.max(1, loaded.version - recent + 1) }) : [];
  return summaryOf(walletId, loaded.state, loaded.version, events.reverse());
}

function summaryOf(walletId: string, state: WalletState, version: number, recent: RecordedEvent[]): WalletSummary {
  return {
    walletId,
    balance: state.balance,
    reserved: reservedCredits(state),
    available: availableCredits(state),
    reservations: Object.values(state.reservations),
    recent,
    version,
  };
}

/** One event of a wallet's history, with what it moved and the sums after it (a refused event moves nothing). */
export interface WalletStep {
  recorded: RecordedEvent;
  actor: string;
  outcome: TimelineEntry['outcome'];
  reason: string | null;
  credits: number | null;
  /** What it did to the credits, in a word: "+100", "−30", "30 held", "30 freed". */
  moved: string;
  purpose: ReservationPurpose | null;
  balance: number;
  reserved: number;
  available: number;
}

export interface WalletHistory {
  replay: StreamReplay;
  /** The decider's state at the end; null when no event opened the wallet. */
  state: WalletState | null;
  steps: WalletStep[];
  readModel: WalletReadModel | null;
}

/** The `wallets` row, as numbers and a date. */
export interface WalletReadModel {
  balance: number;
  reserved: number;
  openReservations: number;
  version: number;
  updatedAt: Date;
}

function movedLabel(type: string, credits: number | null): string {
  if (credits === null) return '';
  switch (type) {
    case 'CreditsGranted':
    case 'TopUpPaid':
      return `+${credits}`;
    case 'ReservationCaptured':
    case 'StarsRefunded':
      return `−${credits}`;
    case 'CreditsReserved':
      return `${credits} held`;
    case 'ReservationReleased':
      return `${credits} freed`;
    default:
      return String(credits);
  }
}

function readModelOf(row: WalletRow): WalletReadModel {
  return {
    balance: Number(row.balance),
    reserved: Number(row.reserved),
    openReservations: Number(row.open_reservations),
    version: Number(row.version),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * A wallet's log folded through the current decider, event by event, with replay's anomalies and
 * its read-model row: what the operator tools show. Null when there is no such stream.
 */
export async function walletHistory(store: Store, walletId: string): Promise<WalletHistory | null> {
  const replay = await replayStream(store, walletId);
  if (replay.kind !== 'wallet') return null;
  const [events, row] = await Promise.all([
    readStream(store.db, walletId, { toVersion: replay.version }),
    store.db.selectFrom('wallets').selectAll().where('wallet_id', '=', walletId).executeTakeFirst(),
  ]);
  const entries = new Map(replay.timeline.map((entry) => [entry.version, entry]));
  let state: WalletState | null = null;
  const steps = events.map((recorded): WalletStep => {
    const event = { ...recorded.data, type: recorded.type } as WalletEvent;
    const { credits, purpose } = movementOf(state, event);
    const decision = walletLifecycle.decide(state, event);
    if (decision.ok) state = decision.state;
    const entry = entries.get(recorded.version);
    const after: WalletState | null = state;
    return {
      recorded,
      actor: entry?.actor ?? 'unknown',
      outcome: entry?.outcome ?? (decision.ok ? 'applied' : 'rejected'),
      reason: entry?.reason ?? (decision.ok ? null : decision.rejection.reason),
      credits,
      moved: movedLabel(recorded.type, credits),
      purpose,
      balance: after?.balance ?? 0,
      reserved: after === null ? 0 : reservedCredits(after),
      available: after === null ? 0 : availableCredits(after),
    };
  });
  return { replay, state, steps, readModel: row ? readModelOf(row) : null };
}
