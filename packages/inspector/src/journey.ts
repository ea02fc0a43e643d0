import {
  avatarLifecycle,
  avatarMachine,
  type AvatarEvent,
  type AvatarMachineEvent,
  type AvatarState,
} from '@avatar/machine';
import type { RecordedEvent } from '@avatar/store';
import type { StateValue } from 'xstate';
import type { PathStep } from './api-types.js';
import { transitionId } from './diagram/machine-graph.js';

/** The path an avatar took through the machine: which transitions each recorded event took. */
export interface Journey {
  /** The state after the last event folded; null when no event started the stream. */
  state: AvatarState | null;
  steps: PathStep[];
  /** State node ids in the order they were first entered. */
  visited: string[];
}

/** Active state node ids, outermost first: `{training: 'queued'}` → avatar.training, avatar.training.queued. */
export function activeStateIds(value: StateValue, prefix = avatarMachine.id): string[] {
  if (typeof value === 'string') return [`${prefix}.${value}`];
  return Object.entries(value).flatMap(([key, child]) => [
    `${prefix}.${key}`,
    ...(child === undefined ? [] : activeStateIds(child, `${prefix}.${key}`)),
  ]);
}

function parentOf(stateId: string): string {
  return stateId.slice(0, stateId.lastIndexOf('.'));
}

/** The initial child a compound node (or the machine) enters when a transition targets it. */
function initialChildOf(nodeId: string): string | undefined {
  const node = nodeId === avatarMachine.id ? avatarMachine.root : avatarMachine.getStateNodeById(nodeId);
  return node.initial?.target[0]?.id;
}

/** Transitions an accepted event took, found by asking the machine which ones it enables. */
function transitionsTaken(before: AvatarState | null, after: AvatarState, event: AvatarEvent): string[] {
  const taken: string[] = [];
  const targets = new Set<string>();
  if (before !== null && event.type !== 'AvatarCreated') {
    for (const transition of avatarMachine.getTransitionData(before, event as AvatarMachineEvent)) {
      const destinations = transition.target ?? [];
      if (destinations.length === 0) taken.push(transitionId.internal(transition.source.id, event.type));
      for (const target of destinations) {
        taken.push(transitionId.targeted(transition.source.id, event.type, target.id));
        targets.add(target.id);
      }
    }
  }
  const wasActive = new Set(before === null ? [] : activeStateIds(before.value));
  for (const entered of activeStateIds(after.value)) {
    if (wasActive.has(entered) || targets.has(entered)) continue;
    const parent = parentOf(entered);
    if (initialChildOf(parent) === entered) taken.push(transitionId.initial(parent, entered));
  }
  return taken;
}

/** Folds recorded events like replay does (a refused event leaves the state as it was). */
export function walkJourney(events: readonly Pick<RecordedEvent, 'version' | 'type' | 'data'>[]): Journey {
  let state: AvatarState | null = null;
  const steps: PathStep[] = [];
  const visited: string[] = [];
  for (const recorded of events) {
    const event = { ...recorded.data, type: recorded.type } as AvatarEvent;
    const decision = avatarLifecycle.decide(state, event);
    if (!decision.ok) continue;
    steps.push({ version: recorded.version, eventType: recorded.type, transitions: transitionsTaken(state, decision.state, event) });
    state = decision.state;
    for (const id of activeStateIds(state.value)) if (!visited.includes(id)) visited.push(id);
  }
  return { state, steps, visited };
}
