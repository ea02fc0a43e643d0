/**
 * The JSON the inspector's API answers with. Types only, no imports: the browser script is
 * type-checked against this file too (see client/tsconfig.json), so the page and the routes agree.
 */

export interface ApiError {
  error: string;
}

/** An avatar as the read model has it, for the search list and the page header. */
export interface AvatarSummary {
  avatarId: string;
  name: string;
  ownerId: number;
  status: string;
  trainingStage: string | null;
  photoCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SearchResponse {
  query: string;
  avatars: AvatarSummary[];
  /** The wallet of the owner the query names (`4242` or `wallet-4242`), as the read model has it. */
  wallets: WalletSummary[];
}

/** A wallet as the `wallets` read model has it, for the search list. */
export interface WalletSummary {
  walletId: string;
  ownerId: number;
  balance: number;
  reserved: number;
  version: number;
}

/** An event in another stream that this one is about, e.g. the CreditsReserved that paid for a TrainingRequested. */
export interface StreamLink {
  streamId: string;
  streamKind: 'avatar' | 'generation' | 'wallet';
  /** The linked event's version there; null when that stream has no such event (yet). */
  version: number | null;
  type: string;
}

/** One recorded event as replay through the current machine sees it. */
export interface EventRow {
  kind: 'event';
  version: number;
  at: string;
  type: string;
  actor: string;
  /** Machine state before and after, e.g. "ready" → "training.requested". */
  before: string | null;
  after: string | null;
  outcome: 'applied' | 'rejected' | 'error';
  reason: string | null;
  data: Record<string, unknown>;
  /**
   * The owner's wallet event about this one: a TrainingRequested's CreditsReserved, the
   * ReservationCaptured or ReservationReleased of a TrainingCompleted, TrainingFailed or
   * TrainingCancelled; null for other events, or before the settlement is recorded.
   */
  walletLink: StreamLink | null;
}

/** An inbound message (fal webhook, Telegram update) that did not become an event. */
export interface InboundRow {
  kind: 'inbound';
  at: string;
  source: string;
  messageId: string;
  outcome: string;
  reason: string | null;
  /** The raw body as received, cut at `payloadLimit` characters. */
  payload: string;
  payloadTruncated: boolean;
  /** The stream's version when it arrived (the last event recorded before it); 0 before any. */
  afterVersion: number;
}

export type TimelineRow = EventRow | InboundRow;

export interface AnomalyView {
  version: number;
  type: string;
  kind: 'rejected' | 'error' | 'projection_drift' | 'wallet_invariant';
  reason: string;
}

export interface AvatarReport {
  avatarId: string;
  /** The read model's row; null when it has none (itself an anomaly). */
  readModel: AvatarSummary | null;
  /** From the log (AvatarCreated); null when no event started the stream. */
  ownerId: number | null;
  /** The owner's wallet stream, when the owner has one. */
  walletId: string | null;
  /** The status the log folds to through the current machine. */
  finalStatus: string | null;
  version: number;
  timeline: TimelineRow[];
  anomalies: AnomalyView[];
}

export interface AttemptView {
  attemptId: string;
  /** 1 for the first attempt of this avatar. */
  number: number;
  trainer: string;
  steps: number;
  falRequestId: string | null;
  queuePosition: number | null;
}

export interface PathStep {
  version: number;
  eventType: string;
  /** Ids of the transitions taken (as in the diagram's `data-transition`), in order. */
  transitions: string[];
}

/** The avatar as the log folds it up to one version: what time travel shows. */
export interface AvatarStateAt {
  avatarId: string;
  version: number;
  latestVersion: number;
  /** When the event at `version` was recorded. */
  at: string;
  status: string;
  trainingStage: string | null;
  /** Active state node ids, outermost first (the diagram's `data-state`). */
  active: string[];
  name: string;
  photoCount: number;
  photoLimits: { minToTrain: number; max: number };
  attempt: AttemptView | null;
  attempts: number;
  triggerPhrase: string | null;
  failure: { reason: string; retryable: boolean } | null;
  loraUrl: string | null;
  closedReason: string | null;
  /** Event types the machine has a transition for in this state (guards on data still apply). */
  acceptedEvents: string[];
  /** Transition ids those events would take from here. */
  available: string[];
  path: {
    /** State node ids in the order they were first entered. */
    visited: string[];
    steps: PathStep[];
  };
}

/** What a reservation pays for: one training attempt or one generation. */
export type ReservationPurposeView =
  | { kind: 'training'; avatarId: string; attemptId: string }
  | { kind: 'generation'; generationId: string; avatarId: string };

/** One wallet event replayed through the current decider, with the credits it moved. */
export interface WalletEventRow {
  version: number;
  at: string;
  type: string;
  actor: string;
  outcome: 'applied' | 'rejected' | 'error';
  reason: string | null;
  /** The credits the event is about (a capture's or a release's: its reservation's); null for none. */
  credits: number | null;
  /** What it did to the credits: "+100", "−30", "30 held", "30 freed". */
  moved: string;
  /** The wallet after the event (a refused event changes nothing). */
  balance: number;
  reserved: number;
  available: number;
  reservationId: string | null;
  /** What the reservation, capture or release pays for. */
  purpose: ReservationPurposeView | null;
  /** The event of what it pays for: the attempt's TrainingRequested, the GenerationRequested. */
  link: StreamLink | null;
  data: Record<string, unknown>;
}

export interface ReservationView {
  reservationId: string;
  credits: number;
  purpose: ReservationPurposeView;
  /** The wallet version of its CreditsReserved. */
  reservedAtVersion: number | null;
  link: StreamLink | null;
}

export interface TopUpView {
  telegramPaymentChargeId: string;
  packageId: string;
  credits: number;
  stars: number;
  refunded: boolean;
}

export interface WalletReadModel {
  balance: number;
  reserved: number;
  openReservations: number;
  version: number;
  updatedAt: string;
}

/** A wallet's story: its sums as the log folds them, what is reserved and why, and what replay found. */
export interface WalletReport {
  walletId: string;
  ownerId: number;
  version: number;
  balance: number;
  reserved: number;
  /** The balance less what is reserved: what the user can spend now. */
  available: number;
  /** The `wallets` row; null when it has none (itself an anomaly). */
  readModel: WalletReadModel | null;
  reservations: ReservationView[];
  topUps: TopUpView[];
  timeline: WalletEventRow[];
  anomalies: AnomalyView[];
}
