import type { RetainerGraph, RetainerNodeKind } from './retainer-graph.ts';
import { NODE_STYLES } from './retainer-graph-svg.ts';

/** What DOT adds to the SVG's colours: a double border for the pile of leaked objects, a dashed elision. */
const DOT_EXTRAS: Partial<Record<RetainerNodeKind, string>> = {
  leaked: ', peripheries=2',
  elided: ', style="rounded,filled,dashed"',
};

function dotStyle(kind: RetainerNodeKind): string {
  const style = NODE_STYLES[kind];
  const pen = style.strokeWidth === 1 ? '' : `, penwidth=${style.strokeWidth}`;
  return `fillcolor="${style.fill}", color="${style.stroke}"${pen}${DOT_EXTRAS[kind] ?? ''}`;
}

/**
 * The retainer graph in Graphviz DOT, for `dot -Tsvg` or any tool that reads DOT. Same nodes, edges
 * and colours as the SVG; Graphviz does its own layout.
 *
 * @example
 * writeFileSync('retainers.dot', retainerGraphDot(retainerGraph(suspects)));
 * // then: dot -Tpng retainers.dot -o retainers.png
 */
export function retainerGraphDot(graph: RetainerGraph, name = 'retainers'): string {
  const lines = [
    `digraph ${dotString(name)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10, color="#8a93a3", fontcolor="#3d6fa8"];',
  ];
  for (const node of graph.nodes) {
    const label = node.detail === '' ? node.label : `${node.label}\n${node.detail}`;
    lines.push(`  ${dotString(node.id)} [label=${dotString(label)}, ${dotStyle(node.kind)}];`);
  }
  for (const edge of graph.edges) {
    const attributes = [
      ...(edge.label === '' ? [] : [`label=${dotString(edge.label)}`]),
      ...(edge.edgeType === 'elided' ? ['style=dashed'] : []),
    ];
    lines.push(
      `  ${dotString(edge.from)} -> ${dotString(edge.to)}${attributes.length === 0 ? '' : ` [${attributes.join(', ')}]`};`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A DOT double-quoted string: quotes and backslashes escaped, newlines as DOT's `\n` (centred line break). */
function dotString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\r', '').replaceAll('\n', '\\n')}"`;
}
