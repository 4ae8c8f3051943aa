import type { RetainerGraph, RetainerNodeKind } from './retainer-graph.ts';

const DOT_STYLES: Record<RetainerNodeKind, string> = {
  root: 'fillcolor="#eef0f4", color="#8a93a3"',
  holder: 'fillcolor="#ffffff", color="#a9b0bd"',
  accumulation: 'fillcolor="#fff5e0", color="#e0a100", penwidth=2',
  leaked: 'fillcolor="#fdecea", color="#d6453d", penwidth=2, peripheries=2',
  elided: 'fillcolor="#f7f8fa", color="#c3c8d1", style="rounded,filled,dashed"',
};

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
    lines.push(`  ${dotString(node.id)} [label=${dotString(label)}, ${DOT_STYLES[node.kind]}];`);
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
