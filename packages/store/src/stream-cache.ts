/**
 * Recently written stream states, per process. Only a shortcut for dispatch's load: every append
 * still states the version it expects, so a stale entry costs one version conflict and a reload,
 * never a wrong write; and a rejection decided on a cached state is re-checked against the
 * database before it is returned. Losing the cache (a restart) loses nothing.
 */
export class StreamCache {
  private readonly entries = new Map<string, { version: number; state: unknown }>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): { version: number; state: unknown } | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, version: number, state: unknown): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, { version, state });
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
