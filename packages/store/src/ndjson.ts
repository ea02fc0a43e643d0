import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { parseDomainEvent, type DomainEvent } from '@avatar/machine';
import { z } from 'zod';
import { commitChange } from './commit.js';
import { foldPending } from './stream-change.js';
import type { Store } from './database.js';
import { kindOfEvent, type EventOfKind, type StreamKind } from './lifecycles.js';
import { loadStream } from './stream-state.js';

/** One line of an exported log: the public, replayable event format. */
export interface ExportedEvent {
  streamId: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  eventId: string;
  createdAt: string;
}

/** Events in (stream, version) order after a position, a page at a time. */
export async function eventsAfter(
  store: Store,
  after: { streamId: string; version: number } | null,
  { streamId, limit }: { streamId?: string | undefined; limit: number },
) {
  return store.db
    .selectFrom('events')
    .select(['stream_id', 'version', 'type', 'data', 'metadata', 'event_id', 'created_at'])
    .$if(streamId !== undefined, (q) => q.where('stream_id', '=', streamId as string))
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('stream_id', 'version'), '>', eb.tuple(after!.streamId, after!.version))))
    .orderBy('stream_id')
    .orderBy('version')
    .limit(limit)
    .execute();
}

/** Writes events as NDJSON, one per line, by stream then version. Returns how many. */
export async function exportEvents(store: Store, out: Writable, { streamId }: { streamId?: string } = {}): Promise<number> {
  let count = 0;
  let after: { streamId: string; version: number } | null = null;
  for (;;) {
    const rows = await eventsAfter(store, after, { streamId, limit: 5000 });
    const last = rows.at(-1);
    if (!last) return count;
    for (const row of rows) {
      const line: ExportedEvent = {
        streamId: row.stream_id,
        version: row.version,
        type: row.type,
        data: row.data,
        metadata: row.metadata,
        eventId: row.event_id,
        createdAt: row.created_at.toISOString(),
      };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      count += 1;
    }
    after = { streamId: last.stream_id, version: last.version };
  }
}

const exportedEventSchema = z.object({
  streamId: z.string().min(1),
  version: z.number().int().positive(),
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
  eventId: z.uuid(),
  createdAt: z.iso.datetime({ offset: true }),
});

export class ImportError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'ImportError';
  }
}

interface ParsedLine {
  line: number;
  event: DomainEvent;
  version: number;
  eventId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** Reads and checks a whole file: every line well-formed, known types, no version gaps, no repeated ids. */
export async function parseEventLog(input: Readable): Promise<Map<string, ParsedLine[]>> {
  const streams = new Map<string, ParsedLine[]>();
  const eventIds = new Set<string>();
  let lineNumber = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ImportError(lineNumber, `not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = exportedEventSchema.safeParse(json);
    if (!parsed.success) {
      throw new ImportError(lineNumber, parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; '));
    }
    const line = parsed.data;
    const event = parseDomainEvent(line.type, line.data);
    if (!event.ok) throw new ImportError(lineNumber, event.error);
    if (eventIds.has(line.eventId)) throw new ImportError(lineNumber, `event id ${line.eventId} appears twice`);
    eventIds.add(line.eventId);
    const stream = streams.get(line.streamId) ?? [];
    const previous = stream.at(-1);
    if (previous && line.version !== previous.version + 1) {
      throw new ImportError(lineNumber, `stream ${line.streamId} goes from version ${previous.version} to ${line.version}`);
    }
    if (previous && kindOfEvent(previous.event) !== kindOfEvent(event.event)) {
      throw new ImportError(lineNumber, `stream ${line.streamId} mixes avatar and generation events`);
    }
    stream.push({
      line: lineNumber,
      event: event.event,
      version: line.version,
      eventId: line.eventId,
      metadata: line.metadata,
      createdAt: new Date(line.createdAt),
    });
    streams.set(line.streamId, stream);
  }
  return streams;
}

/**
 * Appends a recorded log exactly as given (versions, ids, timestamps, metadata), even events the
 * current machine refuses, in one transaction: a bad line or a version that does not follow the
 * stored stream writes nothing. No outbox rows: a history never runs its side effects again.
 */
export async function importEvents(store: Store, input: Readable): Promise<{ streams: number; events: number }> {
  const streams = await parseEventLog(input);
  let events = 0;
  await store.db.transaction().execute(async (trx) => {
    for (const [streamId, lines] of streams) {
      const first = lines[0]!;
      const kind: StreamKind = kindOfEvent(first.event);
      const loaded = await loadStream(trx, kind, streamId, { lock: true });
      if (loaded.storedKind !== null && loaded.storedKind !== kind) {
        throw new ImportError(first.line, `stream ${streamId} is stored as a ${loaded.storedKind} stream`);
      }
      const current = loaded.version ?? 0;
      if (first.version !== current + 1) {
        throw new ImportError(first.line, `stream ${streamId} is at version ${current}; the file continues it at ${first.version}`);
      }
      const existing = await trx.selectFrom('events').select('event_id').where('event_id', 'in', lines.map((l) => l.eventId)).executeTakeFirst();
      if (existing) {
        const line = lines.find((l) => l.eventId === existing.event_id)!;
        throw new ImportError(line.line, `event id ${existing.event_id} is already in the log`);
      }
      const { pending, final } = foldPending(
        kind,
        loaded.state,
        lines.map((l) => ({ event: l.event as EventOfKind<typeof kind>, eventId: l.eventId, metadata: l.metadata, createdAt: l.createdAt })),
      );
      await commitChange(trx, { kind, streamId, pending, final }, { expected: loaded.version ?? 'no_stream', sideEffects: false });
      store.streamCache.forget(streamId);
      events += lines.length;
    }
  });
  return { streams: streams.size, events };
}
