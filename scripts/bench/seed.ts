import { sql } from 'kysely';
import {
  avatarLifecycle,
  toStored,
  trainingRequest,
  type AvatarEvent,
  type AvatarState,
} from '@avatar/machine';
import { avatarCreated, photosAdded, trainingCompleted, trainingProgressed, trainingSubmitted } from '@avatar/machine/testing';
import { append, type Store } from '@avatar/store';

/**
 * One realistic avatar history (20 events: created, 14 photos, a training that runs and
 * completes, a rename, a main-avatar choice) as a template, checked against the machine.
 * Ids that must be unique per stream are filled in per avatar.
 */
function templateHistory(): AvatarEvent[] {
  const id = '00000000-0000-4000-8000-000000000000';
  const events: AvatarEvent[] = [avatarCreated({ avatarId: id, ownerId: 1, chatId: 1, name: 'Bench' }), ...photosAdded(14)];
  let state: AvatarState | null = null;
  for (const event of events) state = avatarLifecycle.evolve(state, event);
  events.push(
    trainingRequest(state!, 'attempt-1'),
    trainingSubmitted('attempt-1', 'REQ'),
    trainingProgressed('attempt-1', 'IN_PROGRESS'),
    trainingCompleted('attempt-1', 'REQ'),
    { type: 'AvatarRenamed', name: 'Bench renamed' },
    { type: 'MainAvatarChosen' },
  );
  let check: AvatarState | null = null;
  for (const event of events) {
    const decision = avatarLifecycle.decide(check, event);
    if (!decision.ok) throw new Error(`bench template refused ${event.type}: ${decision.rejection.reason}`);
    check = decision.state;
  }
  return events;
}

/** The request id fal gave in-flight avatar `n` (see `seedTrainingInFlight`). */
export const inFlightRequestId = (n: number) => `bench-training-${n}`;

type StoredEvent = ReturnType<typeof toStored>;
type Specialize = (event: StoredEvent, avatarId: string, n: number) => StoredEvent['data'];

interface SeedOptions {
  onProgress?: (done: number) => void;
  /** The fal webhook each avatar's history already received, kept in the inbox as dispatch would. */
  inboundFor?: (avatarId: string) => { messageId: string; eventType: string } | null;
}

/**
 * Writes `avatars` copies of `template` straight into the log (bulk, not through dispatch) with
 * their stream rows; `specialize` fills in what must differ per avatar. Projections are left to
 * a rebuild.
 */
async function seedHistories(
  store: Store,
  avatars: number,
  template: readonly StoredEvent[],
  specialize: Specialize,
  { onProgress, inboundFor }: SeedOptions = {},
): Promise<number> {
  const metadata = JSON.stringify({ actor: { kind: 'system', component: 'bench' }, machineVersion: avatarLifecycle.machineVersion });
  const perBatch = Math.max(1, Math.floor(20_000 / template.length));
  const start = Date.UTC(2026, 0, 1);
  let written = 0;
  for (let first = 0; first < avatars; first += perBatch) {
    const ids: string[] = [];
    const inbox = { messageId: [] as string[], stream: [] as string[], detail: [] as string[] };
    const columns = { stream: [] as string[], version: [] as number[], eventId: [] as string[], type: [] as string[], data: [] as string[], createdAt: [] as Date[] };
    for (let a = first; a < Math.min(avatars, first + perBatch); a++) {
      const avatarId = crypto.randomUUID();
      const history = template.map((event) => ({ type: event.type, data: specialize(event, avatarId, a) }));
      ids.push(avatarId);
      const inbound = inboundFor?.(avatarId);
      if (inbound) {
        inbox.messageId.push(inbound.messageId);
        inbox.stream.push(avatarId);
        inbox.detail.push(JSON.stringify({ eventType: inbound.eventType }));
      }
      history.forEach((event, i) => {
        columns.stream.push(avatarId);
        columns.version.push(i + 1);
        columns.eventId.push(crypto.randomUUID());
        columns.type.push(event.type);
        columns.data.push(JSON.stringify(event.data));
        columns.createdAt.push(new Date(start + a * 60_000 + i * 1000));
      });
    }
    await store.db.transaction().execute(async (trx) => {
      await sql`insert into streams (stream_id, stream_type, version)
        select id, 'avatar', ${template.length} from unnest(${ids}::text[]) as id`.execute(trx);
      await sql`insert into events (stream_id, version, event_id, type, data, metadata, created_at)
        select s, v, e, t, d, ${metadata}::json, c
        from unnest(${columns.stream}::text[], ${columns.version}::bigint[], ${columns.eventId}::uuid[], ${columns.type}::text[],
                    ${columns.data}::json[], ${columns.createdAt}::timestamptz[]) as x(s, v, e, t, d, c)`.execute(trx);
      if (inbox.messageId.length > 0) {
        await sql`insert into inbox (source, message_id, stream_id, outcome, detail, payload)
          select 'fal', m, s, 'applied', d, ${benchWebhookPayload}
          from unnest(${inbox.messageId}::text[], ${inbox.stream}::text[], ${inbox.detail}::jsonb[]) as x(m, s, d)`.execute(trx);
      }
    });
    written += columns.stream.length;
    onProgress?.(written);
  }
  return written;
}

/** Stands in for the raw body of a recorded fal webhook (the inbox keeps what fal sent). */
const benchWebhookPayload = '{"error": null, "payload": {"diffusers_lora_file": {"url": "https://v3.fal.media/files/x/lora.safetensors"}}, "status": "OK"}';

const ownedBy = (data: Record<string, unknown>, avatarId: string, n: number) => ({ ...data, avatarId, ownerId: 1_000_000 + n, chatId: 1_000_000 + n });

/** `avatars × 20` events of finished avatars, each with the training webhook it received in the inbox. */
export function seedLog(store: Store, avatars: number, onProgress?: (done: number) => void): Promise<number> {
  return seedHistories(
    store,
    avatars,
    templateHistory().map((event) => toStored(event)),
    ({ type, data }, avatarId, n) =>
      type === 'AvatarCreated'
        ? ownedBy(data, avatarId, n)
        : type === 'TrainingSubmitted' || type === 'TrainingCompleted'
          ? { ...data, falRequestId: `req-${avatarId}` }
          : data,
    { ...(onProgress ? { onProgress } : {}), inboundFor: (avatarId) => ({ messageId: `req-${avatarId}`, eventType: 'TrainingCompleted' }) },
  );
}

/**
 * `avatars` avatars in `training`, fal's request `inFlightRequestId(n)` in flight for each, written
 * through `append` as the service writes them: events, cached machine state and read model.
 */
export async function seedTrainingInFlight(store: Store, avatars: number): Promise<number> {
  const template = templateHistory();
  const untilSubmitted = template.slice(0, template.findIndex((event) => event.type === 'TrainingSubmitted') + 1);
  let next = 0;
  const lanes = Array.from({ length: 16 }, async () => {
    for (let n = next++; n < avatars; n = next++) {
      const avatarId = crypto.randomUUID();
      const history = untilSubmitted.map((event): AvatarEvent =>
        event.type === 'AvatarCreated'
          ? { ...event, avatarId, ownerId: 3_000_000 + n, chatId: 3_000_000 + n }
          : event.type === 'TrainingSubmitted'
            ? { ...event, falRequestId: inFlightRequestId(n) }
            : event,
      );
      await append(store, avatarId, history, { expected: 'no_stream', actor: { kind: 'system', component: 'bench' }, sideEffects: false });
    }
  });
  await Promise.all(lanes);
  return avatars * untilSubmitted.length;
}
