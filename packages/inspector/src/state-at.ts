import { avatarLifecycle, photoLimits, trainingStageOf, type AvatarState } from '@avatar/machine';
import { readStream, type Store } from '@avatar/store';
import type { AttemptView, AvatarStateAt } from './api-types.js';
import type { MachineGraph } from './diagram/machine-graph.js';
import { activeStateIds, walkJourney } from './journey.js';
import { NotFoundError } from './errors.js';

/**
 * The transitions each accepted event would take now: those of the deepest active state that
 * declares the event, as the machine picks them (a child's declaration hides its parent's).
 */
function availableTransitions(graph: MachineGraph, active: readonly string[], accepted: readonly string[]): string[] {
  const declared = (stateId: string, eventType: string) => {
    const state = graph.states.find((s) => s.id === stateId);
    return [
      ...graph.edges.filter((e) => e.sourceId === stateId && e.eventType === eventType).map((e) => e.id),
      ...(state?.internal.filter((t) => t.eventType === eventType).map((t) => t.id) ?? []),
      ...(state?.forbidden.includes(eventType) ? [null] : []),
    ];
  };
  const deepestFirst = [...active].reverse();
  return accepted.flatMap((eventType) => {
    for (const stateId of deepestFirst) {
      const ids = declared(stateId, eventType);
      if (ids.length > 0) return ids.filter((id) => id !== null);
    }
    return [];
  });
}

function attemptOf(state: AvatarState): AttemptView | null {
  const { attempt, attemptIds } = state.context;
  if (attempt === null) return null;
  return {
    attemptId: attempt.attemptId,
    number: attemptIds.indexOf(attempt.attemptId) + 1,
    trainer: attempt.trainer,
    steps: attempt.steps,
    falRequestId: attempt.falRequestId,
    queuePosition: attempt.queuePosition,
  };
}

/** Folds an avatar's log up to `version` and describes the state there. */
export async function avatarStateAt(store: Store, graph: MachineGraph, avatarId: string, version: number): Promise<AvatarStateAt> {
  const events = await readStream(store.db, avatarId);
  const latest = events.at(-1);
  if (latest === undefined) throw new NotFoundError(`no avatar has the id ${avatarId}`);
  const upTo = events.filter((e) => e.version <= version);
  const at = upTo.at(-1);
  if (at === undefined || version > latest.version) {
    throw new NotFoundError(`avatar ${avatarId} has versions 1 to ${latest.version}; there is no version ${version}`);
  }
  const journey = walkJourney(upTo);
  const state = journey.state;
  if (state === null) throw new NotFoundError(`stream ${avatarId} is not an avatar, or no event up to version ${version} started it`);
  const active = activeStateIds(state.value);
  const acceptedEvents = avatarLifecycle.acceptedEventTypes(state);
  const { context } = state;
  return {
    avatarId,
    version,
    latestVersion: latest.version,
    at: at.createdAt.toISOString(),
    status: avatarLifecycle.statusOf(state),
    trainingStage: trainingStageOf(state),
    active,
    name: context.name,
    photoCount: context.photos.length,
    photoLimits: { minToTrain: photoLimits.minToTrain, max: photoLimits.max },
    attempt: attemptOf(state),
    attempts: context.attemptIds.length,
    triggerPhrase: context.triggerPhrase,
    failure: context.failure && { reason: context.failure.reason, retryable: context.failure.retryable },
    loraUrl: context.lora?.loraUrl ?? null,
    closedReason: context.closedReason,
    acceptedEvents,
    available: availableTransitions(graph, active, acceptedEvents),
    path: { visited: journey.visited, steps: journey.steps },
  };
}
