import type { DomainEvent, Reservation } from '@avatar/machine';
import { kindOfEvent, lifecycleOf, type StateOf, type StreamKind } from '../lifecycles.js';
import { avatarRow } from '../projections/avatar-rows.js';
import { generationRow } from '../projections/generation-rows.js';
import { walletRow } from '../projections/wallet-rows.js';
import { WalletLedger } from './wallet-ledger.js';

export type AnomalyKind = 'rejected' | 'error' | 'projection_drift' | 'wallet_invariant';

/** Something a replay found that a developer should look at. */
export interface Anomaly {
  version: number;
  type: string;
  kind: AnomalyKind;
  reason: string;
}

export interface TimelineEntry {
  version: number;
  createdAt: Date;
  type: string;
  actor: string;
  /** Machine state before and after, e.g. "ready" → "training.requested". */
  before: string | null;
  after: string | null;
  outcome: 'applied' | 'rejected' | 'error';
  reason: string | null;
}

export interface StreamReplay {
  streamId: string;
  kind: StreamKind | null;
  /** The top-level status the current machine reaches; null if no event started the stream. */
  finalStatus: string | null;
  version: number;
  timeline: TimelineEntry[];
  anomalies: Anomaly[];
  /** A wallet's reservations still open at the end: each must pay for something still in flight. */
  openReservations?: Reservation[];
}

/** A recorded event as replay reads it. */
export interface ReplayedEvent {
  version: number;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
  metadata?: Record<string, unknown>;
}

export interface TimeTravel {
  toVersion?: number;
  until?: Date;
}

export interface FoldOptions {
  timeline: boolean;
  travel: TimeTravel;
}

/**
 * What the read model holds for one stream, to compare with its replayed state: its `avatars`,
 * `generations` or `wallets` row (column → value, as JSON has it) and its photo ids.
 */
export interface StreamReadModel {
  avatar: Record<string, unknown> | null;
  generation: Record<string, unknown> | null;
  wallet: Record<string, unknown> | null;
  photoIds: string[];
}

type AnyState = StateOf<StreamKind>;

function describeActor(metadata: Record<string, unknown> | undefined): string {
  const actor = metadata?.actor as { kind?: string; userId?: number; requestId?: string; component?: string; name?: string } | undefined;
  switch (actor?.kind) {
    case 'user':
      return `user ${actor.userId}`;
    case 'fal':
      return `fal ${actor.requestId}`;
    case 'system':
      return `system ${actor.component}`;
    case 'operator':
      return `operator ${actor.name}`;
    default:
      return 'unknown';
  }
}

/**
 * Folds one stream's recorded events through the current machine, one at a time, noting what it
 * refuses or fails on. XState answers an event it cannot take with the same snapshot, so each
 * event is decided explicitly.
 */
export class StreamFold {
  private kind: StreamKind | null = null;
  private state: AnyState | null = null;
  private version = 0;
  private readonly timeline: TimelineEntry[] = [];
  private readonly anomalies: Anomaly[] = [];
  private ledger: WalletLedger | null = null;

  constructor(private readonly options: FoldOptions) {}

  /** Takes one event; `event.data` becomes the machine event itself (it must not be shared). */
  add(recorded: ReplayedEvent): void {
    const { travel } = this.options;
    if (travel.toVersion !== undefined && recorded.version > travel.toVersion) return;
    if (travel.until !== undefined && recorded.createdAt > travel.until) return;
    const event = Object.assign(recorded.data, { type: recorded.type }) as DomainEvent;
    this.kind ??= kindOfEvent(event);
    this.version = recorded.version;
    const lifecycle = lifecycleOf(this.kind);
    const decision = lifecycle.decide(this.state as never, event as never);
    const before = this.state;
    let outcome: TimelineEntry['outcome'] = 'applied';
    let reason: string | null = null;
    if (decision.ok) {
      this.state = decision.state;
      if (this.kind === 'wallet') (this.ledger ??= new WalletLedger()).add(event);
    } else {
      outcome = decision.rejection.code === 'machine_error' ? 'error' : 'rejected';
      reason = decision.rejection.reason;
      this.anomalies.push({ version: recorded.version, type: recorded.type, kind: outcome, reason });
    }
    if (this.options.timeline) {
      this.timeline.push({
        version: recorded.version,
        createdAt: recorded.createdAt,
        type: recorded.type,
        actor: describeActor(recorded.metadata),
        before: before === null ? null : lifecycle.describe(before as never),
        after: this.state === null ? null : lifecycle.describe(this.state as never),
        outcome,
        reason,
      });
    }
  }

  /** The replay of the stream, compared with the read model when its rows are given. */
  finish(streamId: string, model: StreamReadModel | null): StreamReplay & { state: AnyState | null } {
    const { kind, state, version, timeline } = this;
    const finalStatus = kind === null || state === null ? null : lifecycleOf(kind).statusOf(state as never);
    const anomalies = [...this.anomalies];
    for (const reason of model ? drift(kind, state, version, model) : []) {
      anomalies.push({ version, type: '(read model)', kind: 'projection_drift', reason });
    }
    if (kind !== 'wallet' || state === null) return { streamId, kind, finalStatus, version, timeline, anomalies, state };
    const wallet = state as StateOf<'wallet'>;
    for (const reason of this.ledger?.disagreements(wallet) ?? []) {
      anomalies.push({ version, type: '(wallet)', kind: 'wallet_invariant', reason });
    }
    return { streamId, kind, finalStatus, version, timeline, anomalies, state, openReservations: Object.values(wallet.reservations) };
  }
}

function same(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'object' && expected !== null) return JSON.stringify(expected) === JSON.stringify(actual);
  if (typeof expected === 'string' && typeof actual !== 'string' && actual !== null) {
    return expected === JSON.stringify(actual);
  }
  return expected === actual;
}

/** The read-model row the log explains for a stream of this kind. */
function expectedRow(kind: StreamKind, state: AnyState): object {
  switch (kind) {
    case 'avatar':
      return avatarRow(state as StateOf<'avatar'>);
    case 'generation':
      return generationRow(state as StateOf<'generation'>);
    case 'wallet':
      return walletRow(state as StateOf<'wallet'>);
  }
}

/** Where the read model disagrees with the state the log folds to, field by field. */
function drift(kind: StreamKind | null, state: AnyState | null, version: number, model: StreamReadModel): string[] {
  const row = kind === null ? (model.avatar ?? model.generation ?? model.wallet) : model[kind];
  if (state === null || kind === null) return row ? ['the read model has a row for a stream no event started'] : [];
  if (!row) return ['the read model has no row for this stream'];
  const expected: Record<string, unknown> = { ...expectedRow(kind, state), version };
  const differences = Object.entries(expected)
    .filter(([column, value]) => !same(value, row[column]))
    .map(([column, value]) => `${column}: the read model says ${JSON.stringify(row[column])}, the log says ${JSON.stringify(value)}`);
  if (kind === 'avatar') {
    const logPhotos = (state as StateOf<'avatar'>).context.photos.map((p) => p.photoId).sort();
    const modelPhotos = [...model.photoIds].sort();
    if (logPhotos.join() !== modelPhotos.join()) {
      differences.push(`photos: the read model has [${modelPhotos.join(', ')}], the log has [${logPhotos.join(', ')}]`);
    }
  }
  return differences;
}
