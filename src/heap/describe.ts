import { edgeSource, retainerEdges } from './distances.ts';
import type { HeapGraph } from './graph.ts';
import { edgeHasStringName, edgeLabel, locationIndexOf } from './snapshot.ts';
import type { RetainerPathStep, SourceLocation } from './types.ts';

/**
 * Names for nodes and paths as a user reads them. String *values* are never used as names: a heap
 * holds secrets (tokens, passwords, personal data) and our output ends up in logs, reports and
 * dashboards; strings are described by type and length only.
 */

export function nodeLabel(graph: HeapGraph, node: number): string {
  const { snapshot, types, classIndex } = graph;
  const type = snapshot.nodeType[node];
  if (type === types.node.closure) {
    // The function's own name; readers mark it as a function (DevTools shows `name()`).
    const name = snapshot.strings.get(snapshot.nodeName[node]!);
    return name === '' ? '(anonymous function)' : name;
  }
  if (type === types.node.hidden || type === types.node.synthetic || type === types.node.code) {
    return snapshot.strings.get(snapshot.nodeName[node]!);
  }
  if (type === types.node.string || type === types.node.consString || type === types.node.slicedString) {
    // The length only: the value itself may be a secret.
    return `(string, ${snapshot.strings.get(snapshot.nodeName[node]!).length} chars)`;
  }
  return snapshot.strings.get(classIndex[node]!);
}

export function nodeTypeName(graph: HeapGraph, node: number): string {
  return graph.snapshot.nodeTypeNames[graph.snapshot.nodeType[node]!] ?? 'unknown';
}

/** Shortest retainer path from a GC root to `node` (user roots first), or [] when unreachable. */
export function retainerPath(graph: HeapGraph, node: number): RetainerPathStep[] {
  const { snapshot, types } = graph;
  const edges = retainerEdges(snapshot, graph.distances, node);
  if (edges === undefined) return [];
  return edges.map((edge, index) => {
    const target = snapshot.edgeTo[edge]!;
    return {
      // The root's own edges carry bookkeeping names ("1", "2"): meaningless to a reader. Element and
      // hidden edges give their index as is; the reader formats it (`[4]`).
      edge:
        index === 0
          ? ''
          : edgeHasStringName(snapshot, types, edge)
            ? edgeLabel(snapshot, types, edge)
            : String(snapshot.edgeNameOrIndex[edge]),
      edgeType: snapshot.edgeTypeNames[snapshot.edgeType[edge]!] ?? 'unknown',
      node: nodeLabel(graph, target),
      nodeType: nodeTypeName(graph, target),
      nodeId: snapshot.nodeId[target]!,
    };
  });
}

/** Where the node's class or function was defined, with the script's URL when the snapshot names it. */
export function sourceLocation(
  graph: HeapGraph,
  node: number,
  scripts: ScriptUrls,
): SourceLocation | undefined {
  const snapshot = graph.snapshot;
  const index = locationIndexOf(snapshot, node);
  if (index < 0) return undefined;
  const scriptId = snapshot.locationScript[index]!;
  const location: SourceLocation = {
    scriptId,
    line: snapshot.locationLine[index]!,
    column: snapshot.locationColumn[index]!,
  };
  const url = scripts.urlOf(scriptId);
  if (url !== undefined) location.url = url;
  return location;
}

/**
 * Script id → URL. Snapshots record locations by script id only; the URL is the name of the Script
 * object, reached from any function of that script through `shared` → `script`. Built on first use.
 */
export class ScriptUrls {
  private readonly graph: HeapGraph;
  private urls: Map<number, string> | undefined;

  constructor(graph: HeapGraph) {
    this.graph = graph;
  }

  urlOf(scriptId: number): string | undefined {
    this.urls ??= this.collect();
    return this.urls.get(scriptId);
  }

  private collect(): Map<number, string> {
    const { snapshot, types } = this.graph;
    const urls = new Map<number, string>();
    const closure = types.node.closure;
    const sharedName = snapshot.strings.indexOf('shared');
    const scriptName = snapshot.strings.indexOf('script');
    if (sharedName < 0 || scriptName < 0) return urls;
    const { locationNode, locationScript, nodeType } = snapshot;
    for (let i = 0; i < locationNode.length; i++) {
      const scriptId = locationScript[i]!;
      const node = locationNode[i]!;
      if (urls.has(scriptId) || nodeType[node] !== closure) continue;
      const shared = this.follow(node, sharedName);
      const script = shared === undefined ? undefined : this.follow(shared, scriptName);
      if (script === undefined) continue;
      const url = snapshot.strings.get(snapshot.nodeName[script]!);
      if (url !== '') urls.set(scriptId, url);
    }
    return urls;
  }

  private follow(node: number, name: number): number | undefined {
    const { snapshot, types } = this.graph;
    for (let e = snapshot.firstEdge[node]!, end = snapshot.firstEdge[node + 1]!; e < end; e++) {
      if (snapshot.edgeType[e] === types.edge.internal && snapshot.edgeNameOrIndex[e] === name) {
        return snapshot.edgeTo[e]!;
      }
    }
    return undefined;
  }
}

export { edgeSource };
