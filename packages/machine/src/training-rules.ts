import type { EventOf, Trainer } from './events.js';
import { photoLimits, type Photo } from './photo-rules.js';
import { refuse, type Refusal } from './rejection.js';

/** One training attempt. Callbacks carry its `attemptId`; any other attempt's callback is refused. */
export interface Attempt {
  attemptId: string;
  trainer: Trainer;
  steps: number;
  photoIds: readonly string[];
  falRequestId: string | null;
  endpoint: string | null;
  queuePosition: number | null;
}

export const defaultSteps: Record<Trainer, number> = { portrait: 2500, fast: 1000 };

/** The trigger phrase is chosen once per avatar, from its id, and used verbatim ever after. */
export function triggerPhraseFor(avatarId: string): string {
  return `avtr${avatarId.replace(/[^0-9a-z]/gi, '').slice(0, 8).toLowerCase()}`;
}

interface TrainingFacts {
  photos: readonly Photo[];
  attemptIds: readonly string[];
  triggerPhrase: string | null;
}

export function trainingStartRefusal(facts: TrainingFacts, event: EventOf<'TrainingRequested'>): Refusal | null {
  const count = facts.photos.length;
  if (count < photoLimits.minToTrain || count > photoLimits.max) {
    return refuse(
      'not_enough_photos',
      `training needs ${photoLimits.minToTrain} to ${photoLimits.max} photos; the avatar has ${count}`,
    );
  }
  if (facts.attemptIds.includes(event.attemptId)) {
    return refuse('attempt_reused', `attempt ${event.attemptId} was already used`);
  }
  const current = new Set(facts.photos.map((p) => p.photoId));
  if (event.photoIds.length !== current.size || !event.photoIds.every((id) => current.has(id))) {
    return refuse('photos_mismatch', 'the attempt names other photos than the avatar has');
  }
  if (facts.triggerPhrase !== null && facts.triggerPhrase !== event.triggerPhrase) {
    return refuse(
      'trigger_phrase_changed',
      `the trigger phrase is "${facts.triggerPhrase}"; an attempt cannot change it to "${event.triggerPhrase}"`,
    );
  }
  return null;
}

type AttemptEvent = EventOf<
  'TrainingSubmitted' | 'TrainingProgressed' | 'TrainingCompleted' | 'TrainingFailed' | 'TrainingCancelled'
>;

/** A callback or poll result belongs to the attempt in flight, or it changes nothing. */
export function attemptRefusal(attempt: Attempt | null, event: AttemptEvent): Refusal | null {
  if (attempt === null) return refuse('attempt_mismatch', 'no training attempt is in flight');
  if (event.attemptId !== attempt.attemptId) {
    return refuse(
      'attempt_mismatch',
      `the event is for attempt ${event.attemptId ?? '(none)'}, the attempt in flight is ${attempt.attemptId}`,
    );
  }
  const falRequestId = 'falRequestId' in event ? event.falRequestId : undefined;
  if (falRequestId !== undefined && attempt.falRequestId !== null && falRequestId !== attempt.falRequestId) {
    return refuse(
      'request_mismatch',
      `the event is for fal request ${falRequestId}, the attempt was submitted as ${attempt.falRequestId}`,
    );
  }
  return null;
}
