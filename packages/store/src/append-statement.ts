import type { Effect, PersistedState } from '@avatar/machine';
import { effectTopic } from '@avatar/machine';
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation, sqlStateOf } from './database-errors.js';
import {
  DuplicateEventError,
  WrongExpectedVersionError,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
} from './event-log.js';
import { isSettled, type InboundMessage } from './inbox.js';
import type { InlineWrites } from './projections/inline.js';
import type { Schema } from './schema.js';
import { compile, identifier, integer, join, text, type Fragment } from './statement-text.js';

/** Everything one append writes: events, the stream's new version and state, read model, outbox, inbox. */
export interface StreamWrite {
  streamId: string;
  streamType: string;
  expected: ExpectedVersion;
  events: readonly NewEvent[];
  state: { persisted: PersistedState; machineVersion: string } | null;
  inline: InlineWrites;
  effects: readonly { effect: Effect; causedBy: string }[];
  /** Recorded as applied by the same statement; the append is refused if it was seen before. */
  inbox?: { message: InboundMessage; detail: Record<string, unknown> };
  /** Another stream that must still be at this version (it is share-locked until commit). */
  requires?: { streamId: string; version: number };
}

export class DuplicateInboundError extends Error {
  constructor(readonly inbound: InboundMessage) {
    super(`${inbound.source} message ${inbound.messageId} was already handled`);
    this.name = 'DuplicateInboundError';
  }
}

type Executor = Kysely<Schema> | Transaction<Schema>;

interface AppendedRow {
  global_position: number;
  transaction_id: string;
  version: number;
  event_id: string;
  created_at: Date;
}

interface BatchedRow extends AppendedRow {
  chain: number;
}

/** The names of one chain's CTEs: `stream0`, `appended0` … (a single write is chain 0). */
function chainNames(chain: number) {
  const name = (base: string) => identifier(`${base}${chain}`);
  return {
    required: name('required'),
    stream: name('stream'),
    appended: name('appended'),
    inbox: name('inbox_row'),
    avatar: name('avatar_row'),
    generation: name('generation_row'),
    photosAdded: name('photos_added'),
    photosRemoved: name('photos_removed'),
    falResolved: name('fal_resolved'),
    falAdded: name('fal_added'),
    outbox: name('outbox_row'),
  };
}

type ChainNames = ReturnType<typeof chainNames>;

/**
 * Appends and projects in ONE statement: a chain of data-modifying CTEs that all hang off the
 * stream row's optimistic update, so either everything is written or nothing is. One statement
 * instead of a transaction of six is what lets a dispatch cost about as much as a plain INSERT.
 */
export async function writeStream(db: Executor, write: StreamWrite): Promise<RecordedEvent[]> {
  let rows: AppendedRow[];
  try {
    rows = (await db.executeQuery(compile<AppendedRow>(streamStatement([write])))).rows;
  } catch (error) {
    if (isUniqueViolation(error, 'events_event_id_key')) throw new DuplicateEventError(write.events.map((e) => e.eventId));
    throw error;
  }
  if (rows.length === 0) throw await whyNothingWasAppended(db, write);
  return recordedEvents(write, rows);
}

/**
 * Writes several streams in one statement and one commit (group commit): each stream's chain
 * hangs off its own version check, so a stream whose check fails writes nothing and gets its own
 * error while the others land. The streams must be distinct (Postgres cannot update one row twice
 * in a statement). If Postgres refuses the statement as a whole (a duplicate event id, a deadlock
 * with another instance), nothing was written and every stream is written again on its own.
 */
export async function writeStreams(db: Executor, writes: readonly StreamWrite[]): Promise<PromiseSettledResult<RecordedEvent[]>[]> {
  if (writes.length === 1) return Promise.allSettled([writeStream(db, writes[0]!)]);
  let rows: BatchedRow[];
  try {
    rows = (await db.executeQuery(compile<BatchedRow>(streamStatement(writes)))).rows;
  } catch (error) {
    // Postgres refused the statement (it carries a SQLSTATE), so it wrote nothing: write each
    // stream alone. Without one (a lost connection) the commit may have happened; say so instead.
    if (sqlStateOf(error) === null) throw error;
    return Promise.allSettled(writes.map((write) => writeStream(db, write)));
  }
  const byChain = writes.map((): AppendedRow[] => []);
  for (const row of rows) byChain[row.chain]!.push(row);
  return Promise.allSettled(
    writes.map(async (write, i) => {
      const appended = byChain[i]!;
      if (appended.length === 0) throw await whyNothingWasAppended(db, write);
      return recordedEvents(write, appended);
    }),
  );
}

