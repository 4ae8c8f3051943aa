/**
 * Chrome DevTools' own view of a snapshot, through its heap worker (heap-snapshot-toolkit): the
 * reference the engine's class summary can be checked against, and the judge of what the leak
 * fixtures really contain.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';

export interface DevToolsClass {
  count: number;
  /** Sum of the objects' self sizes. */
  selfSize: number;
  /** DevTools' retained size of the class (`maxRet`): objects not retained by another of the class. */
  retainedSize: number;
  /** Object ids of the class's objects. */
  ids: number[];
}

export interface DevToolsRetainerStep {
  /** Edge name or index, as DevTools prints it. */
  edge: string;
  edgeType: string;
  /** DevTools' name for the retaining object. */
  retainer: string;
}

export interface DevToolsView {
  /** DevTools' class summary ("Summary" view, no filter) by class name, all source locations summed. */
  classes: Map<string, DevToolsClass>;
  /**
   * The retainer path DevTools' "Retainers" view leads to first: from the object, always to a
   * retainer one step closer to a root, until a root. Listed from the root end.
   */
  retainerPath(id: number): DevToolsRetainerStep[];
}

interface Aggregate {
  name: string;
  count: number;
  self: number;
  maxRet: number;
  idxs: number[];
}

interface DevToolsNode {
  nodeIndex: number;
  id(): number;
  name(): string;
  distance(): number;
  retainers(): { hasNext(): boolean; next(): void; item(): DevToolsRetainerEdge };
}

interface DevToolsRetainerEdge {
  name(): string;
  type(): string;
  node(): DevToolsNode;
}

interface DevToolsSnapshot {
  aggregatesWithFilter(filter: object): Record<string, Aggregate>;
  createNode(nodeIndex: number): DevToolsNode;
}

/**
 * Parses a snapshot with DevTools' heap worker.
 *
 * @example
 * const view = await openWithDevTools('/tmp/3.heapsnapshot');
 * view.classes.get('Session')?.count; // 6000
 */
export async function openWithDevTools(path: string): Promise<DevToolsView> {
  const snapshot = (await parse(createReadStream(path))) as unknown as DevToolsSnapshot;
  const classes = new Map<string, DevToolsClass>();
  const nodeIndexById = new Map<number, number>();
  for (const aggregate of Object.values(snapshot.aggregatesWithFilter({}))) {
    const known = classes.get(aggregate.name) ?? { count: 0, selfSize: 0, retainedSize: 0, ids: [] };
    known.count += aggregate.count;
    known.selfSize += aggregate.self;
    known.retainedSize += aggregate.maxRet;
    for (const nodeIndex of aggregate.idxs) {
      const id = snapshot.createNode(nodeIndex).id();
      known.ids.push(id);
      nodeIndexById.set(id, nodeIndex);
    }
    classes.set(aggregate.name, known);
  }
  return {
    classes,
    retainerPath(id: number): DevToolsRetainerStep[] {
      const nodeIndex = nodeIndexById.get(id);
      if (nodeIndex === undefined) throw new Error(`no object with id ${id} in ${path}`);
      return retainerPath(snapshot.createNode(nodeIndex));
    },
  };
}

function retainerPath(start: DevToolsNode): DevToolsRetainerStep[] {
  const steps: DevToolsRetainerStep[] = [];
  let node = start;
  // DevTools' distances come from a BFS (user roots first), so a retainer at distance - 1 always
  // exists until a root; the step limit only guards against a snapshot that breaks that.
  while (node.distance() > 1 && steps.length < 100_000) {
    let closer: DevToolsRetainerEdge | undefined;
    for (const it = node.retainers(); it.hasNext(); it.next()) {
      const edge = it.item();
      if (edge.type() !== 'weak' && edge.node().distance() === node.distance() - 1) {
        closer = edge;
        break;
      }
    }
    if (closer === undefined) break;
    steps.push({ edge: closer.name(), edgeType: closer.type(), retainer: closer.node().name() });
    node = closer.node();
  }
  return steps.reverse();
}
