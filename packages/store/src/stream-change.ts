import { lifecycleOf, type EventOfKind, type StateOf, type StreamKind } from './lifecycles.js';

/** An event about to be appended, with the machine states around it. */
export interface PendingEvent<K extends StreamKind> {
  event: EventOfKind<K>;
  eventId: string;
  metadata: Record<string, unknown>;
  /** The recorded time, kept by import; otherwise the append's own time. */
  createdAt?: Date;
  before: StateOf<K> | null;
  after: StateOf<K> | null;
  /** False for an event the current machine refuses (only imports keep those): it changed nothing. */
  accepted: boolean;
}

/** What one append does to one stream: everything the inline projections and the outbox need. */
export interface StreamChangeOf<K extends StreamKind> {
  kind: K;
  streamId: string;
  pending: PendingEvent<K>[];
  final: StateOf<K> | null;
}

/** Narrowable by `kind` (TypeScript does not correlate a generic K by itself). */
export type PendingChange = { [K in StreamKind]: StreamChangeOf<K> }[StreamKind];

/**
 * Folds events through the machine from `start`. Every event is kept; one the machine refuses
 * is marked so and leaves the state as it was (how an imported history is stored as recorded).
 */
export function foldPending<K extends StreamKind>(
  kind: K,
  start: StateOf<K> | null,
  events: readonly { event: EventOfKind<K>; eventId: string; metadata: Record<string, unknown>; createdAt?: Date }[],
): { pending: PendingEvent<K>[]; final: StateOf<K> | null } {
  const lifecycle = lifecycleOf(kind);
  let state = start;
  const pending = events.map((item) => {
    const decision = lifecycle.decide(state, item.event);
    const before = state;
    if (decision.ok) state = decision.state;
    return { ...item, before, after: state, accepted: decision.ok };
  });
  return { pending, final: state };
}