function recordedEvents(write: StreamWrite, rows: readonly AppendedRow[]): RecordedEvent[] {
  return rows.map((row, i) => {
    const event = write.events[i]!;
    return {
      globalPosition: row.global_position,
      transactionId: row.transaction_id,
      streamId: write.streamId,
      version: row.version,
      eventId: row.event_id,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      createdAt: row.created_at,
    };
  });
}

/**
 * What makes one write's chain text differ from another's (its parameters aside). Grouping writes
 * of one shape together makes a group's text recur, so its prepared plan is reused.
 */
export function shapeOf(write: StreamWrite): string {
  const { expected, inbox, requires, inline, effects } = write;
  return [
    typeof expected === 'number' ? 'version' : expected,
    requires ? 'requires' : '',
    inbox ? 'inbox' : '',
    effects.length > 0 ? 'effects' : '',
    inline.rowExists ? 'row' : 'new',
    inline.avatar ? Object.keys(inline.avatar).join(',') : '',
    inline.generation ? Object.keys(inline.generation).join(',') : '',
    inline.photosAdded.length > 0 ? 'photos+' : '',
    inline.photosRemoved.length > 0 ? 'photos-' : '',
    inline.resolveOpenFalRequests ? 'resolve' : '',
    inline.falRequestsAdded.length > 0 ? 'fal+' : '',
  ].join('|');
}

/** One chain of CTEs per stream, each named with its chain's number; rows come back by chain and version. */
function streamStatement(writes: readonly StreamWrite[]): Fragment {
  const chains = writes.map((write, i) => streamChain(write, i));
  const results = chains.map(({ appended }, i) =>
    writes.length === 1 ? text`select * from ${appended}` : text`select ${integer(i)}::int as chain, * from ${appended}`,
  );
  const order = writes.length === 1 ? text`version` : text`chain, version`;
  return text`with ${join(chains.flatMap(({ ctes }) => ctes))} select * from (${join(results, ' union all ')}) r order by ${order}`;
}

function streamChain(write: StreamWrite, chain: number): { ctes: Fragment[]; appended: Fragment } {
  const { events, effects, inbox, requires } = write;
  const names = chainNames(chain);
  const ctes: Fragment[] = [];
  if (requires) {
    ctes.push(text`${names.required} as (select version from streams where stream_id = ${requires.streamId} for share)`);
  }
  ctes.push(text`${names.stream} as (${streamUpdate(write, names)})`);
  ctes.push(text`${names.appended} as (
    insert into events (stream_id, version, event_id, type, data, metadata, created_at)
    select s.stream_id, s.version - ${events.length} + e.ord, e.event_id, e.type, e.data, e.metadata, coalesce(e.created_at, now())
    from ${names.stream} s, unnest(
      ${events.map((e) => e.eventId)}::uuid[], ${events.map((e) => e.type)}::text[],
      ${events.map((e) => JSON.stringify(e.data))}::json[], ${events.map((e) => JSON.stringify(e.metadata))}::json[],
      ${events.map((e) => e.createdAt ?? null)}::timestamptz[]
    ) with ordinality as e(event_id, type, data, metadata, created_at, ord)
    returning global_position, transaction_id::text as transaction_id, version, event_id, created_at)`);
  if (inbox) {
    ctes.push(text`${names.inbox} as (
      insert into inbox (source, message_id, stream_id, outcome, detail, payload)
      select ${inbox.message.source}, ${inbox.message.messageId}, s.stream_id, 'applied', ${JSON.stringify(inbox.detail)}::jsonb, ${inbox.message.payload}
      from ${names.stream} s
      on conflict (source, message_id) do update
        set outcome = excluded.outcome, stream_id = excluded.stream_id, detail = excluded.detail, payload = excluded.payload
        where inbox.outcome = 'unknown_request')`);
  }
  ctes.push(...inlineProjection(write, names));
  if (effects.length > 0) {
    ctes.push(text`${names.outbox} as (
      insert into outbox (topic, kind, stream_id, payload, caused_by)
      select o.topic, o.kind, s.stream_id, o.payload, o.caused_by
      from ${names.stream} s, unnest(
        ${effects.map(({ effect }) => effectTopic[effect.kind])}::text[], ${effects.map(({ effect }) => effect.kind)}::text[],
        ${effects.map(({ effect }) => JSON.stringify(effect))}::jsonb[], ${effects.map(({ causedBy }) => causedBy)}::uuid[]
      ) as o(topic, kind, payload, caused_by))`);
  }
  return { ctes, appended: names.appended };
}

