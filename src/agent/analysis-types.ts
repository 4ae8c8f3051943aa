/**
 * The few shapes of the heap engine's worker protocol the agent needs. They duplicate
 * `src/heap/types.ts` because the layering lint forbids even `import type` from `src/heap` in the
 * agent; `test/detector/analysis-types.typecheck.ts` makes `tsc` fail when the two drift apart.
 */

/** One step of a retainer path: the edge taken *into* `node`. The first step is a GC root. */
export interface RetainerPathStep {
  /** Property, variable or element name of the edge that leads to this node ('' for the first step). */
  edge: string;
  /** V8 edge type: context, element, property, internal, hidden, shortcut, weak. */
  edgeType: string;
  /** Class or description of the node (e.g. `Map`, `(GC roots)`, `{id, user}`). */
  node: string;
  /** V8 node type: object, closure, array, string, hidden, native, synthetic… */
  nodeType: string;
  /** The node's snapshot object id (stable across snapshots of one process). */
  nodeId: number;
}

export interface ClassSummaryEntry {
  /** Class name as DevTools shows it: constructor name, `{a, b}` for plain objects, `(string)`… */
  name: string;
  /** V8 node type of the class's objects. */
  type: string;
  count: number;
  selfSize: number;
  retainedSize: number;
}

/** The part of the engine's `AnalysisResult` the agent reads (the engine sends more). */
export interface AnalysisResult {
  snapshots: { file: string; nodeCount: number; edgeCount: number; totalSize: number }[];
  summary: ClassSummaryEntry[];
}

export interface AnalysisProgress {
  /** Which snapshot (0-based) is being worked on. */
  snapshot: number;
  /** Engine phase: parse, index, dominators, retained sizes, distances, summary, diff, suspects. */
  phase: string;
  /** Work done and total in the phase's own unit (bytes for parse, nodes otherwise). */
  done: number;
  total: number;
}

export type HeapWorkerRequest =
  | { kind: 'analyze'; files: string[]; top?: number }
  | { kind: 'retainerPath'; file: string; nodeId: number };

/** What each request kind resolves to. */
export interface HeapWorkerResults {
  analyze: AnalysisResult;
  /** `null`: no node with that id in the snapshot, or not reachable from a GC root. */
  retainerPath: RetainerPathStep[] | null;
}

export type HeapWorkerMessage =
  | { type: 'progress'; progress: AnalysisProgress }
  | { type: 'result'; result: unknown }
  | { type: 'error'; code: string; message: string };
