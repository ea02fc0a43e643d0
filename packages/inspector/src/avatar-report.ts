import { walletIdOf, type AvatarState } from '@avatar/machine';
import { findAvatar, inboundFor, readStream, ReadModelError, replayStream, type AvatarView, type InboxRow, type Store } from '@avatar/store';
import { z } from 'zod';
import type { AvatarReport, AvatarSummary, EventRow, InboundRow, StreamLink, TimelineRow } from './api-types.js';
import { NotFoundError } from './errors.js';
import { walletLinksOf } from './wallet-report.js';

/** Inbound bodies are shown, not stored again: a page needs the start of one, not megabytes. */
export const payloadLimit = 16_384;

export function toSummary(view: AvatarView): AvatarSummary {
  return {
    avatarId: view.avatarId,
    name: view.name,
    ownerId: view.ownerId,
    status: view.status,
    trainingStage: view.trainingStage,
    photoCount: view.photoCount,
    version: view.version,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}

/** What the inbox's `detail` column may say about why a message did not become an event. */
const inboxDetailSchema = z.object({
  rejection: z.object({ code: z.string().optional(), reason: z.string() }).optional(),
  reason: z.string().optional(),
  error: z.string().optional(),
  /** The stream's version when the message was decided: it arrived after that event. */
  streamVersion: z.number().int().nonnegative().optional(),
});

type InboxDetail = z.infer<typeof inboxDetailSchema>;

function inboundReason(detail: Record<string, unknown> | null, parsed: InboxDetail | null): string | null {
  if (detail === null) return null;
  if (parsed === null) return JSON.stringify(detail);
  const { rejection, reason, error } = parsed;
  if (rejection) return rejection.code ? `${rejection.code}: ${rejection.reason}` : rejection.reason;
  return reason ?? error ?? JSON.stringify(detail);
}

/** The version a message arrived after: as recorded when it was decided, else by the clock. */
function arrivedAfterVersion(row: InboxRow, parsed: InboxDetail | null, eventTimes: readonly { version: number; at: Date }[]): number {
  if (parsed?.streamVersion !== undefined) return parsed.streamVersion;
  return eventTimes.filter((e) => e.at <= row.received_at).at(-1)?.version ?? 0;
}

function inboundRow(row: InboxRow, eventTimes: readonly { version: number; at: Date }[]): InboundRow {
  const parsed = row.detail === null ? null : inboxDetailSchema.safeParse(row.detail);
  const detail = parsed?.success ? parsed.data : null;
  return {
    kind: 'inbound',
    at: row.received_at.toISOString(),
    source: row.source,
    messageId: row.message_id,
    outcome: row.outcome,
    reason: inboundReason(row.detail, detail),
    payload: row.payload.slice(0, payloadLimit),
    payloadTruncated: row.payload.length > payloadLimit,
    afterVersion: arrivedAfterVersion(row, detail, eventTimes),
  };
}

/** The read model's row, or null when it has none or holds a status the machine does not know. */
async function readModelOf(store: Store, avatarId: string): Promise<AvatarSummary | null> {
  try {
    const view = await findAvatar(store.db, avatarId);
    return view ? toSummary(view) : null;
  } catch (error) {
    // Replay reports the same row as projection drift, field by field.
    if (error instanceof ReadModelError) return null;
    throw error;
  }
}

/**
 * One avatar's story: every recorded event replayed through the current machine, the inbound
 * messages that were refused or ignored interleaved by time, and what replay found wrong.
 */
export async function avatarReport(store: Store, avatarId: string): Promise<AvatarReport> {
  const [replay, events, inbox, readModel] = await Promise.all([
    replayStream(store, avatarId),
    readStream(store.db, avatarId),
    inboundFor(store.db, avatarId),
    readModelOf(store, avatarId),
  ]);
  if (replay.kind === null) throw new NotFoundError(`no avatar has the id ${avatarId}`);
  if (replay.kind !== 'avatar') throw new NotFoundError(`${avatarId} is a ${replay.kind} stream, not an avatar`);

  const ownerId = (replay.state as AvatarState | null)?.context.ownerId ?? readModel?.ownerId ?? null;
  const walletId = ownerId === null ? null : await existingWallet(store, walletIdOf(ownerId));
  const links = walletId === null ? new Map() : await walletLinksOf(store, walletId, avatarId);
  const walletLinkOf = (type: string, data: Record<string, unknown>): StreamLink | null => {
    const attempt = typeof data.attemptId === 'string' ? links.get(data.attemptId) : undefined;
    if (attempt === undefined) return null;
    if (type === 'TrainingRequested') return attempt.reserved ?? null;
    if (type === 'TrainingCompleted' || type === 'TrainingFailed' || type === 'TrainingCancelled') return attempt.settled ?? null;
    return null;
  };

  const data = new Map(events.map((e) => [e.version, e.data]));
  const eventRows = replay.timeline.map(
    (entry): EventRow => ({
      kind: 'event',
      version: entry.version,
      at: entry.createdAt.toISOString(),
      type: entry.type,
      actor: entry.actor,
      before: entry.before,
      after: entry.after,
      outcome: entry.outcome,
      reason: entry.reason,
      data: data.get(entry.version) ?? {},
      walletLink: walletLinkOf(entry.type, data.get(entry.version) ?? {}),
    }),
  );
  const eventTimes = replay.timeline.map((e) => ({ version: e.version, at: e.createdAt }));
  const inboundRows = inbox.filter((row) => row.outcome !== 'applied').map((row) => inboundRow(row, eventTimes));
  // Events stay in version order; each inbound message follows the event recorded last before it.
  const arrivedAfter = (version: number) => inboundRows.filter((row) => row.afterVersion === version);
  const timeline: TimelineRow[] = [...arrivedAfter(0), ...eventRows.flatMap((row) => [row, ...arrivedAfter(row.version)])];

  return {
    avatarId,
    readModel,
    ownerId,
    walletId,
    finalStatus: replay.finalStatus,
    version: replay.version,
    timeline,
    anomalies: replay.anomalies.map(({ version, type, kind, reason }) => ({ version, type, kind, reason })),
  };
}

/** The wallet stream id when the owner has a wallet, else null. */
async function existingWallet(store: Store, walletId: string): Promise<string | null> {
  const [first] = await readStream(store.db, walletId, { toVersion: 1 });
  return first === undefined ? null : walletId;
}
