import { runDemo } from '../demo/run-demo.ts';
import { shouldUseColor } from './color.ts';
import { defineCommand } from './command.ts';
import { createProgress } from './progress.ts';

interface DemoFlags {
  keep: boolean;
  quiet: boolean;
}

export const demoCommand = defineCommand<DemoFlags>({
  name: 'demo',
  summary: 'A two-minute tour: run a small leaky program, snapshot it three times, name the leak.',
  usage: '[--keep] [--quiet]',
  description: `
Runs a small leaky Node program (a web shop that caches every session in a Map) as a child
process, takes a heap snapshot after each of three bursts of traffic, analyzes the snapshots
as 'memwatcher analyze' would, and prints the culprit with its retainer path and the place in
the source where it was defined. The snapshots go to a temporary directory that is removed at
the end unless --keep is given. This is what 'npm start' runs.`,
  flags: {
    keep: { type: 'boolean', description: 'Keep the snapshots and print where they are.' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress on stderr.' },
  },
  positionals: { name: 'argument', min: 0, max: 0 },
  examples: ['memwatcher demo', 'memwatcher demo --keep'],
  async run({ options, context }) {
    const progress = createProgress({ stream: context.stderr, quiet: options.quiet, snapshotCount: 3 });
    await runDemo({
      write: (text) => context.stdout.write(text),
      color: shouldUseColor(context.stdout, context.env),
      keep: options.keep,
      signal: context.signal,
      onProgress: progress.update,
      onAnalysisDone: progress.stop,
    });
  },
});
