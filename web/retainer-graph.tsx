import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DashboardPathStep, DashboardSuspect } from '../src/server/api-types.ts';
import { formatBytes, formatCount } from './format.ts';

cytoscape.use(dagre);

type NodeKind = 'root' | 'holder' | 'accumulation' | 'leaked' | 'elided';

interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly detail: string;
  readonly step: DashboardPathStep | null;
}

/** Paths longer than this show their first and last steps; the middle opens with a click. */
const FOLDED_STEPS = 12;
const HEAD_STEPS = 3;

const identifier = /^[A-Za-z_$][\w$]*$/;

function edgeLabel(step: DashboardPathStep): string {
  const name = step.edge;
  if (name === '') return '';
  if (step.edgeType === 'element' || step.edgeType === 'hidden' || /^\d+$/.test(name)) return `[${name}]`;
  if (identifier.test(name)) return `.${name}`;
  const symbol = /^<symbol (.*)>$/.exec(name);
  if (symbol !== null) return `[Symbol(${symbol[1]})]`;
  return name.startsWith('‹') ? `[${name}]` : `[${JSON.stringify(name)}]`;
}

function nodeLabel(step: DashboardPathStep): string {
  if (step.node === '') return `(${step.nodeType})`;
  return step.nodeType === 'closure' ? `${step.node}()` : step.node;
}

/** One suspect's retainer path as a chain: GC root → holders → the accumulation point → the leaked objects. */
function suspectGraph(suspect: DashboardSuspect, unfolded: boolean) {
  const holders = suspect.retainerPath.slice(0, -1);
  const last = suspect.retainerPath.at(-1);
  const nodes: GraphNode[] = [];
  const edges: { id: string; source: string; target: string; label: string; type: string }[] = [];
  const fold = !unfolded && holders.length > FOLDED_STEPS;
  const tail = FOLDED_STEPS - HEAD_STEPS - 1;
  let previous: string | undefined;
  holders.forEach((step, position) => {
    if (fold && position >= HEAD_STEPS && position < holders.length - tail) {
      if (position === HEAD_STEPS) {
        const hidden = holders.length - HEAD_STEPS - tail;
        nodes.push({
          id: 'elided',
          kind: 'elided',
          label: `… ${hidden} more steps`,
          detail: 'click to show',
          step: null,
        });
        if (previous !== undefined)
          edges.push({
            id: `e-${previous}-elided`,
            source: previous,
            target: 'elided',
            label: '',
            type: 'elided',
          });
        previous = 'elided';
      }
      return;
    }
    const id = `n${step.nodeId}-${position}`;
    const kind: NodeKind =
      suspect.accumulatesIn !== null && step.nodeId === suspect.accumulatesIn.nodeId
        ? 'accumulation'
        : position === 0
          ? 'root'
          : 'holder';
    nodes.push({
      id,
      kind,
      label: nodeLabel(step),
      detail:
        kind === 'accumulation'
          ? `holds ${suspect.growth.map(formatCount).join(' → ')}`
          : `${step.nodeType} @${step.nodeId}`,
      step,
    });
    if (previous !== undefined)
      edges.push({
        id: `e-${previous}-${id}`,
        source: previous,
        target: id,
        label: edgeLabel(step),
        type: step.edgeType,
      });
    previous = id;
  });
  const retained =
    suspect.retainedGrowth !== null && suspect.retainedGrowth.length > 1
      ? suspect.retainedGrowth.map((bytes) => formatBytes(bytes)).join(' → ')
      : formatBytes(suspect.retainedSize);
  nodes.push({
    id: 'leaked',
    kind: 'leaked',
    label: `${formatCount(suspect.count)} × ${suspect.type === 'closure' ? `${suspect.name}()` : suspect.name}`,
    detail: `retaining ${retained}`,
    step: last ?? null,
  });
  if (previous !== undefined && last !== undefined)
    edges.push({
      id: `e-${previous}-leaked`,
      source: previous,
      target: 'leaked',
      label: edgeLabel(last),
      type: last.edgeType,
    });
  return { nodes, edges };
}

const CHAR_WIDTH = 7.3;
const RANK_HEIGHT = 78;
const MIN_HEIGHT = 280;
const MAX_HEIGHT = 820;
const MIN_ZOOM = 0.8;

/**
 * A leak suspect's retainer path, laid out in layers by dagre (GC root at the top) and drawn by
 * Cytoscape: zoom with the wheel, pan by dragging the background, click a node for its details.
 */
