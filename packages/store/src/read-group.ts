export interface ReadGroupOptions {
  /** Reads this process keeps running at once; lookups beyond them wait and share the next one. */
  reads: number;
  /** Keys one read looks up at most. */
  keysPerRead: number;
}

interface QueuedLookup<K, V> {
  key: K;
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Lookups by key, grouped the way GroupCommit groups appends: while fewer than `reads` reads run,
 * a lookup is sent at once, alone; when they all run, lookups queue and the next read fetches
 * every queued key in one statement. A lookup never reads older data than it would have alone:
 * its statement starts after it was asked for.
 */
export class ReadGroup<K, V> {
  private readonly queue: QueuedLookup<K, V>[] = [];
  private running = 0;

  constructor(
    private readonly read: (keys: readonly K[]) => Promise<Map<K, V>>,
    private readonly options: ReadGroupOptions,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      this.startReads();
    });
  }

  private startReads(): void {
    while (this.running < this.options.reads && this.queue.length > 0) {
      this.running += 1;
      void this.run(this.queue.splice(0, this.options.keysPerRead));
    }
  }

  private async run(group: QueuedLookup<K, V>[]): Promise<void> {
    try {
      const found = await this.read([...new Set(group.map(({ key }) => key))]);
      for (const { key, resolve } of group) resolve(found.get(key));
    } catch (error) {
      for (const { reject } of group) reject(error);
    } finally {
      this.running -= 1;
      this.startReads();
    }
  }
}
