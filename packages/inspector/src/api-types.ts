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
  kind: 'rejected' | 'error' | 'projection_drift';
  reason: string;
}

export interface AvatarReport {
  avatarId: string;
  /** The read model's row; null when it has none (itself an anomaly). */
  readModel: AvatarSummary | null;
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
