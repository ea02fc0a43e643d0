import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { MachineGraph, StateVertex, TransitionEdge } from './machine-graph.js';
import { textWidth } from './text-metrics.js';

export interface Point {
  x: number;
  y: number;
}

export interface Box extends Point {
  width: number;
  height: number;
}

export interface PlacedState extends Box {
  vertex: StateVertex;
  /** Lines drawn under the name: internal transitions, then refused events. */
  details: DetailLine[];
}

export interface DetailLine {
  text: string;
  /** The internal transition this line stands for; null for a refused event. */
  transitionId: string | null;
  title: string;
}

export interface PlacedEdge {
  edge: TransitionEdge;
  points: Point[];
  label: PlacedLabel | null;
}

export interface PlacedLabel extends Box {
  text: string;
  /** The transitions this label names: its own edge, or every edge of a shared label. */
  transitionIds: string[];
}

export interface PlacedInitial extends Point {
  /** The node (or the root) whose initial state this dot points at. */
  parentId: string;
}

export interface DiagramLayout {
  width: number;
  height: number;
  states: PlacedState[];
  edges: PlacedEdge[];
  initials: PlacedInitial[];
}

/** Typography and spacing shared by the layout and the SVG that draws it. */
export const metrics = {
  titleSize: 12.5,
  detailSize: 10,
  labelSize: 10,
  titleHeight: 24,
  detailHeight: 13.5,
  padding: 9,
  initialRadius: 5,
  minWidth: 112,
  margin: 16,
} as const;

const initialNodeId = (parentId: string) => `${parentId}|(initial-dot)`;

function detailLines(vertex: StateVertex): DetailLine[] {
  return [
    ...vertex.internal.map((t) => ({
      text: `↻ ${t.eventType}`,
      transitionId: t.id,
      title: `${t.eventType} (stays in ${vertex.key})${t.guard ? ` if ${t.guard}` : ''}`,
    })),
    ...vertex.forbidden.map((eventType) => ({
      text: `⊘ ${eventType}`,
      transitionId: null,
      title: `${eventType} is refused in ${vertex.key}, whatever the parent state accepts`,
    })),
  ];
}

function headerHeight(details: readonly DetailLine[]): number {
  return metrics.titleHeight + details.length * metrics.detailHeight + (details.length > 0 ? metrics.padding / 2 : 0);
}

function contentWidth(vertex: StateVertex, details: readonly DetailLine[]): number {
  const widths = [textWidth(vertex.key, metrics.titleSize), ...details.map((d) => textWidth(d.text, metrics.detailSize))];
  return Math.max(metrics.minWidth, Math.max(...widths) + 2 * metrics.padding);
}

/** Edges from this many states or more with one event into one target share a label at the target. */
const sharedLabelFrom = 3;

/** Which edges carry a label, and which transitions each label names. */
function labelsOf(edges: readonly TransitionEdge[]): Map<string, { shared: boolean; transitionIds: string[] }> {
  const groups = new Map<string, TransitionEdge[]>();
  for (const edge of edges) {
    if (edge.eventType === null) continue;
    const key = `${edge.eventType}\u0000${edge.targetId}`;
    groups.set(key, [...(groups.get(key) ?? []), edge]);
  }
  const labels = new Map<string, { shared: boolean; transitionIds: string[] }>();
  for (const group of groups.values()) {
    const shared = group.length >= sharedLabelFrom;
    const carriers = shared ? group.slice(0, 1) : group;
    for (const edge of carriers) labels.set(edge.id, { shared, transitionIds: shared ? group.map((e) => e.id) : [edge.id] });
  }
  return labels;
}

function edgeLabel(edge: TransitionEdge, shared: boolean) {
  if (edge.eventType === null) return [];
  return [
    {
      text: edge.eventType,
      width: textWidth(edge.eventType, metrics.labelSize) + 8,
      height: metrics.labelSize + 6,
      ...(shared ? { layoutOptions: { 'elk.edgeLabels.placement': 'HEAD' } } : {}),
    },
  ];
}

/** Spacing and routing of the layered layout. */
const layeredOptions = {
  'elk.algorithm': 'layered',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '24',
  'elk.layered.spacing.edgeNodeBetweenLayers': '10',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
  'elk.spacing.nodeNode': '18',
  'elk.spacing.edgeNode': '10',
  'elk.spacing.edgeEdge': '7',
  'elk.spacing.edgeLabel': '3',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  // Definition order decides which edges point back: draft → uploading → ready reads downwards.
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.edgeLabels.placement': 'CENTER',
};

