import { walletEventTypes } from './event-types.js';
import type { EventOf, ReservationPurpose, WalletEvent } from './events.js';
import type { Decision, Lifecycle, PersistedState } from './lifecycle.js';
import { refuse, type Refusal, type Rejection } from './rejection.js';

/**
 * A user's credits as a decider (Emmett's decide/evolve split), not a state machine: a wallet has
 * one status and rules about sums, which a reducer says more plainly than states would.
 */

export interface Reservation {
  reservationId: string;
  credits: number;
  purpose: ReservationPurpose;
}

export interface TopUp {
  packageId: string;
  credits: number;
  stars: number;
  refunded: boolean;
}

export interface WalletState {
  ownerId: number;
  /** Credits the user owns: grants + top-ups − captures − star refunds. Reserved credits are part of it. */
  balance: number;
  /** Open reservations by id (the attempt or generation each pays for). */
  reservations: Readonly<Record<string, Reservation>>;
  /** Every reservation ever captured or released: a reservation id is never charged twice. */
  settled: readonly string[];
  grants: readonly string[];
  /** Top-ups by Telegram's charge id. */
  topUps: Readonly<Record<string, TopUp>>;
}

/** A wallet has no lifecycle beyond existing; the union keeps it a closed type like the others. */
export type WalletStatus = 'open';

export const walletMachineVersion = 'wallet/1';

export function walletIdOf(ownerId: number): string {
  return `wallet-${ownerId}`;
}

export function reservedCredits(state: WalletState): number {
  let sum = 0;
  for (const reservation of Object.values(state.reservations)) sum += reservation.credits;
  return sum;
}

/** What the user can spend now: the balance less what is reserved. Never negative. */
export function availableCredits(state: WalletState): number {
  return state.balance - reservedCredits(state);
}

type WalletRule = (state: WalletState, event: WalletEvent) => Refusal | WalletState;

function grant(state: WalletState, event: EventOf<'CreditsGranted'>): Refusal | WalletState {
  if (state.grants.includes(event.grantId)) return refuse('grant_exists', `grant ${event.grantId} was already given`);
  return { ...state, balance: state.balance + event.credits, grants: [...state.grants, event.grantId] };
}

function topUp(state: WalletState, event: EventOf<'TopUpPaid'>): Refusal | WalletState {
  if (Object.hasOwn(state.topUps, event.telegramPaymentChargeId)) {
    return refuse('payment_exists', `payment ${event.telegramPaymentChargeId} was already credited`);
  }
  const paid: TopUp = { packageId: event.packageId, credits: event.credits, stars: event.stars, refunded: false };
  return { ...state, balance: state.balance + event.credits, topUps: { ...state.topUps, [event.telegramPaymentChargeId]: paid } };
}

function reserve(state: WalletState, event: EventOf<'CreditsReserved'>): Refusal | WalletState {
  const { reservationId, credits, purpose } = event;
  if (Object.hasOwn(state.reservations, reservationId) || state.settled.includes(reservationId)) {
    return refuse('reservation_exists', `${reservationId} has already been charged`);
  }
  const available = availableCredits(state);
  if (available < credits) return refuse('insufficient_credits', `${credits} credits are needed and ${available} are available`);
  return { ...state, reservations: { ...state.reservations, [reservationId]: { reservationId, credits, purpose } } };
}

function settle(state: WalletState, reservationId: string, capture: boolean): Refusal | WalletState {
  // Own keys only: an id like "constructor" must not find Object.prototype's (a NaN balance).
  const reservation = Object.hasOwn(state.reservations, reservationId) ? state.reservations[reservationId] : undefined;
  if (reservation === undefined) {
    return state.settled.includes(reservationId)
      ? refuse('reservation_exists', `reservation ${reservationId} is already settled`)
      : refuse('reservation_unknown', `no reservation ${reservationId} is open`);
  }
  const { [reservationId]: _settled, ...open } = state.reservations;
  return {
    ...state,
    balance: capture ? state.balance - reservation.credits : state.balance,
    reservations: open,
    settled: [...state.settled, reservationId],
  };
}

function refundStars(state: WalletState, event: EventOf<'StarsRefunded'>): Refusal | WalletState {
  const paid = Object.hasOwn(state.topUps, event.telegramPaymentChargeId) ? state.topUps[event.telegramPaymentChargeId] : undefined;
  if (paid === undefined) return refuse('payment_unknown', `no top-up has the charge id ${event.telegramPaymentChargeId}`);
  if (paid.refunded) return refuse('payment_refunded', `payment ${event.telegramPaymentChargeId} was already refunded`);
  if (paid.credits !== event.credits || paid.stars !== event.stars) {
    return refuse('amount_mismatch', `the top-up was ${paid.credits} credits for ${paid.stars} stars`);
  }
  const available = availableCredits(state);
  if (available < paid.credits) {
    return refuse('credits_spent', `the top-up's ${paid.credits} credits are no longer there: ${available} are available`);
  }
  return {
    ...state,
    balance: state.balance - paid.credits,
    topUps: { ...state.topUps, [event.telegramPaymentChargeId]: { ...paid, refunded: true } },
  };
}

