import { timingSafeEqual } from 'node:crypto';
import { findInbound, recordInbound, updateInboundOutcome, type InboundMessage, type Store } from '@avatar/store';
import type { FastifyInstance } from 'fastify';
import { webhookCallback, type Bot } from 'grammy';
import { z } from 'zod';
import type { BotContext, BotLogger } from '../context.js';

export interface WebhookRouteOptions {
  /** Where Telegram POSTs updates, e.g. `/telegram/webhook`. */
  path: string;
  /** Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`; any other request gets 401. */
  secretToken: string;
  store: Store;
  logger: BotLogger;
  /** Answer Telegram after this long even if the update is still being handled (default 8 s). */
  answerWithinMs?: number;
  /** An update still "processing" after this long is taken to have died with its instance (default 2 min). */
  staleProcessingMs?: number;
}

const updateEnvelope = z.looseObject({ update_id: z.number().int().nonnegative() });

function secretMatches(header: unknown, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Claim = 'new' | 'retry' | 'duplicate';

/**
 * Each update_id is handled once across every instance: the inbox row is the claim. A redelivery
 * of an update that failed, or whose instance died mid-way, is handled again.
 */
async function claimUpdate(store: Store, inbound: InboundMessage, staleProcessingMs: number): Promise<Claim> {
  if (await recordInbound(store.db, inbound, 'processing', null, null)) return 'new';
  const row = await findInbound(store.db, inbound.source, inbound.messageId);
  if (row === undefined) return 'new';
  const abandoned = row.outcome === 'processing' && Date.now() - row.received_at.getTime() > staleProcessingMs;
  if (row.outcome !== 'failed' && !abandoned) return 'duplicate';
  await updateInboundOutcome(store.db, inbound, 'processing', null);
  return 'retry';
}

/**
 * Webhook mode on the caller's Fastify server: grammY's webhookCallback behind a secret check,
 * update_id deduplication in the inbox and an error boundary. Handler errors are already caught
 * inside the bot; what escapes (the database, say) answers 500 so Telegram delivers again.
 */
export function webhookRoute(app: FastifyInstance, bot: Bot<BotContext>, options: WebhookRouteOptions): void {
  const { store, logger, secretToken } = options;
  const staleProcessingMs = options.staleProcessingMs ?? 120_000;
  const handleUpdate = webhookCallback(bot, 'fastify', {
    secretToken,
    // Telegram redelivers a slow answer; the update carries on and the inbox stops the second copy.
    onTimeout: 'return',
    timeoutMilliseconds: options.answerWithinMs ?? 8000,
  });

  app.post(options.path, async (request, reply) => {
    if (!secretMatches(request.headers['x-telegram-bot-api-secret-token'], secretToken)) {
      return reply.code(401).send({ error: 'wrong secret token' });
    }
    const envelope = updateEnvelope.safeParse(request.body);
    if (!envelope.success) return reply.code(400).send({ error: 'not a Telegram update' });
    const inbound: InboundMessage = {
      source: 'telegram',
      messageId: String(envelope.data.update_id),
      payload: JSON.stringify(request.body),
    };
    try {
      const claim = await claimUpdate(store, inbound, staleProcessingMs);
      if (claim === 'duplicate') {
        logger.info({ updateId: envelope.data.update_id }, 'ignoring a redelivered update');
        return reply.code(200).send('');
      }
      await handleUpdate(request, reply);
      await updateInboundOutcome(store.db, inbound, 'applied', null);
      return reply;
    } catch (error) {
      logger.error({ err: error, updateId: envelope.data.update_id }, 'a webhook update failed');
      const detail = { error: error instanceof Error ? error.message : String(error) };
      await updateInboundOutcome(store.db, inbound, 'failed', detail).catch(() => {});
      if (!reply.sent) return reply.code(500).send({ error: 'the update could not be handled; Telegram will deliver it again' });
      return reply;
    }
  });
}
