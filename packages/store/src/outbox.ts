import { avatarEffects, effectTopic, generationEffects, type Effect, type EffectTopic } from '@avatar/machine';
import { sql, type Kysely } from 'kysely';
import type { OutboxRow, Schema } from './schema.js';
import type { PendingChange } from './stream-change.js';

/** The effects the accepted events of a change ask for, each with the event that caused it. */
export function effectsOf(change: PendingChange): { effect: Effect; causedBy: string }[] {
  if (change.kind === 'avatar') {
    return change.pending.flatMap((step) =>
      step.accepted && step.after
        ? avatarEffects(step.event, step.before, step.after).map((effect) => ({ effect, causedBy: step.eventId }))
        : [],
    );
  }
  if (change.kind === 'wallet') return [];
  return change.pending.flatMap((step) => {
    const request = step.after?.context.request;
    return step.accepted && request
      ? generationEffects(step.event, request).map((effect) => ({ effect, causedBy: step.eventId }))
      : [];
  });
}

export interface ClaimedEffect {
  id: number;
  effect: Effect;
  streamId: string;
  /** How many times this effect has been claimed, this claim included. */
  attempts: number;
  progress: Record<string, unknown> | null;
  causedBy: string;
  createdAt: Date;
}

function isEffect(value: unknown): value is Effect {
  return typeof value === 'object' && value !== null && Object.hasOwn(effectTopic, (value as { kind?: string }).kind ?? '');
}

function toClaimed(row: OutboxRow): ClaimedEffect {
  if (!isEffect(row.payload)) throw new Error(`outbox row ${row.id} holds no known effect (kind ${row.kind})`);
  return {
    id: row.id,
    effect: row.payload,
    streamId: row.stream_id,
    attempts: row.attempts,
    progress: row.progress,
    causedBy: row.caused_by,
    createdAt: row.created_at,
  };
}

/**
 * Claims due effects of one topic for `leaseMs`. Any number of workers may call this at once
 * (FOR UPDATE SKIP LOCKED); an effect whose worker dies becomes due again when its lease ends.
 */
export async function claimEffects(
  db: Kysely<Schema>,
  topic: EffectTopic,
  { limit, leaseMs }: { limit: number; leaseMs: number },
): Promise<ClaimedEffect[]> {
  const rows = await db
    .updateTable('outbox')
    .set({
      attempts: sql`attempts + 1`,
      available_at: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
    })
    .where('id', 'in', (q) =>
      q
        .selectFrom('outbox')
        .select('id')
        .where('state', '=', 'pending')
        .where('topic', '=', topic)
        .where('available_at', '<=', sql<Date>`now()`)
        .orderBy('available_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id).map(toClaimed);
}

export async function completeEffect(db: Kysely<Schema>, id: number): Promise<void> {
  await db.updateTable('outbox').set({ state: 'done', completed_at: sql`now()`, last_error: null }).where('id', '=', id).execute();
}

/** Makes the effect due again after `delayMs`, keeping the error for operators. */
export async function retryEffect(db: Kysely<Schema>, id: number, { delayMs, error }: { delayMs: number; error: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ available_at: sql`now() + ${`${delayMs} milliseconds`}::interval`, last_error: error })
    .where('id', '=', id)
    .execute();
}

/** Gives up on an effect for good (it stays in the table, marked dead, for operators). */
export async function abandonEffect(db: Kysely<Schema>, id: number, error: string): Promise<void> {
  await db.updateTable('outbox').set({ state: 'dead', completed_at: sql`now()`, last_error: error }).where('id', '=', id).execute();
}

/** Records, before an external call, what a later claim must know if this worker dies mid-call. */
export async function recordEffectProgress(db: Kysely<Schema>, id: number, progress: Record<string, unknown>): Promise<void> {
  await db.updateTable('outbox').set({ progress: JSON.stringify(progress) }).where('id', '=', id).execute();
}