/** The stream row moves to its new version only if the expectation (and every guard) holds. */
function streamUpdate(write: StreamWrite, names: ChainNames): Fragment {
  const { streamId, streamType, expected, events, state, inbox, requires } = write;
  const count = events.length;
  const stateJson = state ? JSON.stringify(state.persisted) : null;
  const machineVersion = state?.machineVersion ?? null;
  const guards: Fragment[] = [text`true`];
  if (inbox) {
    guards.push(text`not exists (select 1 from inbox where source = ${inbox.message.source} and message_id = ${inbox.message.messageId}
      and outcome <> 'unknown_request')`);
  }
  if (requires) guards.push(text`(select version from ${names.required}) = ${requires.version}`);
  const guard = join(guards, ' and ');

  if (expected === 'no_stream' || expected === 'any') {
    const onConflict =
      expected === 'any'
        ? text`on conflict (stream_id) do update set version = streams.version + ${count}, state = excluded.state,
            machine_version = excluded.machine_version, updated_at = now()`
        : text`on conflict (stream_id) do nothing`;
    return text`insert into streams (stream_id, stream_type, version, state, machine_version)
      select ${streamId}, ${streamType}, ${count}, ${stateJson}::json, ${machineVersion} where ${guard}
      ${onConflict} returning stream_id, version`;
  }
  const versionCheck = expected === 'stream_exists' ? text`true` : text`version = ${expected}`;
  return text`update streams set version = version + ${count}, state = ${stateJson}::json, machine_version = ${machineVersion}, updated_at = now()
    where stream_id = ${streamId} and ${versionCheck} and ${guard} returning stream_id, version`;
}

/**
 * Writes a read-model row from the stream CTE; `version` and the times come from the append
 * itself. A row the stream already has is UPDATEd (cheaper than INSERT … ON CONFLICT, which tries
 * the insert first); a stream's first row is upserted.
 */
function readModelRow(table: string, key: string, row: Record<string, unknown>, inline: InlineWrites, stream: Fragment): Fragment {
  const columns = Object.keys(row);
  const updatedAt = text`coalesce(${inline.lastEventAt}::timestamptz, now())`;
  if (inline.rowExists) {
    const assignments = columns.filter((c) => c !== key).map((c) => text`${identifier(c)} = ${row[c]}`);
    return text`update ${identifier(table)} t set ${join(assignments)}, version = s.version, updated_at = ${updatedAt}
      from ${stream} s where t.${identifier(key)} = ${row[key]}`;
  }
  const updates = [...columns.filter((c) => c !== key), 'version', 'updated_at'].map((c) => text`${identifier(c)} = excluded.${identifier(c)}`);
  return text`insert into ${identifier(table)} (${join(columns.map((c) => identifier(c)))}, version, created_at, updated_at)
    select ${join(columns.map((c) => text`${row[c]}`))}, s.version, coalesce(${inline.firstEventAt}::timestamptz, now()), ${updatedAt}
    from ${stream} s
    on conflict (${identifier(key)}) do update set ${join(updates)}`;
}

