// Contender "memlab": @memlab/api's getFullHeapFromFile (parse, shortest paths, dominators and
// retained sizes — memlab computes them all while loading), then a class summary built from its
// nodes through its public node API, with DevTools' class naming and class retained size rule.
import { createRequire } from 'node:module';
import type { IHeapNode, IHeapSnapshot } from '@memlab/api';
import { contenderArgs, devToolsClassName, type SummaryClass } from './result.ts';

const memlab = createRequire(import.meta.url)('@memlab/api') as {
  getFullHeapFromFile: (file: string) => Promise<IHeapSnapshot>;
};

const { file, report } = contenderArgs('memlab');
const started = performance.now();
const heap = await memlab.getFullHeapFromFile(file);
const loaded = performance.now();

const nodeCount = heap.nodes.length;
const classOf = new Int32Array(nodeCount);
const dominatorOf = new Int32Array(nodeCount).fill(-1);
const retainedOf = new Float64Array(nodeCount);
const selfOf = new Float64Array(nodeCount);
const classIds = new Map<string, number>();
const classes: SummaryClass[] = [];
heap.nodes.forEach((node: IHeapNode, ordinal: number) => {
  const type = node.type;
  // Only objects and natives are named after the node; asking others for their name would decode
  // every string's text for nothing.
  const name = devToolsClassName(type, type === 'object' || type === 'native' ? node.name : '');
  let id = classIds.get(name);
  if (id === undefined) {
    id = classes.length;
    classIds.set(name, id);
    classes.push({ key: `,${name}`, name, type, count: 0, selfSize: 0, retainedSize: 0 });
  }
  classOf[ordinal] = id;
  selfOf[ordinal] = node.self_size;
  retainedOf[ordinal] = node.retainedSize;
  dominatorOf[ordinal] = node.dominatorNode?.nodeIndex ?? -1;
  // DevTools leaves out objects of size 0 (HeapSnapshot.ts buildAggregates).
  if (node.self_size > 0) {
    classes[id]!.count++;
    classes[id]!.selfSize += node.self_size;
  }
});

// Class retained size as DevTools computes it (calculateClassesRetainedSize): walk the dominator
// tree from the root; a node counts unless an ancestor of the same class already counted.
const firstChild = new Uint32Array(nodeCount + 1);
for (let ordinal = 1; ordinal < nodeCount; ordinal++) {
  const dominator = dominatorOf[ordinal]!;
  if (dominator >= 0 && dominator !== ordinal) firstChild[dominator + 1]!++;
}
for (let ordinal = 0; ordinal < nodeCount; ordinal++) firstChild[ordinal + 1]! += firstChild[ordinal]!;
const children = new Uint32Array(firstChild[nodeCount]!);
const filled = firstChild.slice(0, nodeCount);
for (let ordinal = 1; ordinal < nodeCount; ordinal++) {
  const dominator = dominatorOf[ordinal]!;
  if (dominator >= 0 && dominator !== ordinal) children[filled[dominator]!++] = ordinal;
}
const countingAncestors = new Int32Array(classes.length);
// Entries ≥ 0 visit a node; ~ordinal (negative) leaves a node that counted for its class.
const stack = new Int32Array(nodeCount * 2 + 1);
let top = 0;
stack[top++] = 0;
while (top > 0) {
  const entry = stack[--top]!;
  if (entry < 0) {
    countingAncestors[classOf[~entry]!]!--;
    continue;
  }
  const id = classOf[entry]!;
  if (countingAncestors[id] === 0 && selfOf[entry]! > 0) {
    classes[id]!.retainedSize += retainedOf[entry]!;
    countingAncestors[id]!++;
    stack[top++] = ~entry;
  }
  for (let child = firstChild[entry]!; child < firstChild[entry + 1]!; child++)
    stack[top++] = children[child]!;
}
const summarized = performance.now();

report({
  analysisMs: summarized - started,
  phases: {
    'parse + paths + dominators + retained sizes': loaded - started,
    'class summary': summarized - loaded,
  },
  summary: classes.filter((entry) => entry.count > 0),
  details: { nodeCount, classes: classes.length },
});
