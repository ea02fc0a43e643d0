import * as assert from 'uvu/assert';
import { test } from 'uvu';
import { and, not, or, setup } from 'xstate';
import { avatarMachine } from '@avatar/machine';
import { describeGuard, machineGraph } from '../src/diagram/machine-graph.js';
import { layoutDiagram, type Box, type DiagramLayout } from '../src/diagram/layout.js';
import { renderDiagram } from '../src/diagram/svg.js';
import { escapeMarkup } from '../src/escape.js';

/** The machine's own JSON description, read independently of the graph code under test. */
interface StateDefinition {
  id: string;
  states: Record<string, StateDefinition>;
  on: Record<string, { target?: string[]; actions: unknown[] }[]>;
  initial?: { target: string[] };
}

function definitions(root: StateDefinition): StateDefinition[] {
  return Object.values(root.states).flatMap((child) => [child, ...definitions(child)]);
}

const plainId = (target: string) => target.replace(/^#/, '');

async function drawn(machine: Parameters<typeof machineGraph>[0]) {
  const layout = await layoutDiagram(machineGraph(machine));
  return { layout, svg: renderDiagram(layout, 'test machine') };
}

function attributeValues(svg: string, name: string): string[] {
  return [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]!.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
}

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function assertSaneLayout(layout: DiagramLayout) {
  const byId = new Map(layout.states.map((s) => [s.vertex.id, s]));
  for (const state of layout.states) {
    const parent = state.vertex.parentId === null ? null : byId.get(state.vertex.parentId);
    if (parent) assert.ok(inside(state, parent), `${state.vertex.id} lies inside ${parent.vertex.id}`);
    for (const sibling of layout.states) {
      if (sibling !== state && sibling.vertex.parentId === state.vertex.parentId) {
        assert.not.ok(overlap(state, sibling), `${state.vertex.id} and ${sibling.vertex.id} overlap`);
      }
    }
  }
  for (const { edge, points } of layout.edges) {
    assert.ok(points.length >= 2, `${edge.id} is drawn`);
    for (const p of points) assert.ok(p.x >= 0 && p.y >= 0 && p.x <= layout.width && p.y <= layout.height, `${edge.id} stays in the picture`);
  }
}

test('every state and every transition of the avatar machine is in the diagram', async () => {
  const { layout, svg } = await drawn(avatarMachine);
  const root = JSON.parse(JSON.stringify(avatarMachine.root.definition)) as StateDefinition;
  const states = attributeValues(svg, 'data-state');
  const transitions = new Set([...attributeValues(svg, 'data-transition'), ...attributeValues(svg, 'data-transitions').flatMap((v) => v.split(' '))]);
  const all = definitions(root);
  assert.is(all.length, 11);
  assert.equal([...states].sort(), all.map((s) => s.id).sort());

  let counted = 0;
  for (const state of all) {
    for (const [eventType, list] of Object.entries(state.on)) {
      for (const transition of list) {
        const targets = transition.target ?? [];
        counted += 1;
        if (targets.length > 0) {
          for (const target of targets) assert.ok(transitions.has(`${state.id}|${eventType}|${plainId(target)}`), `${state.id} ${eventType} → ${target}`);
        } else if (transition.actions.length > 0) {
          assert.ok(transitions.has(`${state.id}|${eventType}`), `${state.id} ${eventType} (internal)`);
        } else {
          const group = svg.slice(svg.indexOf(`data-state="${state.id}"`));
          assert.match(group.slice(0, group.indexOf('</g>')), new RegExp(`⊘ ${eventType}`), `${state.id} refuses ${eventType}`);
        }
      }
    }
  }
  assert.ok(counted > 30, `${counted} transitions checked`);
  assert.ok(transitions.has('avatar|(initial)|avatar.draft'));
  assert.ok(transitions.has('avatar.training|(initial)|avatar.training.requested'));
  // Every edge that changes state has a line, and every event name is written on the picture.
  for (const { edge } of layout.edges) assert.ok(svg.includes(`<g class="edge ${edge.kind}" data-transition="${escapeMarkup(edge.id)}">`), edge.id);
  for (const eventType of new Set(layout.edges.flatMap((e) => (e.edge.eventType ? [e.edge.eventType] : [])))) {
    assert.ok(svg.includes(`>${eventType}</text>`), `label ${eventType}`);
  }
  assertSaneLayout(layout);
});

test('edges that share an event and a target from many states share one label', async () => {
  const { layout } = await drawn(avatarMachine);
  const deletions = layout.edges.filter((e) => e.edge.eventType === 'AvatarDeleted');
  assert.is(deletions.length, 7);
  const labelled = deletions.filter((e) => e.label !== null);
  assert.is(labelled.length, 1);
  assert.equal([...(labelled[0]?.label?.transitionIds ?? [])].sort(), deletions.map((e) => e.edge.id).sort());
});

test('the picture follows the machine: another machine draws its own states, guards and nesting', async () => {
  const machine = setup({
    types: { events: {} as { type: 'GO' } | { type: 'BACK' } | { type: 'DEEP' } | { type: 'STAY' } },
    guards: { isAllowed: () => true, isLate: () => false },
  }).createMachine({
    id: 'toy',
    initial: 'idle',
    states: {
      idle: { on: { GO: { guard: and(['isAllowed', not('isLate')]), target: 'busy' }, DEEP: 'busy.two' } },
      busy: {
        initial: 'one',
        on: { BACK: { guard: or(['isLate', 'isAllowed']), target: 'idle' } },
        states: { one: { on: { GO: 'two', STAY: { actions: () => {} } } }, two: { on: { BACK: undefined } } },
      },
    },
  });
  const graph = machineGraph(machine);
  assert.equal(graph.states.map((s) => s.id), ['toy.idle', 'toy.busy', 'toy.busy.one', 'toy.busy.two']);
  const guards = Object.fromEntries(graph.edges.map((e) => [e.id, e.guards]));
  assert.equal(guards['toy.idle|GO|toy.busy'], ['isAllowed ∧ ¬isLate']);
  assert.equal(guards['toy.busy|BACK|toy.idle'], ['isLate ∨ isAllowed']);
  assert.ok('toy.idle|DEEP|toy.busy.two' in guards, 'a transition into a nested state');
  assert.equal(graph.states.find((s) => s.id === 'toy.busy.two')?.forbidden, ['BACK']);
  assert.equal(graph.states.find((s) => s.id === 'toy.busy.one')?.internal.map((t) => t.id), ['toy.busy.one|STAY']);

  const { layout, svg } = await drawn(machine);
  assert.not.match(svg, /avatar/);
  assert.equal(attributeValues(svg, 'data-state').sort(), ['toy.busy', 'toy.busy.one', 'toy.busy.two', 'toy.idle']);
  assertSaneLayout(layout);
});

test('names from a machine are escaped in the SVG', async () => {
  const machine = setup({ types: { events: {} as { type: '<script>alert("x")</script>' } } }).createMachine({
    id: 'odd',
    initial: 'a&b',
    states: { 'a&b': { on: { '<script>alert("x")</script>': 'c' } }, c: {} },
  });
  const { svg } = await drawn(machine);
  assert.not.ok(svg.includes('<script>'));
  assert.ok(svg.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(svg.includes('>a&amp;b</text>'));
});

test('guards are described by name, higher-order guards by their operands', () => {
  assert.is(describeGuard(undefined), null);
  assert.is(describeGuard('photoAcceptable'), 'photoAcceptable');
  assert.is(describeGuard({ type: 'withParams' }), 'withParams');
  assert.is(describeGuard(and(['a', or(['b', 'c'])]) as never), 'a ∧ (b ∨ c)');
  assert.is(describeGuard(not(and(['a', 'b'])) as never), '¬(a ∧ b)');
  assert.is(describeGuard(function inlineCheck() {
    return true;
  }), 'inlineCheck');
});

test.run();
