import dagre from '@dagrejs/dagre';
import { redactSuspect } from './redact.ts';
import type { LeakSuspect, RetainerPathStep } from './report-model.ts';
import { formatBytes, formatCount } from './report-wording.ts';

/**
 * - `root`: where the path starts (a GC root or the global object);
 * - `holder`: an object on the way;
 * - `accumulation`: the object whose contents keep growing (a Map, an array, a listener list);
 * - `leaked`: the accumulated objects themselves, drawn as one node with their count;
 * - `elided`: steps left out of a very long path.
 */
export type RetainerNodeKind = 'root' | 'holder' | 'accumulation' | 'leaked' | 'elided';

export interface RetainerGraphNode {
  readonly id: string;
  readonly kind: RetainerNodeKind;
  /** First line: the class (`Map`, `handler()`), or `4,500 × Session` for the leaked objects. */
  readonly label: string;
  /** Second line: node type and id, or what the leaked objects retain and how they grew. */
  readonly detail: string;
  /** Which suspects (0-based, in the order given) pass through this node. */
  readonly suspects: readonly number[];
}

export interface RetainerGraphEdge {
  readonly from: string;
  readonly to: string;
  /** `.sessions`, `[42]`, `table`: how `from` holds `to`. */
  readonly label: string;
  readonly edgeType: string;
}

export interface RetainerGraph {
  readonly nodes: readonly RetainerGraphNode[];
  readonly edges: readonly RetainerGraphEdge[];
}

export interface PositionedNode extends RetainerGraphNode {
  /** Centre, in px. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PositionedEdge extends RetainerGraphEdge {
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Centre of the edge's label. */
  readonly labelX: number;
  readonly labelY: number;
  readonly labelWidth: number;
}

export interface RetainerGraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PositionedNode[];
  readonly edges: readonly PositionedEdge[];
}

/** Paths longer than this keep their first and last steps and say how many were left out. */
const MAX_STEPS = 14;
const HEAD_STEPS = 4;

/**
 * The retainer paths of leak suspects as one graph: steps of different paths that are the same heap
 * object (same id) are one node, so shared holders show where leaks meet. Each suspect ends in one
 * node for all its accumulated objects. Names are redacted as in every report form.
 *
 * @example
 * const graph = retainerGraph(analysis.suspects);
 * writeFileSync('retainers.dot', retainerGraphDot(graph));
 */
export function retainerGraph(unsafeSuspects: readonly LeakSuspect[]): RetainerGraph {
  const suspects = unsafeSuspects.map(redactSuspect);
  const nodes = new Map<string, { node: RetainerGraphNode; suspects: Set<number> }>();
  const edges = new Map<string, RetainerGraphEdge>();
  const addNode = (node: Omit<RetainerGraphNode, 'suspects'>, suspect: number) => {
    const existing = nodes.get(node.id);
    if (existing !== undefined) {
      existing.suspects.add(suspect);
      // A node that is one suspect's accumulation point is that, whatever another path says.
      if (node.kind === 'accumulation' && existing.node.kind === 'holder') {
        existing.node = { ...existing.node, kind: 'accumulation', detail: node.detail };
      }
      return;
    }
    nodes.set(node.id, { node: { ...node, suspects: [] }, suspects: new Set([suspect]) });
  };
  const addEdge = (edge: RetainerGraphEdge) => {
    const key = `${edge.from}\u0000${edge.to}\u0000${edge.label}`;
    if (!edges.has(key)) edges.set(key, edge);
  };

  suspects.forEach((suspect, index) => {
    const steps = suspect.retainerPath;
    const leakedId = `leaked-${index}`;
    const accumulationId = suspect.accumulatesIn?.nodeId;
    // The last step is one representative of the leaked objects: it becomes the leaked node.
    const holders = steps.slice(0, -1);
    const last = steps.at(-1);
    let previous: string | undefined;
    const visible = elide(holders);
    for (const entry of visible) {
      if (entry === 'elided') {
        const id = `elided-${index}`;
        const hidden = holders.length - (visible.length - 1);
        addNode({ id, kind: 'elided', label: `… ${hidden} more steps`, detail: '' }, index);
        if (previous !== undefined) addEdge({ from: previous, to: id, label: '', edgeType: 'elided' });
        previous = id;
        continue;
      }
      const { step, position } = entry;
      const id = `node-${step.nodeId}`;
      const kind: RetainerNodeKind =
        step.nodeId === accumulationId ? 'accumulation' : position === 0 ? 'root' : 'holder';
      addNode(
        {
          id,
          kind,
          label: nodeLabel(step),
          detail:
            kind === 'accumulation'
              ? `holds ${suspect.growth.map(formatCount).join(' → ')}`
              : `${step.nodeType} @${step.nodeId}`,
        },
        index,
      );
      if (previous !== undefined)
        addEdge({ from: previous, to: id, label: edgeLabel(step), edgeType: step.edgeType });
      previous = id;
    }
    const retained =
      suspect.retainedGrowth !== undefined && suspect.retainedGrowth.length > 1
        ? suspect.retainedGrowth.map(formatBytes).join(' → ')
        : formatBytes(suspect.retainedSize);
    addNode(
      {
        id: leakedId,
        kind: 'leaked',
        label: `${formatCount(suspect.count)} × ${suspect.type === 'closure' ? `${suspect.name}()` : suspect.name}`,
        detail: `retaining ${retained}`,
      },
      index,
    );
    if (previous !== undefined && last !== undefined) {
      addEdge({ from: previous, to: leakedId, label: edgeLabel(last), edgeType: last.edgeType });
    }
  });

  return {
    nodes: [...nodes.values()].map(({ node, suspects: through }) => ({
      ...node,
      suspects: [...through].sort((a, b) => a - b),
    })),
    edges: [...edges.values()],
  };
}

