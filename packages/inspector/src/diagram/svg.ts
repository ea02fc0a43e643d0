import { escapeMarkup as esc } from '../escape.js';
import { metrics, type DiagramLayout, type PlacedEdge, type PlacedState, type Point } from './layout.js';

/**
 * Draws a laid-out machine as SVG markup. Every state carries `data-state` (its node id) and every
 * transition `data-transition` (a label shared by several edges: `data-transitions`), which the page
 * uses to mark the path an avatar took. Sizes come from the layout's metrics; colours are left to
 * the page's stylesheet (classes and presentation attributes only: no inline styles, so a strict
 * CSP holds).
 */
export function renderDiagram(layout: DiagramLayout, title: string): string {
  const compound = layout.states.filter((s) => s.vertex.kind === 'compound');
  const simple = layout.states.filter((s) => s.vertex.kind !== 'compound');
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="machine" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    markers(),
    `<g class="compound-states">${compound.map(renderState).join('')}</g>`,
    `<g class="edges">${layout.edges.map(renderEdge).join('')}</g>`,
    `<g class="initials">${layout.initials.map((dot) => `<circle class="initial" data-initial-of="${esc(dot.parentId)}" cx="${dot.x}" cy="${dot.y}" r="${metrics.initialRadius}"/>`).join('')}</g>`,
    `<g class="states">${simple.map(renderState).join('')}</g>`,
    `<g class="edge-labels">${layout.edges.map((edge) => renderLabel(edge, layout.edges)).join('')}</g>`,
    '</svg>',
  ].join('');
}

function markers(): string {
  const arrow = (id: string) =>
    `<marker id="${id}" class="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9 z"/></marker>`;
  return `<defs>${arrow('arrow')}${arrow('arrow-taken')}${arrow('arrow-available')}</defs>`;
}

function renderState(state: PlacedState): string {
  const { vertex, x, y, width, height, details } = state;
  const classes = ['state', vertex.kind, vertex.parentId === null ? 'top-level' : 'nested'].join(' ');
  const titleY = y + metrics.titleHeight / 2 + metrics.titleSize * 0.35 + 1;
  const lines = details.map((line, i) => {
    const lineY = y + metrics.titleHeight + i * metrics.detailHeight + metrics.detailSize * 0.35 + 4;
    const transition = line.transitionId === null ? ' refused' : '';
    const data = line.transitionId === null ? '' : ` data-transition="${esc(line.transitionId)}"`;
    return `<text class="state-detail${transition}"${data} x="${x + width / 2}" y="${lineY}" font-size="${metrics.detailSize}"><title>${esc(line.title)}</title>${esc(line.text)}</text>`;
  });
  const finalRing =
    vertex.kind === 'final' ? `<rect class="final-ring" x="${x + 3}" y="${y + 3}" width="${width - 6}" height="${height - 6}" rx="6"/>` : '';
  return [
    `<g class="${classes}" data-state="${esc(vertex.id)}">`,
    `<title>${esc(vertex.id)}</title>`,
    `<rect class="state-box" x="${x}" y="${y}" width="${width}" height="${height}" rx="9"/>`,
    finalRing,
    `<text class="state-name" x="${x + width / 2}" y="${titleY}" font-size="${metrics.titleSize}">${esc(vertex.key)}</text>`,
    ...lines,
    '</g>',
  ].join('');
}

function edgeTitle({ edge }: PlacedEdge): string {
  if (edge.eventType === null) return `initial state of ${edge.sourceId}`;
  const guards = edge.guards.filter((g) => g !== null);
  const when = guards.length > 0 ? ` if ${guards.join(' or ')}` : '';
  return `${edge.eventType}: ${edge.sourceId} → ${edge.targetId}${when}`;
}

function renderEdge(placed: PlacedEdge): string {
  const { edge } = placed;
  return [
    `<g class="edge ${edge.kind}" data-transition="${esc(edge.id)}">`,
    `<title>${esc(edgeTitle(placed))}</title>`,
    `<path class="edge-hit" d="${roundedPath(placed.points)}"/>`,
    `<path class="edge-line" d="${roundedPath(placed.points)}"/>`,
    '</g>',
  ].join('');
}

function renderLabel(placed: PlacedEdge, all: readonly PlacedEdge[]): string {
  const { label } = placed;
  if (label === null) return '';
  const named = all.filter((other) => label.transitionIds.includes(other.edge.id));
  return [
    `<g class="edge-label" data-transitions="${esc(label.transitionIds.join(' '))}">`,
    `<title>${esc(named.map(edgeTitle).join('\n'))}</title>`,
    `<rect x="${label.x}" y="${label.y}" width="${label.width}" height="${label.height}" rx="4"/>`,
    `<text x="${label.x + label.width / 2}" y="${label.y + label.height / 2 + metrics.labelSize * 0.35}" font-size="${metrics.labelSize}">${esc(label.text)}</text>`,
    '</g>',
  ].join('');
}

/** An orthogonal polyline with its corners rounded. */
function roundedPath(points: readonly Point[], radius = 6): string {
  const [first, ...rest] = points;
  if (first === undefined) return '';
  const parts = [`M${round(first.x)},${round(first.y)}`];
  rest.forEach((point, i) => {
    const previous = points[i]!;
    const next = rest[i + 1];
    if (next === undefined) {
      parts.push(`L${round(point.x)},${round(point.y)}`);
      return;
    }
    const r = Math.min(radius, distance(previous, point) / 2, distance(point, next) / 2);
    const before = towards(point, previous, r);
    const after = towards(point, next, r);
    parts.push(`L${round(before.x)},${round(before.y)}`, `Q${round(point.x)},${round(point.y)} ${round(after.x)},${round(after.y)}`);
  });
  return parts.join(' ');
}

function distance(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

function towards(from: Point, to: Point, length: number): Point {
  const d = distance(from, to);
  if (d === 0) return from;
  return { x: from.x + ((to.x - from.x) * length) / d, y: from.y + ((to.y - from.y) * length) / d };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
