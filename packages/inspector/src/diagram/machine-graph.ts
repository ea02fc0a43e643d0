import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * The state machine as a graph the diagram draws: read from the machine's state nodes, so a change
 * to the machine changes the picture. Ids are XState's own state node ids (`avatar.training.queued`).
 */
export interface MachineGraph {
  rootId: string;
  /** Every state node but the root, parents before their children, in definition order. */
  states: StateVertex[];
  /** Transitions that change state, and the initial transition of every compound node. */
  edges: TransitionEdge[];
}

export interface StateVertex {
  id: string;
  key: string;
  /** Null for the machine's top-level states (children of the root). */
  parentId: string | null;
  kind: 'atomic' | 'compound' | 'final';
  /** Transitions that keep the state (actions only), drawn inside its box. */
  internal: InternalTransition[];
  /** Events this state declares and refuses on purpose, overriding a parent's transition. */
  forbidden: string[];
}

export interface InternalTransition {
  id: string;
  eventType: string;
  guard: string | null;
}

export interface TransitionEdge {
  id: string;
  kind: 'event' | 'initial';
  /** For an initial transition: the compound node (or the root) whose initial state it enters. */
  sourceId: string;
  targetId: string;
  /** Null for an initial transition. */
  eventType: string | null;
  /** One entry per guarded definition merged into this edge; null where unguarded. */
  guards: (string | null)[];
}

/** Ids the API, the SVG and the page agree on for transitions. */
export const transitionId = {
  targeted: (sourceId: string, eventType: string, targetId: string) => `${sourceId}|${eventType}|${targetId}`,
  internal: (sourceId: string, eventType: string) => `${sourceId}|${eventType}`,
  initial: (parentId: string, targetId: string) => `${parentId}|(initial)|${targetId}`,
};

type GuardLike = string | { type?: unknown } | ((...args: never[]) => unknown) | undefined;

/** Higher-order guards (`and`, `or`, `not`) keep their operands on the function. */
function operandsOf(guard: GuardLike): GuardLike[] | null {
  const operands = typeof guard === 'function' ? (guard as { guards?: unknown }).guards : undefined;
  return Array.isArray(operands) ? (operands as GuardLike[]) : null;
}

/** A readable name for a guard: `photoAcceptable`, `photoAcceptable ∧ reachesMinimum`. */
export function describeGuard(guard: GuardLike): string | null {
  if (guard === undefined) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard !== 'function') return typeof guard.type === 'string' ? guard.type : 'guard';
  const operands = operandsOf(guard);
  if (operands === null) return guard.name || 'inline guard';
  const parts = operands.map((operand) => {
    const text = describeGuard(operand) ?? '?';
    const nested = operandsOf(operand);
    return nested !== null && nested.length > 1 ? `(${text})` : text;
  });
  if (guard.name === 'not') return `¬${parts.join(' ∧ ')}`;
  return parts.join(guard.name === 'or' ? ' ∨ ' : ' ∧ ');
}

function kindOf(node: AnyStateNode): StateVertex['kind'] {
  if (node.type === 'final') return 'final';
  return Object.keys(node.states).length > 0 ? 'compound' : 'atomic';
}

function initialChild(node: AnyStateNode): AnyStateNode | undefined {
  return node.initial?.target[0];
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: StateVertex[] = [];
  const edges = new Map<string, TransitionEdge>();

  function addEdge(edge: Omit<TransitionEdge, 'guards'>, guard: string | null) {
    const existing = edges.get(edge.id);
    if (existing) existing.guards.push(guard);
    else edges.set(edge.id, { ...edge, guards: [guard] });
  }

  function visit(node: AnyStateNode, parentId: string | null) {
    const internal: InternalTransition[] = [];
    const forbidden: string[] = [];
    for (const [eventType, transitions] of Object.entries(node.on)) {
      for (const transition of transitions) {
        const guard = describeGuard(transition.guard as GuardLike);
        const targets = transition.target ?? [];
        if (targets.length === 0 && transition.actions.length === 0) forbidden.push(eventType);
        else if (targets.length === 0) internal.push({ id: transitionId.internal(node.id, eventType), eventType, guard });
        for (const target of targets) {
          addEdge({ id: transitionId.targeted(node.id, eventType, target.id), kind: 'event', sourceId: node.id, targetId: target.id, eventType }, guard);
        }
      }
    }
    states.push({ id: node.id, key: node.key, parentId, kind: kindOf(node), internal, forbidden });
    enterChildren(node);
  }

  function enterChildren(node: AnyStateNode) {
    const initial = initialChild(node);
    if (initial) {
      addEdge({ id: transitionId.initial(node.id, initial.id), kind: 'initial', sourceId: node.id, targetId: initial.id, eventType: null }, null);
    }
    const parentId = node === machine.root ? null : node.id;
    for (const child of Object.values(node.states)) visit(child, parentId);
  }

  enterChildren(machine.root);
  return { rootId: machine.root.id, states, edges: [...edges.values()] };
}