export function RetainerGraph(props: { suspect: DashboardSuspect }) {
  const target = useRef<HTMLDivElement>(null);
  const graph = useRef<cytoscape.Core | null>(null);
  const [unfolded, setUnfolded] = useState(false);
  const [picked, setPicked] = useState<GraphNode | null>(null);
  const [height, setHeight] = useState(MIN_HEIGHT);

  useEffect(() => setUnfolded(false), [props.suspect]);

  useEffect(() => {
    const { nodes, edges } = suspectGraph(props.suspect, unfolded);
    // A chain is drawn top to bottom: room for every rank, so labels stay legible without zooming.
    const wanted = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, nodes.length * RANK_HEIGHT + 40));
    target.current!.style.height = `${wanted}px`;
    setHeight(wanted);
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const cy = cytoscape({
      container: target.current!,
      elements: [
        ...nodes.map((node) => ({
          data: {
            id: node.id,
            kind: node.kind,
            text: node.detail === '' ? node.label : `${node.label}\n${node.detail}`,
            width: Math.ceil(
              Math.max(node.label.length, node.detail.length) *
                CHAR_WIDTH *
                (node.kind === 'leaked' ? 1.1 : 1) +
                30,
            ),
          },
          classes: node.kind,
        })),
        ...edges.map((edge) => ({ data: { ...edge }, classes: edge.type })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            shape: 'round-rectangle',
            width: 'data(width)',
            height: 44,
            label: 'data(text)',
            'text-wrap': 'wrap',
            'text-valign': 'center',
            'text-halign': 'center',
            'font-family': 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace',
            'font-size': 12,
            color: '#20242c',
            'background-color': '#ffffff',
            'border-width': 1.5,
            'border-color': '#9aa3b2',
          },
        },
        { selector: 'node.root', style: { 'background-color': '#eef0f4', 'border-color': '#5d6675' } },
        {
          selector: 'node.accumulation',
          style: { 'background-color': '#fff5e0', 'border-color': '#e08a00', 'border-width': 2.5 },
        },
        {
          selector: 'node.leaked',
          style: {
            'background-color': '#fdecea',
            'border-color': '#c0262d',
            'border-width': 2.5,
            color: '#8c1c21',
            'font-weight': 'bold',
          },
        },
        {
          selector: 'node.elided',
          style: { 'background-color': '#f5f6f8', 'border-style': 'dashed', color: '#5d6675', height: 36 },
        },
        { selector: 'node:selected', style: { 'border-color': '#3d6fa8', 'border-width': 3 } },
        {
          selector: 'edge',
          style: {
            width: 1.5,
            'line-color': '#8a93a3',
            'target-arrow-color': '#8a93a3',
            'target-arrow-shape': 'triangle',
            'curve-style': 'bezier',
            label: 'data(label)',
            'font-family': 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace',
            'font-size': 11,
            color: '#3d6fa8',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.9,
            // Room below the baseline: underscores in edge names were cut off at 2px.
            'text-background-padding': '4px',
            'text-margin-x': 8,
            'text-halign': 'right',
          },
        },
        { selector: 'edge.elided', style: { 'line-style': 'dashed' } },
      ],
      // Laid out below, once the listeners are in place (a layout can finish at once).
      layout: { name: 'preset' },
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
    const layout = cy.layout({
      name: 'dagre',
      rankDir: 'TB',
      nodeSep: 30,
      rankSep: 34,
      padding: 16,
    } as cytoscape.LayoutOptions);
    layout.one('layoutstop', () => {
      // For people's tools and the browser test: what is drawn.
      target.current?.setAttribute('data-nodes', String(cy.nodes().length));
      target.current?.setAttribute('data-edges', String(cy.edges().length));
      // Fitting a long path into the box would shrink its text below reading size: keep it readable
      // and show the top (the GC root) first; the rest is a scroll or a drag away.
      if (cy.zoom() < MIN_ZOOM) {
        cy.zoom(MIN_ZOOM);
        const box = cy.elements().boundingBox();
        cy.pan({ x: cy.width() / 2 - ((box.x1 + box.x2) / 2) * MIN_ZOOM, y: 16 - box.y1 * MIN_ZOOM });
      }
    });
    cy.on('tap', 'node', (event) => {
      const node = byId.get(event.target.id());
      if (node === undefined) return;
      if (node.kind === 'elided') {
        setUnfolded(true);
        return;
      }
      setPicked(node);
    });
    layout.run();
    graph.current = cy;
    return () => {
      cy.destroy();
      graph.current = null;
    };
  }, [props.suspect, unfolded]);

  return (
    <div class="graph-view">
      <div class="graph-toolbar">
        <button type="button" onClick={() => graph.current?.fit(undefined, 16)}>
          Fit
        </button>
        <button
          type="button"
          onClick={() =>
            graph.current?.zoom({
              level: graph.current.zoom() * 1.25,
              renderedPosition: center(graph.current),
            })
          }
        >
          +
        </button>
        <button
          type="button"
          onClick={() =>
            graph.current?.zoom({
              level: graph.current.zoom() / 1.25,
              renderedPosition: center(graph.current),
            })
          }
        >
          −
        </button>
        <span class="muted small">Scroll to zoom, drag to pan, click a node for details.</span>
      </div>
      <div ref={target} class="graph-canvas" style={{ height: `${height}px` }} data-testid="retainer-graph" />
      <div class="graph-details" data-testid="graph-details">
        {picked === null ? (
          <span class="muted">
            From a GC root (top) to the leaked objects (bottom, red); the orange box is where they accumulate.
          </span>
        ) : (
          <dl class="inline">
            <dt>node</dt>
            <dd class="mono">{picked.label}</dd>
            {picked.step !== null && (
              <>
                <dt>type</dt>
                <dd>{picked.step.nodeType}</dd>
                <dt>id</dt>
                <dd class="mono">@{picked.step.nodeId}</dd>
                {picked.step.edge !== '' && (
                  <>
                    <dt>held by</dt>
                    <dd class="mono">
                      {edgeLabel(picked.step)} ({picked.step.edgeType})
                    </dd>
                  </>
                )}
              </>
            )}
            <dt>note</dt>
            <dd>{picked.detail}</dd>
          </dl>
        )}
      </div>
    </div>
  );
}

function center(cy: cytoscape.Core): { x: number; y: number } {
  return { x: cy.width() / 2, y: cy.height() / 2 };
}
