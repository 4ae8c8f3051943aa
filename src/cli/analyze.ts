import { AbortedError } from '../errors.ts';
import type { AnalysisProgress, AnalysisResult } from '../heap/types.ts';
import { renderAnalysisText } from '../report/analysis-text.ts';
import { shouldUseColor } from './color.ts';
import { defineCommand } from './command.ts';
import { parsePositiveInteger } from './flags.ts';
import { createProgress } from './progress.ts';
import { checkSnapshotFiles } from './snapshot-files.ts';

interface AnalyzeFlags {
  json: boolean;
  top: number;
  quiet: boolean;
}

export const analyzeCommand = defineCommand<AnalyzeFlags>({
  name: 'analyze',
  summary: 'Analyze heap snapshots: classes, largest objects and, given several, leak suspects.',
  usage: '<snapshot>... [--json] [--top N] [--quiet]',
  description: `
Reads V8 heap snapshots (.heapsnapshot files, e.g. from v8.writeHeapSnapshot() or Chrome DevTools).

One snapshot: the classes by retained size (count, self size, retained size) and the largest
objects, each with its retainer path from a GC root.

Several snapshots of the same process, in the order they were taken: also the diff between the
first and the last (objects added and removed per class) and the leak suspects: objects allocated
after the first snapshot that kept accumulating and are still alive in the last, each with its
count per snapshot, retained size, retainer path and where its class or closure was defined.

Sizes are in kB/MB/GB with 1 kB = 1000 bytes, as in DevTools. Progress is shown on stderr when
it is a terminal.`,
  flags: {
    json: {
      type: 'boolean',
      description: 'Print the analysis as JSON on stdout (the documented contract), nothing else.',
    },
    top: {
      type: 'string',
      valueName: 'N',
      default: 20,
      parse: parsePositiveInteger,
      description: 'How many classes, largest objects and suspects to report.',
    },
    quiet: { type: 'boolean', short: 'q', description: 'No progress on stderr.' },
  },
  positionals: { name: 'snapshot', min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'memwatcher analyze app.heapsnapshot',
    'memwatcher analyze 1.heapsnapshot 2.heapsnapshot 3.heapsnapshot',
    'memwatcher analyze 1.heapsnapshot 2.heapsnapshot 3.heapsnapshot --json > analysis.json',
  ],
  async run({ options, positionals: files, context }) {
    await checkSnapshotFiles(files);
    // Loaded here, not at the top: `--help` and usage errors should not pay for the engine.
    const { runHeapAnalysis } = await import('../agent/analysis-worker.ts');
    const progress = createProgress({
      stream: context.stderr,
      quiet: options.quiet,
      snapshotCount: files.length,
    });
    let result: AnalysisResult;
    try {
      // The engine runs in a worker thread: this thread stays free to draw progress and to act on
      // Ctrl-C at once (aborting terminates the worker mid-phase).
      result = (await runHeapAnalysis(
        { kind: 'analyze', files, top: options.top },
        {
          signal: context.signal,
          // The worker sends the engine's own progress records.
          onProgress: (update) => progress.update(update as AnalysisProgress),
          keepAlive: true,
        },
      )) as AnalysisResult;
    } finally {
      progress.stop();
    }
    if (context.signal.aborted) throw new AbortedError();
    if (options.json) {
      context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const color = shouldUseColor(context.stdout, context.env);
    // Not a terminal, or one of unknown size (0 columns): 100.
    const width = Math.max(60, Math.min(context.stdout.columns || 100, 140));
    context.stdout.write(renderAnalysisText(result, { color, top: options.top, width }));
  },
});
