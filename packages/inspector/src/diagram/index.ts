import { avatarMachine } from '@avatar/machine';
import { layoutDiagram } from './layout.js';
import { machineGraph, type MachineGraph } from './machine-graph.js';
import { renderDiagram } from './svg.js';

export interface MachineDiagram {
  graph: MachineGraph;
  svg: string;
}

let avatarDiagram: Promise<MachineDiagram> | undefined;

/** The avatar machine's diagram, laid out once per process (the machine does not change at run time). */
export function avatarMachineDiagram(): Promise<MachineDiagram> {
  avatarDiagram ??= (async () => {
    const graph = machineGraph(avatarMachine);
    const svg = renderDiagram(await layoutDiagram(graph), 'The avatar state machine');
    return { graph, svg };
  })().catch((error: unknown) => {
    avatarDiagram = undefined;
    throw error;
  });
  return avatarDiagram;
}

export { transitionId, type MachineGraph } from './machine-graph.js';
