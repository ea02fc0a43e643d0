import type { Kysely } from 'kysely';
import type { InboxOutcome, InboxRow, Schema } from './schema.js';

/** An inbound message (fal webhook, Telegram update) as the inbox keeps it. */
export interface InboundMessage {
  source: 'fal' | 'telegram';
  /** The sender's own id for it: fal's request id, Telegram's update_id. */
  messageId: string;
  /** The raw body, kept so replay and the inspector can show exactly what arrived. */
  payload: string;
}

/**
 * A fal callback for a request id nobody knew yet is kept as `unknown_request`; it is not settled:
 * when its submission is recorded later, a redelivery of the same callback must still apply.
 */
export function isSettled(row: Pick<InboxRow, 'outcome'>): boolean {
  return row.outcome !== 'unknown_request';
}

export async function findInbound(db: Kysely<Schema>, source: string, messageId: string): Promise<InboxRow | undefined> {
  return db.selectFrom('inbox').selectAll().where('source', '=', source).where('message_id', '=', messageId).executeTakeFirst();
}

/**
 * Inserts the message once; false when it was already there (a duplicate delivery). A row kept
 * as `unknown_request` is not a duplicate: it is replaced by the new outcome.
 */
export async function recordInbound(
  db: Kysely<Schema>,
  message: InboundMessage,
  outcome: InboxOutcome,
  streamId: string | null,
  detail: Record<string, unknown> | null,
): Promise<boolean> {
  const inserted = await db
    .insertInto('inbox')
    .values({
      source: message.source,
      message_id: message.messageId,
      stream_id: streamId,
      outcome,
      detail: detail === null ? null : JSON.stringify(detail),
      payload: message.payload,
    })
    .onConflict((oc) =>
      oc
        .columns(['source', 'message_id'])
        .doUpdateSet((eb) => ({
          outcome: eb.ref('excluded.outcome'),
          stream_id: eb.ref('excluded.stream_id'),
          detail: eb.ref('excluded.detail'),
          payload: eb.ref('excluded.payload'),
        }))
        .where('inbox.outcome', '=', 'unknown_request'),
    )
    .returning('message_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateInboundOutcome(
  db: Kysely<Schema>,
  message: Pick<InboundMessage, 'source' | 'messageId'>,
  outcome: InboxOutcome,
  detail: Record<string, unknown> | null,
): Promise<void> {
  await db
    .updateTable('inbox')
    .set({ outcome, detail: detail === null ? null : JSON.stringify(detail) })
    .where('source', '=', message.source)
    .where('message_id', '=', message.messageId)
    .execute();
}

/** A stream's inbound messages as they arrived; ties (PGlite's clock ticks in ms) in one stable order. */
export async function inboundFor(db: Kysely<Schema>, streamId: string): Promise<InboxRow[]> {
  return db.selectFrom('inbox').selectAll().where('stream_id', '=', streamId).orderBy('received_at').orderBy('message_id').execute();
}
