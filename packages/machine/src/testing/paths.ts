import { getShortestPaths } from 'xstate/graph';
import { avatarMachine, type AvatarMachineEvent } from '../avatar-machine.js';
import { cancellation, statusOf, trainingRequest, type AvatarState, type AvatarStatus } from '../avatar.js';
import type { EventOf } from '../events.js';
import { photoAdded, trainingCompleted, trainingFailed, trainingProgressed, trainingSubmitted } from './events.js';

export interface AvatarPath {
  /** Readable summary, e.g. "draft → … → completed (12 photos, 1 attempt)". */
  name: string;
  created: EventOf<'AvatarCreated'>;
  events: AvatarMachineEvent[];
  status: AvatarStatus;
}

const maxAttempts = 2;

/** The events worth trying from a state: at most one of each kind, for the attempt in flight. */
function candidateEvents(state: AvatarState): AvatarMachineEvent[] {
  const { photos, attempt, attemptIds } = state.context;
  const nextPhoto = photos.reduce((max, p) => Math.max(max, Number(p.photoId.split('-')[1])), 0) + 1;
  const events: AvatarMachineEvent[] = [photoAdded(nextPhoto), { type: 'AvatarDeleted', reason: 'user asked' }];
  const last = photos.at(-1);
  if (last) events.push({ type: 'PhotoRemoved', photoId: last.photoId });
  if (attemptIds.length < maxAttempts) events.push(trainingRequest(state, `attempt-${attemptIds.length + 1}`));
  events.push(cancellation(state, 'user cancelled'));
  if (attempt) {
    events.push(
      trainingSubmitted(attempt.attemptId),
      trainingProgressed(attempt.attemptId, 'IN_PROGRESS'),
      trainingCompleted(attempt.attemptId),
      trainingFailed(attempt.attemptId, 'model error', `req-${attempt.attemptId}`),
    );
  }
  return events;
}

function key(state: AvatarState): string {
  return `${JSON.stringify(state.value)}|${state.context.photos.length}|${state.context.attemptIds.length}`;
}

/**
 * Every shortest path xstate/graph finds from a new avatar to each distinct (status, photo count,
 * attempt count) it can reach in `completed`, `failed`, `cancelled` or `deleted`.
 */
export function avatarPaths(created: EventOf<'AvatarCreated'>): AvatarPath[] {
  const ends = new Set<AvatarStatus>(['completed', 'failed', 'cancelled', 'deleted']);
  const paths = getShortestPaths(avatarMachine, {
    input: created,
    events: candidateEvents,
    serializeState: key,
    serializeEvent: (event) => JSON.stringify(event),
  });
  // Filtered here rather than with `toState`, which would stop the traversal at the first failure.
  return paths.filter((path) => ends.has(statusOf(path.state))).map((path) => {
    const events = path.steps.slice(1).map((step) => step.event) as AvatarMachineEvent[];
    const status = statusOf(path.state);
    const { photos, attemptIds } = path.state.context;
    return {
      name: `${status} after ${events.length} events (${photos.length} photos, ${attemptIds.length} attempts)`,
      created,
      events,
      status,
    };
  });
}