/**
 * Lays the graph out top to bottom with ELK's layered algorithm, compound states drawn around their
 * children (the whole hierarchy at once, so a transition may cross a compound state's border) and
 * edges routed orthogonally around the boxes. Coordinates come back absolute.
 */
export async function layoutDiagram(graph: MachineGraph): Promise<DiagramLayout> {
  const details = new Map(graph.states.map((s) => [s.id, detailLines(s)]));
  const nodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: graph.rootId,
    layoutOptions: {
      ...layeredOptions,
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.padding': `[top=${metrics.margin},left=${metrics.margin},bottom=${metrics.margin},right=${metrics.margin}]`,
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: [],
  };
  nodes.set(graph.rootId, root);

  for (const vertex of graph.states) {
    const lines = details.get(vertex.id)!;
    const node: ElkNode =
      vertex.kind === 'compound'
        ? {
            id: vertex.id,
            layoutOptions: {
              'elk.padding': `[top=${headerHeight(lines) + 6},left=${metrics.padding + 4},bottom=${metrics.padding + 4},right=${metrics.padding + 4}]`,
              'elk.nodeSize.constraints': 'MINIMUM_SIZE',
              'elk.nodeSize.minimum': `(${contentWidth(vertex, lines)}, ${headerHeight(lines)})`,
            },
            children: [],
          }
        : { id: vertex.id, width: contentWidth(vertex, lines), height: headerHeight(lines) + metrics.padding / 2 };
    nodes.set(vertex.id, node);
    nodes.get(vertex.parentId ?? graph.rootId)!.children!.push(node);
  }
  for (const edge of graph.edges) {
    if (edge.kind !== 'initial') continue;
    const dot: ElkNode = { id: initialNodeId(edge.sourceId), width: 2 * metrics.initialRadius, height: 2 * metrics.initialRadius };
    nodes.get(edge.sourceId)!.children!.unshift(dot);
  }
  const labels = labelsOf(graph.edges);
  root.edges = graph.edges.map((edge): ElkExtendedEdge => {
    const label = labels.get(edge.id);
    return {
      id: edge.id,
      sources: [edge.kind === 'initial' ? initialNodeId(edge.sourceId) : edge.sourceId],
      targets: [edge.targetId],
      labels: label ? edgeLabel(edge, label.shared) : [],
    };
  });

  const laidOut = await new ELK().layout(root);
  return collect(graph, laidOut, details, labels);
}

function collect(
  graph: MachineGraph,
  laidOut: ElkNode,
  details: Map<string, DetailLine[]>,
  labels: Map<string, { transitionIds: string[] }>,
): DiagramLayout {
  const shapes = new Map<string, ElkNode>();
  const placedEdges: ElkExtendedEdge[] = [];
  const walk = (node: ElkNode) => {
    shapes.set(node.id, node);
    placedEdges.push(...(node.edges ?? []));
    node.children?.forEach(walk);
  };
  walk(laidOut);
  const box = (node: ElkNode): Box => ({ x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0 });

  const states = graph.states.map((vertex) => ({ ...box(shapes.get(vertex.id)!), vertex, details: details.get(vertex.id)! }));
  const initials = graph.edges
    .filter((edge) => edge.kind === 'initial')
    .map((edge) => {
      const dot = box(shapes.get(initialNodeId(edge.sourceId))!);
      return { parentId: edge.sourceId, x: dot.x + dot.width / 2, y: dot.y + dot.height / 2 };
    });
  const byId = new Map(graph.edges.map((edge) => [edge.id, edge]));
  const edges = placedEdges.map((placed) => {
    const edge = byId.get(placed.id)!;
    const points = (placed.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    const label = placed.labels?.[0];
    const names = labels.get(edge.id);
    return {
      edge,
      points,
      label:
        label && names && edge.eventType !== null
          ? { ...box({ id: '', ...label }), text: edge.eventType, transitionIds: names.transitionIds }
          : null,
    };
  });
  return { width: laidOut.width ?? 0, height: laidOut.height ?? 0, states, edges, initials };
}
