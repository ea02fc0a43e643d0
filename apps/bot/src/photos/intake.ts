import { avatarLifecycle, photoLimits, type AvatarState, type EventOf } from '@avatar/machine';
import { derivedUuid, dispatch, eventExists, loadAvatar, type Store } from '@avatar/store';
import { TelegramFileError, type TelegramFiles } from '@avatar/telegram-files';
import type { BotLogger } from '../context.js';
import type { PhotoRefusalCode, RefusalFacts } from '../rejections.js';
import type { PhotoCandidate } from './candidate.js';
import { inspectImage } from './inspect.js';

export type IntakeResult =
  | { outcome: 'added'; state: AvatarState }
  /** The same update arrived again; its photo was added the first time. */
  | { outcome: 'already_added'; state: AvatarState }
  | { outcome: 'refused'; code: PhotoRefusalCode; facts: RefusalFacts; status: string | null };

export interface IntakeRequest {
  avatar: AvatarState;
  userId: number;
  chatId: number;
  /** The user's message: with the chat, it names this photo for good (the event id derives from it). */
  messageId: number;
  candidate: PhotoCandidate;
}

interface IntakeDeps {
  store: Store;
  files: TelegramFiles;
  logger: BotLogger;
}

/**
 * One photo from Telegram to a `PhotoAdded` event: the machine's rules are asked first with what
 * the update tells (size, dimensions, file_unique_id, room left), so a photo that cannot be added
 * is never downloaded; then the bytes decide the real type, dimensions and SHA-256, and the
 * machine decides again when the event is dispatched.
 */
export async function takePhoto(deps: IntakeDeps, request: IntakeRequest): Promise<IntakeResult> {
  const { avatar, candidate } = request;
  const knownFacts: RefusalFacts = {
    ...(candidate.width !== undefined && { width: candidate.width }),
    ...(candidate.height !== undefined && { height: candidate.height }),
    ...(candidate.bytes !== undefined && { bytes: candidate.bytes }),
  };

  const eventId = derivedUuid('telegram-photo', request.chatId, request.messageId);
  const beforeDownload = avatarLifecycle.decide(avatar, provisionalPhoto(candidate));
  if (!beforeDownload.ok) {
    // A redelivered update looks like a duplicate of itself; it is not the user's mistake.
    if (beforeDownload.rejection.code === 'photo_duplicate' && (await eventExists(deps.store.db, eventId))) {
      return { outcome: 'already_added', state: avatar };
    }
    return { outcome: 'refused', code: beforeDownload.rejection.code, facts: knownFacts, status: beforeDownload.rejection.status };
  }

  let bytes: Uint8Array;
  try {
    bytes = (await deps.files.download(candidate.fileId)).bytes;
  } catch (error) {
    if (!(error instanceof TelegramFileError)) throw error;
    deps.logger.warn({ err: error, fileId: candidate.fileId }, 'a photo could not be downloaded');
    const tooBig = !error.retryable && /too big|20 MB/i.test(error.message);
    return { outcome: 'refused', code: tooBig ? 'photo_too_large' : 'download_failed', facts: knownFacts, status: null };
  }

  const image = inspectImage(bytes);
  if (!image.ok) {
    const facts = image.problem === 'unsupported_format' ? { format: image.format } : {};
    return { outcome: 'refused', code: image.problem, facts, status: null };
  }
  const event: EventOf<'PhotoAdded'> = {
    type: 'PhotoAdded',
    photoId: candidate.fileUniqueId,
    telegramFileId: candidate.fileId,
    fileUniqueId: candidate.fileUniqueId,
    sha256: image.sha256,
    width: image.width,
    height: image.height,
    bytes: bytes.length,
    mime: image.mime,
  };
  const facts: RefusalFacts = { width: image.width, height: image.height, bytes: bytes.length };
  const result = await dispatch(deps.store, avatar.context.avatarId, event, {
    actor: { kind: 'user', userId: request.userId },
    eventId,
  });
  switch (result.outcome) {
    case 'accepted':
      return { outcome: 'added', state: result.state };
    case 'rejected':
      return { outcome: 'refused', code: result.rejection.code, facts, status: result.rejection.status };
    case 'duplicate': {
      const loaded = await loadAvatar(deps.store, avatar.context.avatarId);
      return { outcome: 'already_added', state: loaded?.state ?? avatar };
    }
  }
}

/**
 * The photo as far as the update describes it. Unknown facts take values no rule refuses, and the
 * hash is one no real photo has, so only what is known can make the machine say no.
 */
function provisionalPhoto(candidate: PhotoCandidate): EventOf<'PhotoAdded'> {
  return {
    type: 'PhotoAdded',
    photoId: candidate.fileUniqueId,
    telegramFileId: candidate.fileId,
    fileUniqueId: candidate.fileUniqueId,
    sha256: 'not yet downloaded',
    width: candidate.width ?? photoLimits.minShortestSidePx,
    height: candidate.height ?? photoLimits.minShortestSidePx,
    bytes: candidate.bytes ?? 1,
    mime: 'image/jpeg',
  };
}
