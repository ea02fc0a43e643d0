import { trainingRequest, type AvatarState } from '../avatar.js';
import type { EventOf } from '../events.js';

/** Builders for well-formed events, so tests say what differs and nothing else. */

export function avatarCreated(overrides: Partial<EventOf<'AvatarCreated'>> = {}): EventOf<'AvatarCreated'> {
  return {
    type: 'AvatarCreated',
    avatarId: crypto.randomUUID(),
    ownerId: 1001,
    chatId: 1001,
    name: 'Alex',
    gender: 'female',
    trainer: 'portrait',
    ...overrides,
  };
}

export function photoAdded(n: number, overrides: Partial<EventOf<'PhotoAdded'>> = {}): EventOf<'PhotoAdded'> {
  return {
    type: 'PhotoAdded',
    photoId: `photo-${n}`,
    telegramFileId: `file-${n}`,
    fileUniqueId: `unique-${n}`,
    sha256: n.toString(16).padStart(64, 'a'),
    width: 1024,
    height: 1280,
    bytes: 350_000,
    mime: 'image/jpeg',
    ...overrides,
  };
}

export function photosAdded(count: number, from = 1): EventOf<'PhotoAdded'>[] {
  return Array.from({ length: count }, (_, i) => photoAdded(from + i));
}

export function trainingSubmitted(attemptId: string, falRequestId = `req-${attemptId}`): EventOf<'TrainingSubmitted'> {
  return { type: 'TrainingSubmitted', attemptId, falRequestId, endpoint: 'fal-ai/flux-lora-portrait-trainer' };
}

export function trainingProgressed(attemptId: string, falStatus: 'IN_QUEUE' | 'IN_PROGRESS'): EventOf<'TrainingProgressed'> {
  return { type: 'TrainingProgressed', attemptId, falStatus };
}

export function trainingCompleted(attemptId: string, falRequestId = `req-${attemptId}`): EventOf<'TrainingCompleted'> {
  return {
    type: 'TrainingCompleted',
    attemptId,
    falRequestId,
    loraUrl: `https://v3.fal.media/files/lora/${attemptId}.safetensors`,
    configUrl: `https://v3.fal.media/files/lora/${attemptId}.json`,
  };
}

export function trainingFailed(attemptId: string, reason = 'model error', falRequestId?: string): EventOf<'TrainingFailed'> {
  return { type: 'TrainingFailed', attemptId, reason, retryable: true, ...(falRequestId ? { falRequestId } : {}) };
}

/** A training request for exactly the photos `state` has, as the bot would send it. */
export function trainingRequested(state: AvatarState, attemptId: string): EventOf<'TrainingRequested'> {
  return trainingRequest(state, attemptId);
}