const rules: { [K in Exclude<WalletEvent['type'], 'WalletOpened'>]: (state: WalletState, event: EventOf<K>) => Refusal | WalletState } = {
  CreditsGranted: grant,
  TopUpPaid: topUp,
  CreditsReserved: reserve,
  ReservationCaptured: (state, event) => settle(state, event.reservationId, true),
  ReservationReleased: (state, event) => settle(state, event.reservationId, false),
  StarsRefunded: refundStars,
};

function isRefusal(outcome: Refusal | WalletState): outcome is Refusal {
  return 'code' in outcome;
}

function reject(state: WalletState | null, eventType: string, refusal: Refusal): { ok: false; rejection: Rejection<WalletStatus> } {
  return { ok: false, rejection: { status: state === null ? null : 'open', eventType, ...refusal } };
}

/** Credits and Stars are whole and positive in every event that carries them, whoever built the event. */
function amountRefusal(event: WalletEvent): Refusal | null {
  const amounts = 'stars' in event ? [event.credits, event.stars] : 'credits' in event ? [event.credits] : [];
  return amounts.every((n) => Number.isSafeInteger(n) && n > 0) ? null : refuse('amount_invalid', `${event.type} needs whole positive amounts, got ${amounts.join(', ')}`);
}

function decide(state: WalletState | null, event: WalletEvent): Decision<WalletState, WalletStatus> {
  if (event.type === 'WalletOpened') {
    if (state !== null) return reject(state, event.type, refuse('stream_exists', 'the wallet is already open'));
    return { ok: true, state: { ownerId: event.ownerId, balance: 0, reservations: {}, settled: [], grants: [], topUps: {} } };
  }
  if (state === null) return reject(null, event.type, refuse('stream_missing', `${event.type} needs an open wallet`));
  const rule = rules[event.type] as WalletRule | undefined;
  if (rule === undefined) return reject(state, event.type, refuse('not_accepted_in_status', `${event.type} does not belong to a wallet stream`));
  const invalid = amountRefusal(event);
  if (invalid !== null) return reject(state, event.type, invalid);
  const outcome = rule(state, event);
  return isRefusal(outcome) ? reject(state, event.type, outcome) : { ok: true, state: outcome };
}

export const walletLifecycle: Lifecycle<WalletState, WalletEvent, WalletStatus> = {
  kind: 'wallet',
  machineVersion: walletMachineVersion,
  creationEventType: 'WalletOpened',
  eventTypes: walletEventTypes,
  decide,
  evolve(state, event) {
    const decision = decide(state, event);
    return decision.ok ? decision.state : state;
  },
  statusOf: () => 'open',
  describe: (state) => `balance ${state.balance}, reserved ${reservedCredits(state)}`,
  acceptedEventTypes: () => walletEventTypes.filter((type) => type !== 'WalletOpened'),
  persist: (state): PersistedState => ({ value: 'open', context: state }),
  restore: (persisted) => persisted.context as WalletState,
};

/** The reservation for a training attempt: its id is the attempt id, so an attempt is paid for once. */
export function trainingReservation(avatarId: string, attemptId: string, credits: number): EventOf<'CreditsReserved'> {
  return { type: 'CreditsReserved', reservationId: attemptId, credits, purpose: { kind: 'training', avatarId, attemptId } };
}

/** The reservation for a generation: its id is the generation id. */
export function generationReservation(generationId: string, avatarId: string, credits: number): EventOf<'CreditsReserved'> {
  return { type: 'CreditsReserved', reservationId: generationId, credits, purpose: { kind: 'generation', generationId, avatarId } };
}

/** What a wallet event moves: its credits (a settlement's are its reservation's) and what they pay for. */
export function movementOf(before: WalletState | null, event: WalletEvent): { credits: number | null; purpose: ReservationPurpose | null } {
  const reservationOf = (id: string) => (before !== null && Object.hasOwn(before.reservations, id) ? before.reservations[id] : undefined);
  switch (event.type) {
    case 'CreditsGranted':
    case 'TopUpPaid':
    case 'StarsRefunded':
      return { credits: event.credits, purpose: null };
    case 'CreditsReserved':
      return { credits: event.credits, purpose: event.purpose };
    case 'ReservationCaptured':
    case 'ReservationReleased': {
      const reservation = reservationOf(event.reservationId);
      return { credits: reservation?.credits ?? null, purpose: reservation?.purpose ?? null };
    }
    case 'WalletOpened':
      return { credits: null, purpose: null };
  }
}
