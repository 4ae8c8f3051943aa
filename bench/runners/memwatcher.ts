// Contender "memwatcher": the engine's public entry, one snapshot, top 30 — the same full
// analysis as the CLI's `memwatcher analyze` (parse, dominators, retained sizes, class summary,
// largest objects with their retainer paths).
import { contenderArgs, type SummaryClass } from './result.ts';

interface Engine {
  analyzeSnapshots: (
    files: string[],
    options: { top: number; onProgress: (progress: { snapshot: number; phase: string }) => void },
  ) => Promise<{
    summary: Array<{
      name: string;
      type: string;
      count: number;
      selfSize: number;
      retainedSize: number;
      location?: { scriptId: number; line: number; column: number };
    }>;
    snapshots: Array<{ nodeCount: number; edgeCount: number; totalSize: number }>;
  }>;
}

let engine: Engine | undefined;
let unavailable = '';
try {
  // A variable specifier keeps this runner loadable (and type-checkable) while src/heap is being
  // written; the shape above is the one in src/heap/types.ts.
  const entry = '../../src/heap/index.ts';
  const loaded = (await import(entry)) as Engine;
  if (typeof loaded.analyzeSnapshots !== 'function')
    throw new Error('src/heap/index.ts has no analyzeSnapshots');
  engine = loaded;
} catch (error) {
  unavailable = (error as Error).message.split('\n')[0] ?? String(error);
}

// Only now, with the engine's modules loaded as the other runners' are by their imports: the
// process's CPU time is counted from here.
const { file, report, reportUnavailable } = contenderArgs('memwatcher');
if (engine === undefined) {
  reportUnavailable(unavailable);
  process.exit(0);
}

// Phase times from the progress callback: a phase lasts from its first report to the next
// phase's first report.
const phaseStarts: Array<[string, number]> = [];
const onProgress = ({ phase }: { phase: string }): void => {
  if (phaseStarts.at(-1)?.[0] !== phase) phaseStarts.push([phase, performance.now()]);
};
const started = performance.now();
const result = await engine.analyzeSnapshots([file], { top: 30, onProgress });
const analyzed = performance.now();
const phases: Record<string, number> = {};
phaseStarts.forEach(([phase, at], i) => {
  phases[phase] = (phases[phase] ?? 0) + ((phaseStarts[i + 1]?.[1] ?? analyzed) - at);
});
if (phaseStarts.length > 0 && phaseStarts[0]![1] > started + 1)
  phases['(before first progress)'] = phaseStarts[0]![1] - started;

const summary: SummaryClass[] = result.summary.map((entry) => ({
  name: entry.name,
  type: entry.type,
  count: entry.count,
  selfSize: entry.selfSize,
  retainedSize: entry.retainedSize,
  ...(entry.location === undefined ? {} : { location: entry.location }),
}));
report({
  analysisMs: analyzed - started,
  phases: phaseStarts.length > 0 ? phases : { 'full analysis': analyzed - started },
  summary,
  details: { snapshots: result.snapshots },
});
