import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { styleText } from 'node:util';
import { AbortedError, MemwatcherError } from '../errors.ts';
import type { AnalysisProgress, AnalysisResult, LeakSuspect } from '../heap/types.ts';
import { formatBytes, formatCount, renderLeakSuspects } from '../report/analysis-text.ts';
import { startLeakyProcess } from './leaky-process.ts';

export interface DemoOptions {
  /** Where the tour is written. */
  write(text: string): void;
  color: boolean;
  /** Keep the snapshots instead of deleting them at the end. */
  keep: boolean;
  signal: AbortSignal;
  onProgress: (progress: AnalysisProgress) => void;
  /** Called before the analysis results are printed (to clear a progress line). */
  onAnalysisDone: () => void;
}

/** Requests per burst. The first burst is the warm-up: the bounded cache fills up completely in it. */
const bursts = [500, 2000, 2000];

/**
 * `memwatcher demo`: a leaky program is run, snapshotted three times, the snapshots are analyzed,
 * and the culprit is printed with its retainer path — a two-minute tour of what memwatcher does.
 * Throws when the analysis does not name the leak the program is known to have.
 *
 * @example
 * await runDemo({ write: (t) => process.stdout.write(t), color: false, keep: false, signal, onProgress() {}, onAnalysisDone() {} });
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { write, signal } = options;
  const heading = (text: string) =>
    options.color ? styleText('bold', text, { validateStream: false }) : text;
  const directory = await mkdtemp(join(tmpdir(), 'memwatcher-demo-'));
  try {
    write(`${heading('memwatcher demo: find a memory leak in a running Node program, end to end.')}\n\n`);

    write(`${heading('1. Start a leaky program')}\n`);
    const shop = await startLeakyProcess(signal);
    const source = fileURLToPath(shop.sourceUrl);
    write(
      indent(`The program, ${source}, is a tiny web shop.
Every request creates a Session and caches it in a module-level Map, \`sessions\`, that nothing
ever evicts: that is the leak. The shop also keeps a product cache bounded to 100 entries and
makes garbage on every request: healthy memory that a leak detector must not flag.
Started it as process ${shop.pid}.`),
    );

    write(`\n${heading('2. Send traffic, and take a heap snapshot after each burst')}\n`);
    const files: string[] = [];
    try {
      for (const [index, requests] of bursts.entries()) {
        const served = await shop.serve(requests);
        const file = join(directory, `${index + 1}.heapsnapshot`);
        const written = await shop.takeSnapshot(file);
        files.push(file);
        const { size } = await stat(file);
        const label = index === 0 ? 'warm-up' : `burst ${index + 1}`;
        write(
          `   ${label.padEnd(8)} ${formatCount(requests).padStart(5)} requests  ` +
            `sessions cached ${formatCount(served.sessionsCached).padStart(5)}  ` +
            `products cached ${served.productsCached}  heap used ${formatBytes(written.heapUsed).padStart(8)}  ` +
            `→ ${basename(file)} (${formatBytes(size)})\n`,
        );
      }
    } finally {
      await shop.stop();
    }

    write(`\n${heading('3. Analyze the three snapshots')}\n`);
    write(
      indent(
        `This is what \`memwatcher analyze\` does with several snapshots of one process (in ${directory}):\n` +
          `$ memwatcher analyze ${files.map((file) => basename(file)).join(' ')}`,
      ),
    );
    // Loaded here, not at the top: `memwatcher demo --help` should not pay for the engine.
    const { analyzeSnapshots } = await import('../heap/index.ts');
    const startedAt = performance.now();
    let result: AnalysisResult;
    try {
      result = await analyzeSnapshots(files, { top: 5, onProgress: options.onProgress, signal });
    } finally {
      options.onAnalysisDone();
    }
    // Let a Ctrl-C that came while the engine kept the thread busy be delivered (see cli/analyze.ts).
    await new Promise((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    const nodes = result.snapshots.map((snapshot) => formatCount(snapshot.nodeCount)).join(' → ');
    write(
      indent(
        `Analyzed in ${seconds} s: ${nodes} objects; every object is matched across snapshots by its id.`,
      ),
    );

    write(`\n${heading('4. The culprit')}\n`);
    write(indent(renderLeakSuspects(result, { color: options.color, top: 3, width: 97 }).trimEnd()));
    write(`\n${explain(result.suspects)}`);

    const culprit = result.suspects[0];
    if (culprit?.name !== 'Session') {
      throw new MemwatcherError(
        'ERR_DEMO_LEAK_MISSED',
        `the analysis should have named Session first, but named ${culprit === undefined ? 'nothing' : culprit.name}. This is a bug in memwatcher; please report it.`,
      );
    }
    write(
      options.keep
        ? `\nThe snapshots are kept. Try it yourself:\n   $ memwatcher analyze ${files.join(' ')}\n`
        : '\nDone. Run `memwatcher demo --keep` to keep the snapshots and try `memwatcher analyze` on them.\n',
    );
  } catch (error) {
    if (signal.aborted) throw new AbortedError('Interrupted (SIGINT).', { cause: error });
    throw error;
  } finally {
    if (!options.keep) await rm(directory, { recursive: true, force: true });
  }
}

/** Plain words for what the suspect list says, and what it rightly leaves out. */
function explain(suspects: readonly LeakSuspect[]): string {
  const lines: string[] = [];
  const culprit = suspects[0];
  if (culprit !== undefined) {
    const variable = culprit.retainerPath.findLast((step) => step.edgeType === 'context')?.edge;
    const holder = variable === undefined ? 'the path above' : `the variable \`${variable}\``;
    lines.push(
      `Reading it: ${culprit.name} objects grew with every snapshot (${culprit.growth.map(formatCount).join(' → ')})`,
      `and are all still alive. The retainer path says who keeps them: ${holder}.`,
      'The fix belongs where that is filled: evict entries (a size bound, a time to live) or drop it.',
    );
  }
  const healthy = ['Product', 'BoundedCache'];
  const falseAlarms = suspects.filter((suspect) => healthy.includes(suspect.name));
  lines.push(
    falseAlarms.length === 0
      ? 'Not flagged, as it should be: the bounded product cache and the per-request garbage.'
      : `Also flagged, wrongly: ${falseAlarms.map((suspect) => suspect.name).join(', ')} (bounded by design). Please report it.`,
  );
  return indent(lines.join('\n'));
}

function indent(text: string): string {
  return `${text
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n')}\n`;
}
