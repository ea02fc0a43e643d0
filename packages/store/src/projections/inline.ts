import type { Insertable } from 'kysely';
import type { AvatarPhotosTable, FalRequestsTable } from '../schema.js';
import type { PendingChange } from '../stream-change.js';
import { avatarRow } from './avatar-rows.js';
import { generationRow, type GenerationRecord } from './generation-rows.js';
import type { AvatarsTable, WalletsTable } from '../schema.js';
import { walletRow } from './wallet-rows.js';

/** A row whose version and timestamps the append fills in. */
export type RowWithoutStamps<T> = Omit<Insertable<T>, 'version' | 'created_at' | 'updated_at'>;

/** Times are the recorded ones for an import, or null for "when this append commits". */
export type PhotoWrite = Omit<Insertable<AvatarPhotosTable>, 'added_at'> & { added_at: Date | null };
export type FalRequestWrite = Pick<Insertable<FalRequestsTable>, 'request_id' | 'kind' | 'stream_id' | 'attempt_id' | 'endpoint'> & {
  submitted_at: Date | null;
  resolved: { at: Date | null } | null;
};

/**
 * The inline read model as writes computed from a change: the final state decides the avatar or
 * generation row, the photos differing between the states before and after decide photo rows,
 * and the accepted steps decide fal requests. They are written by the statement that appends the
 * events, so no reader ever sees a status older than the log.
 */
export interface InlineWrites {
  avatar: RowWithoutStamps<AvatarsTable> | null;
  generation: GenerationRecord | null;
  wallet: RowWithoutStamps<WalletsTable> | null;
  /** The stream had a state before this change, so its read-model row exists. */
  rowExists: boolean;
  photosAdded: PhotoWrite[];
  photosRemoved: string[];
  falRequestsAdded: FalRequestWrite[];
  /** Resolves every fal request of the stream still open before this change. */
  resolveOpenFalRequests: { at: Date | null } | null;
  /** Recorded times of the first and last event (import); null for the append's time. */
  firstEventAt: Date | null;
  lastEventAt: Date | null;
}

const endingEvents: ReadonlySet<string> = new Set([
  'TrainingCompleted',
  'TrainingFailed',
  'TrainingCancelled',
  'AvatarDeleted',
  'GenerationCompleted',
  'GenerationFailed',
]);

export function inlineWrites(change: PendingChange): InlineWrites {
  const writes: InlineWrites = {
    avatar: null,
    generation: null,
    wallet: null,
    rowExists: (change.pending[0]?.before ?? null) !== null,
    photosAdded: [],
    photosRemoved: [],
    falRequestsAdded: [],
    resolveOpenFalRequests: null,
    firstEventAt: change.pending[0]?.createdAt ?? null,
    lastEventAt: change.pending.at(-1)?.createdAt ?? null,
  };

  // A request submitted in this change is written already resolved if an ending event follows it.
  let submittedHere: FalRequestWrite[] = [];
  for (const { event, accepted, createdAt } of change.pending) {
    if (!accepted) continue;
    const at = createdAt ?? null;
    if (event.type === 'TrainingSubmitted' || event.type === 'GenerationSubmitted') {
      const request: FalRequestWrite = {
        request_id: event.falRequestId,
        kind: event.type === 'TrainingSubmitted' ? 'training' : 'generation',
        stream_id: change.streamId,
        attempt_id: event.type === 'TrainingSubmitted' ? event.attemptId : null,
        endpoint: event.endpoint,
        submitted_at: at,
        resolved: null,
      };
      writes.falRequestsAdded.push(request);
      submittedHere.push(request);
    } else if (endingEvents.has(event.type)) {
      writes.resolveOpenFalRequests = { at };
      for (const request of submittedHere) request.resolved = { at };
      submittedHere = [];
    }
  }

  if (change.kind === 'generation') {
    if (change.final) writes.generation = generationRow(change.final);
    return writes;
  }
  if (change.kind === 'wallet') {
    if (change.final) writes.wallet = walletRow(change.final);
    return writes;
  }

  const final = change.final;
  if (final) writes.avatar = avatarRow(final);
  const before = new Set(change.pending[0]?.before?.context.photos.map((p) => p.photoId) ?? []);
  const after = new Set(final?.context.photos.map((p) => p.photoId) ?? []);
  writes.photosRemoved = [...before].filter((id) => !after.has(id));
  const addedAt = new Map(
    change.pending.flatMap(({ event, accepted, createdAt }) =>
      accepted && event.type === 'PhotoAdded' ? [[event.photoId, createdAt ?? null] as const] : [],
    ),
  );
  writes.photosAdded = (final?.context.photos ?? []).flatMap((photo, position) =>
    before.has(photo.photoId)
      ? []
      : [
          {
            avatar_id: change.streamId,
            photo_id: photo.photoId,
            position,
            telegram_file_id: photo.telegramFileId,
            file_unique_id: photo.fileUniqueId,
            sha256: photo.sha256,
            width: photo.width,
            height: photo.height,
            bytes: photo.bytes,
            mime: photo.mime,
            added_at: addedAt.get(photo.photoId) ?? null,
          },
        ],
  );
  return writes;
}
