// Contender "devtools": Chrome DevTools' heap snapshot worker (heap-snapshot-toolkit), run the way
// DevTools runs it: stream the file into the loader (parse, index, distances, dominators and
// retained sizes happen while the snapshot is built), then the Summary view's aggregates.
import { createReadStream } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';
import { contenderArgs, type SummaryClass } from './result.ts';

interface DevToolsAggregate {
  count: number;
  self: number;
  maxRet: number;
  name: string;
  idxs: number[];
}

const { file, report } = contenderArgs('devtools');
const started = performance.now();
const snapshot = await parse(createReadStream(file, 'utf-8'));
const parsed = performance.now();
// An empty filter is what the Summary view asks for "All objects".
const allObjects = {} as Parameters<typeof snapshot.aggregatesWithFilter>[0];
const aggregates = snapshot.aggregatesWithFilter(allObjects) as unknown as Record<string, DevToolsAggregate>;
const aggregated = performance.now();

const node = snapshot.createNode(0);
const summary: SummaryClass[] = [];
for (const [key, aggregate] of Object.entries(aggregates)) {
  node.nodeIndex = aggregate.idxs[0] ?? 0;
  summary.push({
    key,
    name: aggregate.name,
    type: node.type(),
    count: aggregate.count,
    selfSize: aggregate.self,
    retainedSize: aggregate.maxRet,
  });
}
report({
  analysisMs: aggregated - started,
  phases: { 'parse + dominators + retained sizes': parsed - started, 'class summary': aggregated - parsed },
  summary,
  details: { nodeCount: snapshot.nodeCount, classes: summary.length },
});
