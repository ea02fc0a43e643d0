import { isStreamKind, toDomainEvent, type EventOfKind } from '../lifecycles.js';
import { inlineWrites, type InlineWrites } from '../projections/inline.js';
import type { AggregatedEvent, StreamEventsJson } from '../stream-events-json.js';
import { foldPending } from '../stream-change.js';

/** One locked stream of a rebuild batch, with its events as Postgres aggregated them. */
export interface StreamToRebuild {
  streamId: string;
  streamType: string;
  /** With `createdAt`: the rows keep the recorded times. */
  events: StreamEventsJson;
}

/**
 * One table's rows for `json_populate_recordset`: the JSON text of the rows and their columns
 * (the first row's; every row carries every column).
 */
export interface TableRows {
  json: string;
  columns: string[];
}

/** What a batch's streams fold to: each table's rows, and the keys that stay (the rest are deleted). */
export interface RebuiltBatch {
  events: number;
  avatars: TableRows;
  avatarIds: string[];
  generations: TableRows;
  generationIds: string[];
  wallets: TableRows;
  walletIds: string[];
  photos: TableRows;
  photoKeys: { avatarIds: string[]; photoIds: string[] };
  falRequests: TableRows;
  falRequestIds: string[];
}

function tableRows(rows: readonly object[]): TableRows {
  return { json: JSON.stringify(rows), columns: rows[0] === undefined ? [] : Object.keys(rows[0]) };
}

/**
 * Folds each stream of a batch through the current machine and builds the read-model rows the
 * log explains: the same inline projection an append writes, over the whole history at once.
 * Pure, so it runs in a worker thread while the main thread talks to Postgres.
 */
export function rebuildRows(streams: readonly StreamToRebuild[]): RebuiltBatch {
  let events = 0;
  const writes: { inline: InlineWrites; version: number }[] = [];
  for (const { streamId, streamType, events: json } of streams) {
    if (!isStreamKind(streamType)) continue;
    const kind = streamType;
    const recorded = JSON.parse(json) as AggregatedEvent[];
    events += recorded.length;
    const { pending, final } = foldPending(
      kind,
      null,
      recorded.map(([, type, data, createdAt]) => ({
        event: toDomainEvent({ type, data }) as EventOfKind<typeof kind>,
        // Rebuild runs no effects and writes no events: ids and metadata are not needed.
        eventId: '',
        metadata: {},
        createdAt: new Date(createdAt!),
      })),
    );
    writes.push({
      inline: inlineWrites({ kind, streamId, pending, final } as Parameters<typeof inlineWrites>[0]),
      version: recorded.at(-1)?.[0] ?? 0,
    });
  }

  const stamped = <T extends object>(w: (typeof writes)[number], row: T) => ({
    ...row,
    version: w.version,
    created_at: w.inline.firstEventAt,
    updated_at: w.inline.lastEventAt,
  });
  const avatars = writes.flatMap((w) => (w.inline.avatar ? [stamped(w, w.inline.avatar)] : []));
  const generations = writes.flatMap((w) => (w.inline.generation ? [stamped(w, w.inline.generation)] : []));
  const wallets = writes.flatMap((w) => (w.inline.wallet ? [stamped(w, w.inline.wallet)] : []));
  const photos = writes.flatMap((w) => w.inline.photosAdded);
  const falRequests = writes.flatMap((w) =>
    w.inline.falRequestsAdded.map(({ resolved, ...request }) => ({
      ...request,
      resolved_at: resolved?.at ?? null,
      next_poll_at: request.submitted_at,
      polls: 0,
    })),
  );
  return {
    events,
    avatars: tableRows(avatars),
    avatarIds: avatars.map((a) => a.avatar_id),
    generations: tableRows(generations),
    generationIds: generations.map((g) => g.generation_id),
    wallets: tableRows(wallets),
    walletIds: wallets.map((w) => w.wallet_id),
    photos: tableRows(photos),
    photoKeys: { avatarIds: photos.map((p) => p.avatar_id), photoIds: photos.map((p) => p.photo_id) },
    falRequests: tableRows(falRequests),
    falRequestIds: falRequests.map((f) => f.request_id),
  };
}
