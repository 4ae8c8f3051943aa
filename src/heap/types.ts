/**
 * The engine's result shapes. `AnalysisResult` is the `memwatcher analyze --json` contract in
 * ARCHITECTURE.md: extend it, never break it.
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

export interface SourceLocation {
  scriptId: number;
  /** 0-based, as V8 records it. */
  line: number;
  /** 0-based, as V8 records it. */
  column: number;
  /** The script's URL or path when the snapshot names it (found through the Script object). */
  url?: string;
}

export interface SnapshotInfo {
  file: string;
  nodeCount: number;
  edgeCount: number;
  /** Sum of all nodes' self sizes, in bytes. */
  totalSize: number;
}

export interface ClassSummaryEntry {
  /** Class name as DevTools shows it: constructor name, `{a, b}` for plain objects, `(string)`… */
  name: string;
  /** V8 node type of the class's objects. */
  type: string;
  count: number;
  selfSize: number;
  /** Retained size of the class: objects not dominated by another object of the same class, summed. */
  retainedSize: number;
  /** Where the constructor was defined, when the snapshot records it. */
  location?: SourceLocation;
}

export interface LargestObject {
  id: number;
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  retainerPath: RetainerPathStep[];
  location?: SourceLocation;
}

export interface ClassDiffEntry {
  name: string;
  type: string;
  addedCount: number;
  removedCount: number;
  addedSize: number;
  removedSize: number;
  countDelta: number;
  sizeDelta: number;
}

export interface LeakSuspect {
  name: string;
  type: string;
  /** How many of these objects are alive in the last snapshot where they accumulate. */
  count: number;
  /** Bytes the accumulated objects retain in the last snapshot (external backing stores included). */
  retainedSize: number;
  /** Count per snapshot, in the order the snapshots were given. */
  growth: number[];
  /** From a GC root to a representative leaked object. */
  retainerPath: RetainerPathStep[];
  /** Where the accumulated objects' class or closure was defined. */
  location?: SourceLocation;
  /** The object whose contents keep growing (the accumulation point): class and id. */
  accumulatesIn?: { name: string; type: string; nodeId: number; edge: string };
  /** Retained size of the suspect (all its classes) in each snapshot. */
  retainedGrowth?: number[];
  /** When several classes accumulate in the same place (a Map's keys and values): each one. */
  classes?: { name: string; type: string; count: number; retainedSize: number; growth: number[] }[];
  /** When the same leak happens in several places with the same retainer-path shape: how many. */
  owners?: number;
}

export interface AnalysisResult {
  snapshots: SnapshotInfo[];
  summary: ClassSummaryEntry[];
  largest: LargestObject[];
  /** Present with two or more snapshots: first vs last, per class. */
  diff?: ClassDiffEntry[];
  /** Present with two or more snapshots. Empty when nothing accumulates. */
  suspects: LeakSuspect[];
}

export type AnalysisPhase =
  | 'parse'
  | 'index'
  | 'dominators'
  | 'retained sizes'
  | 'distances'
  | 'summary'
  | 'diff'
  | 'suspects';

export interface AnalysisProgress {
  /** Which snapshot (0-based) is being worked on. */
  snapshot: number;
  phase: AnalysisPhase;
  /** Work done and total in the phase's own unit (bytes for parse, nodes otherwise). */
  done: number;
  total: number;
}

export interface AnalyzeOptions {
  /** How many classes / largest objects / suspects to report. Default 20. */
  top?: number;
  /** Called often during long phases; cheap to ignore. */
  onProgress?: (progress: AnalysisProgress) => void;
  signal?: AbortSignal;
  /**
   * Use a second thread for big snapshots (default true); `'always'` uses it whatever the size
   * (tests use it to run the two-thread path on small inputs).
   */
  parallel?: boolean | 'always';
}
