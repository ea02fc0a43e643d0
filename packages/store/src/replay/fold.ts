import type { AnyMachineSnapshot } from 'xstate';
import type { DomainEvent } from '@avatar/machine';
import { kindOfEvent, lifecycleOf, type StateOf, type StreamKind } from '../lifecycles.js';
import { avatarRow } from '../projections/avatar-rows.js';
import { generationRow } from '../projections/generation-rows.js';

export type AnomalyKind = 'rejected' | 'error' | 'projection_drift';

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
 * What the read model holds for one stream, to compare with its replayed state: its `avatars` or
 * `generations` row (column → value, as JSON has it) and its photo ids.
 */
export interface StreamReadModel {
  avatar: Record<string, unknown> | null;
  generation: Record<string, unknown> | null;
  photoIds: string[];
}

function stateLabel(state: AnyMachineSnapshot | null): string | null {
  if (state === null) return null;
  const value = state.value;
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (typeof child === 'string' ? `${key}.${child}` : key))
    .join(',');
}

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
  private state: AnyMachineSnapshot | null = null;
  private version = 0;
  private readonly timeline: TimelineEntry[] = [];
  private readonly anomalies: Anomaly[] = [];

  constructor(private readonly options: FoldOptions) {}

  /** Takes one event; `event.data` becomes the machine event itself (it must not be shared). */
  add(recorded: ReplayedEvent): void {
    const { travel } = this.options;
    if (travel.toVersion !== undefined && recorded.version > travel.toVersion) return;
    if (travel.until !== undefined && recorded.createdAt > travel.until) return;
    const event = Object.assign(recorded.data, { type: recorded.type }) as DomainEvent;
    this.kind ??= kindOfEvent(event);
    this.version = recorded.version;
    const decision = lifecycleOf(this.kind).decide(this.state as StateOf<StreamKind> | null, event as never);
    const before = this.state;
    let outcome: TimelineEntry['outcome'] = 'applied';
    let reason: string | null = null;
    if (decision.ok) {
      this.state = decision.state as AnyMachineSnapshot;
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
        before: stateLabel(before),
        after: stateLabel(this.state),
        outcome,
        reason,
      });
    }
  }

  /** The replay of the stream, compared with the read model when its rows are given. */
  finish(streamId: string, model: StreamReadModel | null): StreamReplay & { state: AnyMachineSnapshot | null } {
    const { kind, state, version, timeline } = this;
    const finalStatus = kind === null || state === null ? null : lifecycleOf(kind).statusOf(state as StateOf<StreamKind>);
    const anomalies = [...this.anomalies];
    for (const reason of model ? drift(kind, state, version, model) : []) {
      anomalies.push({ version, type: '(read model)', kind: 'projection_drift', reason });
    }
    return { streamId, kind, finalStatus, version, timeline, anomalies, state };
  }
}

function same(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'object' && expected !== null) return JSON.stringify(expected) === JSON.stringify(actual);
  if (typeof expected === 'string' && typeof actual !== 'string' && actual !== null) {
    return expected === JSON.stringify(actual);
  }
  return expected === actual;
}

/** Where the read model disagrees with the state the log folds to, field by field. */
function drift(kind: StreamKind | null, state: AnyMachineSnapshot | null, version: number, model: StreamReadModel): string[] {
  const row = kind === 'generation' ? model.generation : model.avatar;
  if (state === null || kind === null) return row ? ['the read model has a row for a stream no event started'] : [];
  if (!row) return ['the read model has no row for this stream'];
  const expected: Record<string, unknown> = {
    ...(kind === 'avatar' ? avatarRow(state as StateOf<'avatar'>) : generationRow(state as StateOf<'generation'>)),
    version,
  };
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