type VisibleStep = { step: RetainerPathStep; position: number } | 'elided';

function elide(steps: readonly RetainerPathStep[]): VisibleStep[] {
  const all = steps.map((step, position) => ({ step, position }));
  if (steps.length <= MAX_STEPS) return all;
  const tail = MAX_STEPS - HEAD_STEPS - 1;
  return [...all.slice(0, HEAD_STEPS), 'elided', ...all.slice(steps.length - tail)];
}

/** The graph's text sizes: node labels in a monospace font, so widths are known without measuring. */
export const GRAPH_TEXT = { labelSize: 12, detailSize: 10.5, edgeSize: 11, charWidth: 0.6 } as const;

const NODE_PADDING_X = 14;
const NODE_HEIGHT = 38;
const ELIDED_HEIGHT = 26;

/**
 * Node and edge positions from dagre's layered layout (top to bottom: GC root first).
 *
 * @example
 * const layout = layoutRetainerGraph(retainerGraph(suspects));
 */
export function layoutRetainerGraph(graph: RetainerGraph): RetainerGraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 28, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const text = Math.max(
      node.label.length * GRAPH_TEXT.labelSize * GRAPH_TEXT.charWidth,
      node.detail.length * GRAPH_TEXT.detailSize * GRAPH_TEXT.charWidth,
    );
    g.setNode(node.id, {
      width: Math.ceil(text + 2 * NODE_PADDING_X),
      height: node.kind === 'elided' ? ELIDED_HEIGHT : NODE_HEIGHT,
    });
  }
  graph.edges.forEach((edge, index) => {
    const labelWidth =
      edge.label === '' ? 0 : Math.ceil(edge.label.length * GRAPH_TEXT.edgeSize * GRAPH_TEXT.charWidth + 8);
    g.setEdge(
      edge.from,
      edge.to,
      { width: labelWidth, height: edge.label === '' ? 0 : 16, labelpos: 'r', labeloffset: 8 },
      String(index),
    );
  });
  dagre.layout(g);

  const nodes = graph.nodes.map((node) => {
    const placed = g.node(node.id);
    return { ...node, x: placed.x ?? 0, y: placed.y ?? 0, width: placed.width, height: placed.height };
  });
  const edges = graph.edges.map((edge, index) => {
    const placed = g.edge({ v: edge.from, w: edge.to, name: String(index) });
    const points = (placed.points ?? []).map((point: { x: number; y: number }) => ({
      x: point.x,
      y: point.y,
    }));
    return {
      ...edge,
      points,
      labelX: (placed.x as number | undefined) ?? points[0]?.x ?? 0,
      labelY: (placed.y as number | undefined) ?? points[0]?.y ?? 0,
      labelWidth: (placed.width as number | undefined) ?? 0,
    };
  });
  const size = g.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), nodes, edges };
}

const identifier = /^[A-Za-z_$][\w$]*$/;

function nodeLabel(step: RetainerPathStep): string {
  if (step.node === '') return `(${step.nodeType})`;
  return step.nodeType === 'closure' ? `${step.node}()` : step.node;
}

function edgeLabel(step: RetainerPathStep): string {
  const name = step.edge;
  if (name === '') return '';
  if (step.edgeType === 'element' || step.edgeType === 'hidden' || /^\d+$/.test(name)) return `[${name}]`;
  if (identifier.test(name)) return `.${name}`;
  // V8 names symbol-keyed properties `<symbol description>`; JavaScript writes `[Symbol(description)]`.
  const symbol = /^<symbol (.*)>$/.exec(name);
  if (symbol !== null) return `[Symbol(${symbol[1]})]`;
  return name.startsWith('‹') ? `[${name}]` : `[${JSON.stringify(name)}]`;
}
