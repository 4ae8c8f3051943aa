/**
 * `HeapProfiler.SamplingHeapProfile` as V8 sends it today; @types/node's copy predates node ids and
 * the `samples` list.
 */
export interface SampledProfile {
  readonly head: SampledNode;
  readonly samples?: readonly { readonly size: number; readonly nodeId: number; readonly ordinal: number }[];
}

interface SampledNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  readonly selfSize: number;
  readonly id?: number;
  readonly children: readonly SampledNode[];
}

/**
 * A JavaScript frame of an allocation stack. `line` and `column` (1-based, as in stack traces) are
 * where the FUNCTION starts: V8's sampling heap profiler records functions, not statements.
 */
export interface StackFrame {
  /** `(anonymous)` for an anonymous function; V8's pseudo frames keep their names: `(V8 API)`, `(GC)`… */
  readonly functionName: string;
  /** Script URL or path; empty for V8's pseudo frames. */
  readonly url: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Where live memory was allocated: the innermost JavaScript frame of the allocations, with the bytes
 * still alive that V8's sampling heap profiler attributes to it. `liveBytes` is V8's estimate from
 * samples (one per `samplingInterval` bytes on average), not an exact count.
 */
export interface AllocationSite extends StackFrame {
  readonly liveBytes: number;
  /** Samples behind the estimate: few samples, rough estimate. */
  readonly samples: number;
  /** The heaviest call stack that allocated here, innermost frame first. */
  readonly stack: readonly StackFrame[];
}

interface Visit {
  readonly node: SampledNode;
  readonly parent: number;
}

/**
 * Live bytes by allocation site, largest first, from a sampling heap profile. Profile nodes are call
 * stacks; nodes whose innermost frame is the same function and position are one site.
 */
export function allocationSitesFrom(profile: SampledProfile, top: number): AllocationSite[] {
  const samplesByNode = new Map<number, number>();
  for (const sample of profile.samples ?? [])
    samplesByNode.set(sample.nodeId, (samplesByNode.get(sample.nodeId) ?? 0) + 1);

  // Iterative walk (the tree can be as deep as the deepest stack); `parent` links rebuild stacks.
  const visits: Visit[] = [];
  const pending: Visit[] = [{ node: profile.head, parent: -1 }];
  const sites = new Map<
    string,
    { liveBytes: number; samples: number; heaviest: number; heaviestBytes: number }
  >();
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const index = visits.push(visit) - 1;
    for (const child of visit.node.children) pending.push({ node: child, parent: index });
    const { node } = visit;
    if (node.selfSize <= 0 || visit.parent === -1) continue;
    const key = siteKey(node.callFrame);
    const site = sites.get(key) ?? { liveBytes: 0, samples: 0, heaviest: index, heaviestBytes: 0 };
    site.liveBytes += node.selfSize;
    site.samples += node.id === undefined ? 0 : (samplesByNode.get(node.id) ?? 0);
    if (node.selfSize > site.heaviestBytes) {
      site.heaviest = index;
      site.heaviestBytes = node.selfSize;
    }
    sites.set(key, site);
  }

  return [...sites.values()]
    .sort((a, b) => b.liveBytes - a.liveBytes)
    .slice(0, top)
    .map((site) => {
      const stack = stackOf(visits, site.heaviest);
      return { ...stack[0]!, liveBytes: site.liveBytes, samples: site.samples, stack };
    });
}

function stackOf(visits: readonly Visit[], index: number): StackFrame[] {
  const stack: StackFrame[] = [];
  // The root node is V8's synthetic `(root)`, not a frame.
  for (let at = index; at >= 0 && visits[at]!.parent !== -1; at = visits[at]!.parent) {
    stack.push(frameOf(visits[at]!.node.callFrame));
  }
  return stack;
}

function frameOf(callFrame: {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}): StackFrame {
  return {
    functionName: callFrame.functionName === '' ? '(anonymous)' : callFrame.functionName,
    url: callFrame.url,
    line: callFrame.lineNumber + 1,
    column: callFrame.columnNumber + 1,
  };
}

function siteKey(callFrame: {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}): string {
  return `${callFrame.functionName}\u0000${callFrame.url}\u0000${callFrame.lineNumber}\u0000${callFrame.columnNumber}`;
}
