import {
  createEmptyActor,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type StateValue,
} from 'xstate';
import type { DomainEvent } from './events.js';
import { refuse, type Refusal, type Rejection } from './rejection.js';

export type Decision<TState, TStatus extends string> =
  | { ok: true; state: TState }
  | { ok: false; rejection: Rejection<TStatus> };

/** What a stream stores of its state: enough to restore the machine snapshot exactly. */
export interface PersistedState {
  value: StateValue;
  context: unknown;
}

/**
 * One stream kind (avatar, generation): its machine, the event that starts a stream, and the pure
 * decide/evolve pair the store folds and appends with.
 */
export interface Lifecycle<TState, TEvent extends DomainEvent, TStatus extends string> {
  readonly kind: string;
  readonly machineVersion: string;
  /** The event that starts a stream; accepted on an empty stream only. */
  readonly creationEventType: TEvent['type'];
  readonly eventTypes: readonly TEvent['type'][];
  /** The next state if the machine accepts `event`, or a typed rejection. Never a silent no-op. */
  decide(state: TState | null, event: TEvent): Decision<TState, TStatus>;
  /** Folds a recorded event: like decide, but a refused event leaves the state as it was. */
  evolve(state: TState | null, event: TEvent): TState | null;
  statusOf(state: TState): TStatus;
  /** The state in a few words for timelines, e.g. "training.queued" or "balance 200, reserved 150". */
  describe(state: TState): string;
  /** Event types the current state has a transition for (guards on the event's data still apply). */
  acceptedEventTypes(state: TState): TEvent['type'][];
  persist(state: TState): PersistedState;
  restore(persisted: PersistedState): TState;
}

/**
 * `transition()` from xstate builds a throwaway actor and system on every call (~35k events/s).
 * The machines here are pure (assign only), so one inert scope can serve every call: the same
 * `machine.transition` the actor itself runs, without rebuilding machine state per event.
 */
function inertScope(): AnyActorScope {
  const self = createEmptyActor();
  return {
    self,
    id: '',
    sessionId: '',
    logger: () => {},
    defer: () => {},
    emit: () => {},
    system: self.system,
    stopChild: () => {},
    actionExecutor: () => {},
  };
}

/** Paths of the active state nodes, deepest first: `{training: 'queued'}` → ['training.queued', 'training']. */
function activePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(child === undefined ? [] : activePaths(child, `${prefix}${key}.`)),
    prefix + key,
  ]);
}

interface LifecycleDefinition<TState, TEvent extends DomainEvent, TStatus extends string> {
  kind: string;
  machine: AnyStateMachine;
  machineVersion: string;
  creationEventType: TEvent['type'];
  eventTypes: readonly TEvent['type'][];
  statusOf(state: TState): TStatus;
  /** Why a handled event was refused by a guard; null when no rule explains it. */
  explain(state: TState, event: TEvent): Refusal | null;
}

/** Builds the decide/evolve pair over a machine whose context is created from the first event. */
export function defineLifecycle<TState extends AnyMachineSnapshot, TEvent extends DomainEvent, TStatus extends string>(
  definition: LifecycleDefinition<TState, TEvent, TStatus>,
): Lifecycle<TState, TEvent, TStatus> {
  const { machine, statusOf } = definition;
  const scope = inertScope();

  function reject(state: TState | null, eventType: string, refusal: Refusal) {
    return { ok: false as const, rejection: { status: state === null ? null : statusOf(state), eventType, ...refusal } };
  }

  /** Deepest active state node that declares a transition for this event type, if any. */
  function handlerOf(state: TState, eventType: string) {
    for (const path of activePaths(state.value)) {
      const node = machine.getStateNodeById(`${machine.id}.${path}`);
      const transitions = node.on[eventType];
      if (transitions !== undefined) {
        return transitions.some((t) => t.target !== undefined || t.actions.length > 0) ? 'handled' : 'forbidden';
      }
    }
    return 'unhandled';
  }

  function explainRefusal(state: TState, event: TEvent): Refusal {
    const notAccepted = refuse('not_accepted_in_status', `${event.type} is not accepted in status ${describe(state)}`);
    if (handlerOf(state, event.type) !== 'handled') return notAccepted;
    return definition.explain(state, event) ?? notAccepted;
  }

  function describe(state: TState): string {
    return activePaths(state.value)[0] ?? statusOf(state);
  }

  function decide(state: TState | null, event: TEvent): Decision<TState, TStatus> {
    if (event.type === definition.creationEventType) {
      if (state !== null) return reject(state, event.type, refuse('stream_exists', 'the stream has already started'));
      try {
        const initial = machine.getInitialSnapshot(scope, event) as AnyMachineSnapshot;
        if (initial.status === 'error') return reject(null, event.type, machineError(initial.error));
        return { ok: true, state: initial as TState };
      } catch (error) {
        return reject(null, event.type, machineError(error));
      }
    }
    if (state === null) {
      return reject(null, event.type, refuse('stream_missing', `${event.type} needs a stream that has started`));
    }
    if (!definition.eventTypes.includes(event.type)) {
      return reject(state, event.type, refuse('not_accepted_in_status', `${event.type} does not belong to a ${definition.kind} stream`));
    }
    const current = state;
    let next: AnyMachineSnapshot;
    try {
      next = machine.transition(current, event, scope) as AnyMachineSnapshot;
    } catch (error) {
      return reject(state, event.type, machineError(error));
    }
    if (next.status === 'error') return reject(state, event.type, machineError(next.error));
    // XState answers an event it cannot take with the same snapshot; `can` tells that apart
    // from an accepted transition that changes nothing.
    if (next === current && !current.can(event)) {
      return reject(state, event.type, explainRefusal(state, event));
    }
    return { ok: true, state: next as TState };
  }

  return {
    kind: definition.kind,
    machineVersion: definition.machineVersion,
    creationEventType: definition.creationEventType,
    eventTypes: definition.eventTypes,
    decide,
    evolve(state, event) {
      const decision = decide(state, event);
      return decision.ok ? decision.state : state;
    },
    statusOf,
    describe,
    acceptedEventTypes: (state) =>
      state.status === 'active' ? definition.eventTypes.filter((type) => handlerOf(state, type) === 'handled') : [],
    persist: (state) => ({ value: state.value, context: state.context }),
    restore: (persisted) => machine.resolveState({ value: persisted.value, context: persisted.context as never }) as TState,
  };
}

function machineError(error: unknown): Refusal {
  return refuse('machine_error', error instanceof Error ? error.message : String(error));
}
