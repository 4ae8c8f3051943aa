import { escapeXml } from './escape.ts';
import {
  GRAPH_TEXT,
  type PositionedEdge,
  type PositionedNode,
  type RetainerGraphLayout,
  type RetainerNodeKind,
} from './retainer-graph.ts';
import { MONO_FONT } from './vega-render.ts';

interface NodeStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly strokeWidth: number;
  readonly label: string;
  readonly detail: string;
}

/** Red is the leak, amber where it accumulates; the path leading there stays grey. */
export const NODE_STYLES: Record<RetainerNodeKind, NodeStyle> = {
  root: { fill: '#eef0f4', stroke: '#8a93a3', strokeWidth: 1, label: '#20242c', detail: '#5d6675' },
  holder: { fill: '#ffffff', stroke: '#a9b0bd', strokeWidth: 1, label: '#20242c', detail: '#6b7482' },
  accumulation: { fill: '#fff5e0', stroke: '#e0a100', strokeWidth: 2, label: '#5a3d00', detail: '#8a6100' },
  leaked: { fill: '#fdecea', stroke: '#d6453d', strokeWidth: 2, label: '#8c1d18', detail: '#a3342d' },
  elided: { fill: '#f7f8fa', stroke: '#c3c8d1', strokeWidth: 1, label: '#6b7482', detail: '#6b7482' },
};

/**
 * The laid-out retainer graph as a standalone SVG document. Dagre places nodes and routes edges;
 * this only draws boxes, text and the routed edges.
 *
 * @example
 * writeFileSync('retainers.svg', retainerGraphSvg(layoutRetainerGraph(retainerGraph(suspects))));
 */
export function retainerGraphSvg(
  layout: RetainerGraphLayout,
  options: {
    title?: string;
    /** Unique per page when several graphs share one HTML document. */
    idPrefix?: string;
  } = {},
): string {
  const arrow = `${options.idPrefix ?? 'mw'}-arrow`;
  const width = Math.max(layout.width, 120);
  const height = Math.max(layout.height, 40);
  const title = options.title === undefined ? '' : `<title>${escapeXml(options.title)}</title>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="retainer-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="${escapeXml(MONO_FONT)}">`,
    title,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,1 L9,5 L0,9 z" fill="#8a93a3"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...layout.edges.map((edge) => drawEdge(edge, arrow)),
    ...layout.nodes.map(drawNode),
    '</svg>',
  ].join('\n');
}

function drawEdge(edge: PositionedEdge, arrow: string): string {
  const dash = edge.edgeType === 'elided' ? ' stroke-dasharray="3 3"' : '';
  const path = `<path class="edge" d="${smoothPath(edge.points)}" fill="none" stroke="#8a93a3" stroke-width="1.25"${dash} marker-end="url(#${arrow})"/>`;
  if (edge.label === '') return path;
  const x = round(edge.labelX - edge.labelWidth / 2 + 4);
  return `${path}\n<text class="edge-label" x="${x}" y="${round(edge.labelY + 4)}" font-size="${GRAPH_TEXT.edgeSize}" fill="#3d6fa8">${escapeXml(edge.label)}</text>`;
}

function drawNode(node: PositionedNode): string {
  const style = NODE_STYLES[node.kind];
  const left = round(node.x - node.width / 2);
  const top = round(node.y - node.height / 2);
  const box = (dx: number, dy: number, fill: string) =>
    `<rect x="${left + dx}" y="${top + dy}" width="${round(node.width)}" height="${round(node.height)}" rx="6" fill="${fill}" stroke="${style.stroke}" stroke-width="${style.strokeWidth}"/>`;
  // Many objects, one node: two offset cards behind the node say "a pile of these".
  const pile = node.kind === 'leaked' ? [box(6, 6, '#f7d4d0'), box(3, 3, '#fae1de')] : [];
  const weight = node.kind === 'leaked' || node.kind === 'accumulation' ? ' font-weight="700"' : '';
  if (node.kind === 'elided') {
    return [
      `<g class="node node-${node.kind}">`,
      box(0, 0, style.fill),
      `<text x="${round(node.x)}" y="${round(node.y + 4)}" text-anchor="middle" font-size="${GRAPH_TEXT.detailSize}" fill="${style.label}">${escapeXml(node.label)}</text>`,
      '</g>',
    ].join('');
  }
  return [
    `<g class="node node-${node.kind}">`,
    ...pile,
    box(0, 0, style.fill),
    `<text x="${round(node.x)}" y="${round(node.y - 2)}" text-anchor="middle" font-size="${GRAPH_TEXT.labelSize}"${weight} fill="${style.label}">${escapeXml(node.label)}</text>`,
    `<text x="${round(node.x)}" y="${round(node.y + 12)}" text-anchor="middle" font-size="${GRAPH_TEXT.detailSize}" fill="${style.detail}">${escapeXml(node.detail)}</text>`,
    '</g>',
  ].join('');
}

/**
 * A curve through dagre's route: straight to the first midpoint, then quadratic segments with the
 * route's bends as control points (the curve stays inside the route's corners, so it avoids the
 * nodes dagre routed around), ending exactly at the last point, where the arrow goes.
 */
function smoothPath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const first = points[0]!;
  if (points.length < 3)
    return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
  let d = `M${round(first.x)},${round(first.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const bend = points[i]!;
    const next = points[i + 1]!;
    const end = i === points.length - 2 ? next : { x: (bend.x + next.x) / 2, y: (bend.y + next.y) / 2 };
    d += ` Q${round(bend.x)},${round(bend.y)} ${round(end.x)},${round(end.y)}`;
  }
  return d;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
