import type { Kysely } from 'kysely';
import { writeStreams, type StreamWrite } from './append-statement.js';
import type { RecordedEvent } from './event-log.js';
import type { Schema } from './schema.js';

export interface GroupCommitOptions {
  /** Statements this process keeps running at once; writes beyond them wait and share the next one. */
  statements: number;
  /** Streams one statement writes at most. */
  streamsPerStatement: number;
}

/**
 * Statements a process runs at once for grouped work (appends here, lookups in ReadGroup), per
 * backend. PGlite runs one statement at a time. On Postgres two keep the server busy while the
 * next group gathers: over repeated runs with 16 writers on two shared cores, 2 gave 0.40–0.66×
 * the raw INSERT rate, 1 gave 0.40–0.63×, 3 0.35–0.59×, 4 0.44–0.59×, 8 0.37×, and no grouping
 * 0.24×. Starting a group only once every released caller had queued (one statement for all) was
 * slower, 0.27–0.37×: Node then builds while Postgres idles. Hence the even share below.
 */
export const groupedStatements = { pglite: 1, postgres: 2 } as const;

interface QueuedWrite {
  write: StreamWrite;
  resolve: (recorded: RecordedEvent[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for dispatch's appends. Writes queue, and a free statement takes queued writes for
 * distinct streams and appends them together: one round trip, one plan execution and one WAL
 * flush for the group. A write issued while a statement is free goes out once the current turn of
 * the event loop ends, with the writes issued in that turn; at low load, alone, as it would
 * without this. A statement takes an even share of the writes in flight (queued or running), so
 * the slots carry alike groups and Postgres runs one while Node prepares the next. Each write
 * keeps its own version check and its own outcome (see `writeStreams`). A queued write is in
 * memory for at most one statement's time and its caller is awaiting it, so a crash loses only
 * writes that nobody was told had happened.
 */
export class GroupCommit {
  private readonly queue: QueuedWrite[] = [];
  /** Streams (and required streams) a running statement writes: a later write for one waits for it. */
  private readonly busy = new Set<string>();
  private running = 0;
  private runningWrites = 0;
  private startScheduled = false;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly options: GroupCommitOptions,
  ) {}

  write(write: StreamWrite): Promise<RecordedEvent[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.startSoon();
    });
  }

  /**
   * A finished statement releases all its callers at once, and each comes back with its next
   * write within the same turn. Started at the first of them, a statement would carry that one
   * alone while the rest waited for a slot (measured at 16 writers: groups of 1 alternating with
   * groups of 14, and a mean of 0.45× the INSERT baseline against 0.51× with alike groups, in
   * alternating dev runs).
   */
  private startSoon(): void {
    if (this.startScheduled || this.running >= this.options.statements) return;
    this.startScheduled = true;
    setImmediate(() => {
      this.startScheduled = false;
      this.startStatements();
    });
  }

  private startStatements(): void {
    while (this.running < this.options.statements) {
      const group = this.takeGroup(Math.ceil((this.queue.length + this.runningWrites) / this.options.statements));
      if (group.length === 0) return;
      this.running += 1;
      this.runningWrites += group.length;
      void this.run(group);
    }
  }

  /** Up to `share` queued writes, in arrival order, whose streams no running statement (nor this group) touches. */
  private takeGroup(share: number): QueuedWrite[] {
    const group: QueuedWrite[] = [];
    const skipped: QueuedWrite[] = [];
    const size = Math.min(share, this.options.streamsPerStatement);
    while (this.queue.length > 0 && group.length < size) {
      const queued = this.queue.shift()!;
      const streams = streamsOf(queued.write);
      if (streams.some((stream) => this.busy.has(stream))) {
        skipped.push(queued);
        continue;
      }
      for (const stream of streams) this.busy.add(stream);
      group.push(queued);
    }
    this.queue.unshift(...skipped);
    // A group locks its streams in stream id order, so two instances' groups rarely deadlock; when
    // they do, Postgres refuses one statement and its writes are retried alone.
    return group.sort((a, b) => (a.write.streamId < b.write.streamId ? -1 : a.write.streamId > b.write.streamId ? 1 : 0));
  }

  private async run(group: QueuedWrite[]): Promise<void> {
    try {
      const outcomes = await writeStreams(
        this.db,
        group.map(({ write }) => write),
      );
      outcomes.forEach((outcome, i) => {
        const { resolve, reject } = group[i]!;
        if (outcome.status === 'fulfilled') resolve(outcome.value);
        else reject(outcome.reason);
      });
    } catch (error) {
      for (const { reject } of group) reject(error);
    } finally {
      for (const { write } of group) for (const stream of streamsOf(write)) this.busy.delete(stream);
      this.running -= 1;
      this.runningWrites -= group.length;
      this.startStatements();
    }
  }
}

function streamsOf(write: StreamWrite): string[] {
  const own = write.requires ? [write.streamId, write.requires.streamId] : [write.streamId];
  return write.linked ? [...own, ...write.linked.flatMap(streamsOf)] : own;
}
