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
import { compile, identifier, join, text, type Fragment } from './statement-text.js';

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
  /**
   * Writes to other streams that land with this one or not at all (a training and the credits it
   * reserves), each behind its own version check, in the same statement.
   */
  linked?: readonly StreamWrite[];
}

export class DuplicateInboundError extends Error {
  constructor(readonly inbound: InboundMessage) {
    super(`${inbound.source} message ${inbound.messageId} was already handled`);
    this.name = 'DuplicateInboundError';
  }
}

type Executor = Kysely<Schema> | Transaction<Schema>;

interface AppendedRow {
  chain: number;
  global_position: number;
  transaction_id: string;
  version: number;
  event_id: string;
  created_at: Date;
}

/**
 * Appends and projects in ONE statement: data-modifying CTEs that all hang off the stream rows'
 * optimistic update, so either everything is written or nothing is. One statement instead of a
 * transaction of six is what lets a dispatch cost about as much as a plain INSERT.
 */
export async function writeStream(db: Executor, write: StreamWrite): Promise<RecordedEvent[]> {
  let rows: AppendedRow[];
  try {
    rows = (await db.executeQuery(compile<AppendedRow>(appendStatement([write])))).rows;
  } catch (error) {
    if (isUniqueViolation(error, 'events_event_id_key')) {
      throw new DuplicateEventError(unitOf(write).flatMap((w) => w.events.map((e) => e.eventId)));
    }
    if (sqlStateOf(error) === linkedAppendRefused) throw await whyLinkedAppendWasRefused(db, write, error);
    throw error;
  }
  if (rows.length === 0) throw await whyNothingWasAppended(db, write);
  return recordedEvents(unitOf(write), rows);
}

/** The SQLSTATE `linked_append_refused()` raises (migration 0006). */
const linkedAppendRefused = 'AP001';

/** A write and the writes linked to it, in chain order. */
function unitOf(write: StreamWrite): readonly StreamWrite[] {
  return write.linked === undefined ? [write] : [write, ...write.linked];
}

/**
 * Writes several streams in one statement and one commit (group commit): each stream keeps its
 * own version check, so a stream whose check fails writes nothing and gets its own error while
 * the others land. The streams must be distinct (Postgres cannot update one row twice in a
 * statement). If Postgres refuses the statement as a whole (a duplicate event id, a deadlock with
 * another instance), nothing was written and every stream is written again on its own.
 */
export async function writeStreams(db: Executor, writes: readonly StreamWrite[]): Promise<PromiseSettledResult<RecordedEvent[]>[]> {
  if (writes.length === 1) return Promise.allSettled([writeStream(db, writes[0]!)]);
  let rows: AppendedRow[];
  try {
    rows = (await db.executeQuery(compile<AppendedRow>(appendStatement(writes)))).rows;
  } catch (error) {
    // Postgres refused the statement (it carries a SQLSTATE), so it wrote nothing: write each
    // stream alone. Without one (a lost connection) the commit may have happened; say so instead.
    if (sqlStateOf(error) === null) throw error;
    return Promise.allSettled(writes.map((write) => writeStream(db, write)));
  }
  // Rows come back by chain; a write's chains (its own, then its linked ones') are consecutive.
  const firstChain = writes.map((_, i) => writes.slice(0, i).reduce((sum, w) => sum + unitOf(w).length, 0));
  return Promise.allSettled(
    writes.map(async (write, i) => {
      const unit = unitOf(write);
      const start = firstChain[i]!;
      const appended = rows.filter((row) => row.chain >= start && row.chain < start + unit.length);
      if (appended.length === 0) throw await whyNothingWasAppended(db, write);
      return recordedEvents(unit, appended, start);
    }),
  );
}

