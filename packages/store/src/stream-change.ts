import type { EventOfKind, StateOf, StreamKind } from './lifecycles.js';

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