function inlineProjection(write: StreamWrite, names: ChainNames): Fragment[] {
  const { streamId, inline } = write;
  const ctes: Fragment[] = [];
  if (inline.avatar) ctes.push(text`${names.avatar} as (${readModelRow('avatars', 'avatar_id', inline.avatar, inline, names.stream)})`);
  if (inline.generation) ctes.push(text`${names.generation} as (${readModelRow('generations', 'generation_id', inline.generation, inline, names.stream)})`);
  const added = inline.photosAdded;
  if (added.length > 0) {
    ctes.push(text`${names.photosAdded} as (
      insert into avatar_photos (avatar_id, photo_id, position, telegram_file_id, file_unique_id, sha256, width, height, bytes, mime, added_at)
      select s.stream_id, p.photo_id, p.position, p.telegram_file_id, p.file_unique_id, p.sha256, p.width, p.height, p.bytes, p.mime, coalesce(p.added_at, now())
      from ${names.stream} s, unnest(
        ${added.map((p) => p.photo_id)}::text[], ${added.map((p) => p.position)}::int[], ${added.map((p) => p.telegram_file_id)}::text[],
        ${added.map((p) => p.file_unique_id)}::text[], ${added.map((p) => p.sha256)}::text[], ${added.map((p) => p.width)}::int[],
        ${added.map((p) => p.height)}::int[], ${added.map((p) => p.bytes)}::int[], ${added.map((p) => p.mime)}::text[],
        ${added.map((p) => p.added_at)}::timestamptz[]
      ) as p(photo_id, position, telegram_file_id, file_unique_id, sha256, width, height, bytes, mime, added_at)
      on conflict (avatar_id, photo_id) do nothing)`);
  }
  if (inline.photosRemoved.length > 0) {
    ctes.push(text`${names.photosRemoved} as (
      delete from avatar_photos where avatar_id = ${streamId} and photo_id = any(${inline.photosRemoved}::text[])
      and exists (select 1 from ${names.stream}))`);
  }
  if (inline.resolveOpenFalRequests) {
    ctes.push(text`${names.falResolved} as (
      update fal_requests set resolved_at = coalesce(${inline.resolveOpenFalRequests.at}::timestamptz, now())
      where stream_id = ${streamId} and resolved_at is null and exists (select 1 from ${names.stream}))`);
  }
  const requests = inline.falRequestsAdded;
  if (requests.length > 0) {
    ctes.push(text`${names.falAdded} as (
      insert into fal_requests (request_id, kind, stream_id, attempt_id, endpoint, submitted_at, resolved_at, next_poll_at)
      select f.request_id, f.kind, s.stream_id, f.attempt_id, f.endpoint, coalesce(f.submitted_at, now()),
        case when f.resolved then coalesce(f.resolved_at, now()) end, coalesce(f.submitted_at, now())
      from ${names.stream} s, unnest(
        ${requests.map((r) => r.request_id)}::text[], ${requests.map((r) => r.kind)}::text[], ${requests.map((r) => r.attempt_id)}::text[],
        ${requests.map((r) => r.endpoint)}::text[], ${requests.map((r) => r.submitted_at)}::timestamptz[],
        ${requests.map((r) => r.resolved !== null)}::boolean[], ${requests.map((r) => r.resolved?.at ?? null)}::timestamptz[]
      ) as f(request_id, kind, attempt_id, endpoint, submitted_at, resolved, resolved_at)
      on conflict (request_id) do nothing)`);
  }
  return ctes;
}

/** The statement appended nothing: a duplicate inbound message, a moved required stream, or a version conflict. */
async function whyNothingWasAppended(db: Executor, write: StreamWrite): Promise<Error> {
  const { inbox, requires } = write;
  if (inbox) {
    const seen = await db
      .selectFrom('inbox')
      .select('outcome')
      .where('source', '=', inbox.message.source)
      .where('message_id', '=', inbox.message.messageId)
      .executeTakeFirst();
    if (seen && isSettled(seen)) return new DuplicateInboundError(inbox.message);
  }
  if (requires) {
    const row = await db.selectFrom('streams').select('version').where('stream_id', '=', requires.streamId).executeTakeFirst();
    if (row?.version !== requires.version) return new WrongExpectedVersionError(requires.streamId, requires.version, row?.version ?? null);
  }
  const row = await db.selectFrom('streams').select('version').where('stream_id', '=', write.streamId).executeTakeFirst();
  return new WrongExpectedVersionError(write.streamId, write.expected, row?.version ?? null);
}