/** The recorded events of a unit's rows (ordered by chain, then version); `start` is its first chain. */
function recordedEvents(unit: readonly StreamWrite[], rows: readonly AppendedRow[], start = 0): RecordedEvent[] {
  const seen = unit.map(() => 0);
  return rows.map((row) => {
    const index = row.chain - start;
    const write = unit[index]!;
    const event = write.events[seen[index]!++]!;
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
 * The statement is set-based: each part (events, photos, outbox …) is one CTE over a JSON array
 * of records for every write in it, each record carrying its write's `chain` (index). Its text
 * depends only on which parts some write needs, so it recurs and its plan is prepared once, and
 * Postgres initialises the same dozen plan nodes for 16 streams as for one. A chain of CTEs per
 * stream cost each stream its own nodes: plan start-up was a quarter of Postgres's CPU.
 */
function appendStatement(heads: readonly StreamWrite[]): Fragment {
  // Each write is a chain; a unit is a write with its linked writes, which land together or not at all.
  const units = heads.map((head) => ({ linked: head.linked !== undefined, unit: unitOf(head) }));
  const writes = units.flatMap(({ unit }) => unit);
  const unitOfChain = units.flatMap(({ linked, unit }, i) => unit.map(() => (linked ? i : null)));
  const records = <T extends object>(pick: (write: StreamWrite) => readonly T[]) =>
    JSON.stringify(writes.flatMap((write, chain) => pick(write).map((record) => ({ chain, ...record }))));
  const some = (test: (write: StreamWrite) => boolean) => writes.some(test);
  const anyLinked = units.some(({ linked }) => linked);

  const ctes: Fragment[] = [
    text`w as (select * from json_to_recordset(${JSON.stringify(writes.map((write, chain) => ({ chain, unit: unitOfChain[chain], ...streamRecord(write) })))}::json) as w(
      chain int, unit int, stream_id text, stream_type text, expected text, expected_version int, event_count int, state json,
      machine_version text, inbox_source text, inbox_message_id text, inbox_detail jsonb, inbox_payload text,
      required_stream_id text, required_version int))`,
  ];
  const guards: Fragment[] = [];
  if (some((write) => write.inbox !== undefined)) {
    guards.push(text`(w.inbox_source is null or not exists (select 1 from inbox b
      where b.source = w.inbox_source and b.message_id = w.inbox_message_id and b.outcome <> 'unknown_request'))`);
  }
  if (some((write) => write.requires !== undefined)) {
    ctes.push(text`required as (select stream_id, version from streams where stream_id in (select required_stream_id from w) for share)`);
    guards.push(text`(w.required_stream_id is null or (select r.version from required r where r.stream_id = w.required_stream_id) = w.required_version)`);
  }
  const guard = guards.length > 0 ? text` and ${join(guards, ' and ')}` : text``;

  // The stream rows move to their new versions only where the expectation (and every guard) holds.
  const moved: Fragment[] = [];
  if (some((write) => typeof write.expected === 'number' || write.expected === 'stream_exists')) {
    ctes.push(text`updated as (update streams s set version = s.version + w.event_count, state = w.state,
        machine_version = w.machine_version, updated_at = now()
      from w where s.stream_id = w.stream_id and w.expected in ('version', 'stream_exists')
        and (w.expected_version is null or s.version = w.expected_version)${guard}
      returning w.chain, s.stream_id, s.version)`);
    moved.push(text`select chain, stream_id, version from updated`);
  }
  const creates = [
    { expected: 'no_stream', name: text`created`, onConflict: text`do nothing` },
    {
      expected: 'any',
      name: text`upserted`,
      onConflict: text`do update set version = streams.version + excluded.version, state = excluded.state,
        machine_version = excluded.machine_version, updated_at = now()`,
    },
  ] as const;
  for (const { expected, name, onConflict } of creates) {
    if (!some((write) => write.expected === expected)) continue;
    ctes.push(text`${name} as (insert into streams (stream_id, stream_type, version, state, machine_version)
      select w.stream_id, w.stream_type, w.event_count, w.state, w.machine_version from w where w.expected = ${expected}${guard}
      order by w.chain
      on conflict (stream_id) ${onConflict} returning stream_id, version)`);
    moved.push(text`select w.chain, c.stream_id, c.version from ${name} c join w using (stream_id)`);
  }
  ctes.push(text`stream as (${join(moved, ' union all ')})`);

  ctes.push(text`appended as (
    insert into events (stream_id, version, event_id, type, data, metadata, created_at)
    select s.stream_id, s.version - w.event_count + e.ord, e.event_id, e.type, e.data, e.metadata, coalesce(e.created_at, now())
    from json_to_recordset(${records((write) => write.events.map(eventRecord))}::json)
      as e(chain int, ord int, event_id uuid, type text, data json, metadata json, created_at timestamptz)
    join stream s on s.chain = e.chain join w on w.chain = e.chain
    order by e.chain, e.ord
    returning global_position, transaction_id::text as transaction_id, stream_id, version, event_id, created_at)`);
  if (some((write) => write.inbox !== undefined)) {
    ctes.push(text`inbox_row as (
      insert into inbox (source, message_id, stream_id, outcome, detail, payload)
      select w.inbox_source, w.inbox_message_id, s.stream_id, 'applied', w.inbox_detail, w.inbox_payload
      from w join stream s on s.chain = w.chain where w.inbox_source is not null
      on conflict (source, message_id) do update
        set outcome = excluded.outcome, stream_id = excluded.stream_id, detail = excluded.detail, payload = excluded.payload
        where inbox.outcome = 'unknown_request')`);
  }
  ctes.push(...readModelRows(writes, 'avatars', 'avatar_id', (write) => write.inline.avatar, records));
  ctes.push(...readModelRows(writes, 'generations', 'generation_id', (write) => write.inline.generation, records));
  ctes.push(...readModelRows(writes, 'wallets', 'wallet_id', (write) => write.inline.wallet, records));
  ctes.push(...otherProjections(some, records));
  if (some((write) => write.effects.length > 0)) {
    ctes.push(text`outbox_row as (
      insert into outbox (topic, kind, stream_id, payload, caused_by)
      select o.topic, o.kind, s.stream_id, o.payload, o.caused_by
      from json_to_recordset(${records((write) =>
        write.effects.map(({ effect, causedBy }, ord) => ({ ord, topic: effectTopic[effect.kind], kind: effect.kind, payload: effect, caused_by: causedBy })),
      )}::json) as o(chain int, ord int, topic text, kind text, payload jsonb, caused_by uuid)
      join stream s on s.chain = o.chain
      order by o.chain, o.ord)`);
  }
  // A unit of which some stream did not move ends the statement (the function raises), so the
  // streams that did move are rolled back with it. CASE fixes the order: the planner may run the
  // cheaper-looking function before the subquery in a plain AND.
  const unitsWhole = anyLinked
    ? text` where not exists (select 1 from w where w.unit is not null
        and case when exists (select 1 from stream s where s.chain = w.chain) then false else linked_append_refused(w.stream_id) end)`
    : text``;
  return text`with ${join(ctes)} select s.chain, a.global_position, a.transaction_id, a.version, a.event_id, a.created_at
    from appended a join stream s using (stream_id)${unitsWhole} order by s.chain, a.version`;
}

function streamRecord(write: StreamWrite) {
  const { streamId, streamType, expected, events, state, inbox, requires } = write;
  return {
    stream_id: streamId,
    stream_type: streamType,
    expected: typeof expected === 'number' ? 'version' : expected,
    expected_version: typeof expected === 'number' ? expected : null,
    event_count: events.length,
    state: state?.persisted ?? null,
    machine_version: state?.machineVersion ?? null,
    inbox_source: inbox?.message.source ?? null,
    inbox_message_id: inbox?.message.messageId ?? null,
    inbox_detail: inbox?.detail ?? null,
    inbox_payload: inbox?.message.payload ?? null,
    required_stream_id: requires?.streamId ?? null,
    required_version: requires?.version ?? null,
  };
}

function eventRecord(event: NewEvent, i: number) {
  return { ord: i + 1, event_id: event.eventId, type: event.type, data: event.data, metadata: event.metadata, created_at: event.createdAt ?? null };
}

type Records = <T extends object>(pick: (write: StreamWrite) => readonly T[]) => string;

/**
 * Writes a read-model row for each write that has one; `version` and the times come from the
 * append itself. A row the stream already has is UPDATEd (cheaper than INSERT … ON CONFLICT,
 * which tries the insert first); a stream's first row is upserted. Rows are typed by the table
 * itself (`json_populate_record`), so the statement names the columns but not their types.
 */
function readModelRows(
  writes: readonly StreamWrite[],
  table: 'avatars' | 'generations' | 'wallets',
  key: string,
  rowOf: (write: StreamWrite) => Record<string, unknown> | null,
  records: Records,
): Fragment[] {
  const ctes: Fragment[] = [];
  for (const exists of [true, false]) {
    const rowHere = (write: StreamWrite) => (write.inline.rowExists === exists ? rowOf(write) : null);
    const first = writes.map(rowHere).find((row) => row !== null);
    if (!first) continue;
    const columns = Object.keys(first);
    const document = records((write) => {
      const row = rowHere(write);
      return row ? [{ first_at: write.inline.firstEventAt, last_at: write.inline.lastEventAt, row }] : [];
    });
    const source = text`json_to_recordset(${document}::json) as x(chain int, first_at timestamptz, last_at timestamptz, row json)
      cross join lateral json_populate_record(null::${identifier(table)}, x.row) r
      join stream s on s.chain = x.chain`;
    const name = identifier(`${table}_${exists ? 'updated' : 'created'}`);
    if (exists) {
      const assignments = columns.filter((c) => c !== key).map((c) => text`${identifier(c)} = r.${identifier(c)}`);
      ctes.push(text`${name} as (update ${identifier(table)} t set ${join(assignments)}, version = s.version,
          updated_at = coalesce(x.last_at, now())
        from ${source} where t.${identifier(key)} = r.${identifier(key)})`);
    } else {
      const updates = [...columns.filter((c) => c !== key), 'version', 'updated_at'].map((c) => text`${identifier(c)} = excluded.${identifier(c)}`);
      ctes.push(text`${name} as (insert into ${identifier(table)} (${join(columns.map((c) => identifier(c)))}, version, created_at, updated_at)
        select ${join(columns.map((c) => text`r.${identifier(c)}`))}, s.version, coalesce(x.first_at, now()), coalesce(x.last_at, now())
        from ${source}
        on conflict (${identifier(key)}) do update set ${join(updates)})`);
    }
  }
  return ctes;
}

/** Photo rows and fal requests, for the writes whose change has them. */
function otherProjections(some: (test: (write: StreamWrite) => boolean) => boolean, records: Records): Fragment[] {
  const ctes: Fragment[] = [];
  if (some((write) => write.inline.photosAdded.length > 0)) {
    ctes.push(text`photos_added as (
      insert into avatar_photos (avatar_id, photo_id, position, telegram_file_id, file_unique_id, sha256, width, height, bytes, mime, added_at)
      select s.stream_id, p.photo_id, p.position, p.telegram_file_id, p.file_unique_id, p.sha256, p.width, p.height, p.bytes, p.mime, coalesce(p.added_at, now())
      from json_to_recordset(${records((write) => write.inline.photosAdded)}::json) as p(chain int, photo_id text, position int,
        telegram_file_id text, file_unique_id text, sha256 text, width int, height int, bytes int, mime text, added_at timestamptz)
      join stream s on s.chain = p.chain
      on conflict (avatar_id, photo_id) do nothing)`);
  }
  if (some((write) => write.inline.photosRemoved.length > 0)) {
    ctes.push(text`photos_removed as (
      delete from avatar_photos a
      using json_to_recordset(${records((write) => write.inline.photosRemoved.map((photo_id) => ({ photo_id })))}::json) as p(chain int, photo_id text)
      join stream s on s.chain = p.chain
      where a.avatar_id = s.stream_id and a.photo_id = p.photo_id)`);
  }
  if (some((write) => write.inline.resolveOpenFalRequests !== null)) {
    ctes.push(text`fal_resolved as (
      update fal_requests f set resolved_at = coalesce(r.at, now())
      from json_to_recordset(${records((write) => (write.inline.resolveOpenFalRequests ? [write.inline.resolveOpenFalRequests] : []))}::json)
        as r(chain int, at timestamptz)
      join stream s on s.chain = r.chain
      where f.stream_id = s.stream_id and f.resolved_at is null)`);
  }
  if (some((write) => write.inline.falRequestsAdded.length > 0)) {
    ctes.push(text`fal_added as (
      insert into fal_requests (request_id, kind, stream_id, attempt_id, endpoint, submitted_at, resolved_at, next_poll_at)
      select f.request_id, f.kind, s.stream_id, f.attempt_id, f.endpoint, coalesce(f.submitted_at, now()),
        case when f.resolved then coalesce(f.resolved_at, now()) end, coalesce(f.submitted_at, now())
      from json_to_recordset(${records((write) =>
        write.inline.falRequestsAdded.map((r) => ({
          request_id: r.request_id,
          kind: r.kind,
          attempt_id: r.attempt_id,
          endpoint: r.endpoint,
          submitted_at: r.submitted_at,
          resolved: r.resolved !== null,
          resolved_at: r.resolved?.at ?? null,
        })),
      )}::json) as f(chain int, request_id text, kind text, attempt_id text, endpoint text, submitted_at timestamptz, resolved boolean, resolved_at timestamptz)
      join stream s on s.chain = f.chain
      on conflict (request_id) do nothing)`);
  }
  return ctes;
}

/** A linked write failed its check, so nothing of its unit was written: which stream, and why. */
async function whyLinkedAppendWasRefused(db: Executor, head: StreamWrite, error: unknown): Promise<Error> {
  const streamId = (error as { detail?: unknown }).detail;
  const refused = unitOf(head).find((write) => write.streamId === streamId) ?? head;
  // Inside a transaction the failed statement has aborted it: nothing more can be read there.
  // That is dispatch's locked retry, which holds its own streams' rows: a stream the refused write
  // only requires is what moved (naming the write's own stream would retry it at the same stale
  // required version until it gave up).
  if (db.isTransaction) {
    const { requires } = refused;
    if (requires) return new WrongExpectedVersionError(requires.streamId, requires.version, null);
    return new WrongExpectedVersionError(refused.streamId, refused.expected, null);
  }
  return whyNothingWasAppended(db, refused);
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
