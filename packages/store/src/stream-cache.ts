import type { StateOf, StreamKind } from './lifecycles.js';

interface CachedStream {
  kind: StreamKind;
  version: number;
  state: StateOf<StreamKind>;
}

/**
 * Recently read or written stream states, per process. Only a shortcut for dispatch's load: every
 * append still states the version it expects, so a stale entry costs one version conflict and a
 * reload, never a wrong write; and a rejection decided on a cached state is re-checked against
 * the database before it is returned. Losing the cache (a restart) loses nothing.
 */
export class StreamCache {
  private readonly entries = new Map<string, CachedStream>();

  constructor(private readonly capacity: number) {}

  get<K extends StreamKind>(streamId: string, kind: K): { version: number; state: StateOf<K> } | undefined {
    const entry = this.entries.get(streamId);
    if (!entry || entry.kind !== kind) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    // The kinds match, so the state is this kind's.
    return { version: entry.version, state: entry.state as StateOf<K> };
  }

  set<K extends StreamKind>(streamId: string, kind: K, version: number, state: StateOf<K>): void {
    if (this.capacity === 0) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, { kind, version, state });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  clear(): void {
    this.entries.clear();
  }
}
