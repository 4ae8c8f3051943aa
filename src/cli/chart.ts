import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ChartRenderError, FileAccessError, UsageError } from '../errors.ts';
import type { AnalysisResult } from '../heap/types.ts';
import type { ChartFormat, ChartKind } from '../report/chart.ts';
import { withAnalysis } from '../report/model-from-analysis.ts';
import type { ReportModel } from '../report/report-model.ts';
import { defineCommand } from './command.ts';
import { parsePositiveInteger, parseText } from './flags.ts';
import { loadHistoryModel, selectionFlags } from './history-model.ts';
import { writeOutputFile } from './output-file.ts';

interface ChartFlags {
  output: string | undefined;
  kind: ChartKind | undefined;
  format: ChartFormat | undefined;
  run: number | undefined;
  pid: number | undefined;
  analysis: string | undefined;
  suspect: number | undefined;
  width: number | undefined;
  height: number | undefined;
}

const KINDS: readonly ChartKind[] = ['memory', 'gc', 'classes', 'allocations', 'retainers'];
const FORMATS: readonly ChartFormat[] = ['svg', 'png', 'dot'];

const NOTHING_TO_DRAW: Record<ChartKind, string> = {
  memory: 'no memory samples were recorded',
  gc: 'no GC pauses were recorded (a process watched from outside through /proc has none)',
  classes: 'no classes are known: no snapshots were analyzed and no alert carried a census',
  allocations: 'no allocation sites were recorded',
  retainers: 'there are no leak suspects (analyze three or more snapshots of a leaking process)',
};

export const chartCommand = defineCommand<ChartFlags>({
  name: 'chart',
  summary:
    'Draw one chart of a run (memory, GC, classes, allocations) or retainer graphs, as SVG, PNG or DOT.',
  usage:
    '[<history.db>] [-o file.svg|.png|.dot] [--kind memory|gc|classes|allocations|retainers] [--analysis analysis.json] [--suspect N]',
  description: `
Draws one chart of a run recorded in a history file (--db of 'memwatcher run', 'attach', 'watch'):

  memory       RSS, heap used, the heap floor after GC, external and ArrayBuffers over time, with
               the periods judged growing or leaking shaded and alerts and snapshots marked
  gc           GC pauses by kind (a histogram per kind)
  classes      the largest classes and their growth (from analyzed snapshots, else a census)
  allocations  allocation sites, when they were recorded
  retainers    the retainer paths of the leak suspects as one graph (--suspect N: only that one)

Retainer graphs can also come from an analysis: the JSON of 'memwatcher analyze --json'
(--analysis), with or without a history file. The format follows the -o file's extension (.svg,
.png, .dot), or --format; DOT (Graphviz) is for retainer graphs only. Without -o, SVG or DOT is
printed on stdout. PNGs need a font on the machine (Debian: fonts-dejavu-core).`,
  flags: {
    output: {
      type: 'string',
      short: 'o',
      valueName: 'file',
      default: undefined,
      parse: parseText,
      description: 'Write the chart to this file (created 0600). Default: stdout (SVG, DOT).',
    },
    kind: {
      type: 'string',
      valueName: KINDS.join('|'),
      default: undefined,
      parse: (raw, flag) => oneOf(KINDS, raw, flag),
      description: 'Which chart. Default: memory; retainers with --analysis alone.',
    },
    format: {
      type: 'string',
      valueName: 'svg|png|dot',
      default: undefined,
      parse: (raw, flag) => oneOf(FORMATS, raw, flag),
      description: "Default: from the -o file's extension, else svg.",
    },
    ...selectionFlags,
    analysis: {
      type: 'string',
      valueName: 'file',
      default: undefined,
      parse: parseText,
      description: "Leak suspects and classes from this 'memwatcher analyze --json' output.",
    },
    suspect: {
      type: 'string',
      valueName: 'N',
      default: undefined,
      parse: parsePositiveInteger,
      description: 'Retainer graph of suspect N only (numbered from 1, as analyze and report list them).',
    },
    width: {
      type: 'string',
      valueName: 'px',
      default: undefined,
      parse: parsePositiveInteger,
      description: 'Width of the memory chart. Default 860.',
    },
    height: {
      type: 'string',
      valueName: 'px',
      default: undefined,
      parse: parsePositiveInteger,
      description: 'Height of the memory chart. Default 300.',
    },
  },
  positionals: { name: 'history.db', min: 0, max: 1 },
  examples: [
    'memwatcher chart memwatcher.db -o memory.svg',
    'memwatcher chart memwatcher.db --kind gc -o gc.png',
    'memwatcher chart memwatcher.db --kind retainers -o retainers.dot',
    'memwatcher analyze 1.heapsnapshot 2.heapsnapshot 3.heapsnapshot --json > analysis.json',
    'memwatcher chart --analysis analysis.json --suspect 1 -o graph.dot',
  ],
  async run({ options, positionals, context }) {
    const history = positionals[0];
    if (history === undefined && options.analysis === undefined) {
      throw new UsageError("give a history file or --analysis <file>. See 'memwatcher chart --help'.");
    }
    const kind = options.kind ?? (history === undefined ? 'retainers' : 'memory');
    const format = options.format ?? formatOf(options.output);
    if (format === 'dot' && kind !== 'retainers') {
      throw new UsageError(
        `DOT is for retainer graphs (--kind retainers); the ${kind} chart comes as svg or png.`,
      );
    }
    if (options.suspect !== undefined && kind !== 'retainers') {
      throw new UsageError('--suspect chooses a retainer graph: use it with --kind retainers.');
    }
    if (format === 'png' && options.output === undefined && context.stdout.isTTY === true) {
      throw new UsageError('a PNG is not for a terminal: pass -o chart.png, or redirect stdout.');
    }
    let model = history === undefined ? emptyModel() : loadHistoryModel(history, options).model;
    if (options.analysis !== undefined) model = withAnalysis(model, await readAnalysis(options.analysis));

    // Loaded here: the charts pull in Vega, dagre and resvg.
    const { renderChart } = await import('../report/chart.ts');
    if (options.suspect !== undefined && options.suspect > model.suspects.length) {
      throw new UsageError(
        `--suspect ${options.suspect}: there ${model.suspects.length === 1 ? 'is 1 leak suspect' : `are ${model.suspects.length} leak suspects`}.`,
      );
    }
    const chart = await renderChart(model, {
      chart: kind,
      format,
      ...(options.suspect === undefined ? {} : { suspect: options.suspect - 1 }),
      ...(options.width === undefined ? {} : { width: options.width }),
      ...(options.height === undefined ? {} : { height: options.height }),
    });
    if (chart === null) {
      throw new ChartRenderError(
        'ERR_CHART_EMPTY',
        `Nothing to draw for the ${kind} chart: ${NOTHING_TO_DRAW[kind]}.`,
      );
    }
    if (options.output === undefined) {
      context.stdout.write(chart.contents);
      return;
    }
    await writeOutputFile(options.output, chart.contents);
    context.stdout.write(`Wrote ${options.output} (${kind} chart, ${format}).\n`);
  },
});

function oneOf<T extends string>(values: readonly T[], raw: string, flag: string): T {
  if (!values.includes(raw as T))
    throw new UsageError(`${flag} must be one of ${values.join(', ')}, got '${raw}'.`);
  return raw as T;
}

function formatOf(output: string | undefined): ChartFormat {
  if (output === undefined) return 'svg';
  const extension = extname(output).slice(1).toLowerCase();
  if (!FORMATS.includes(extension as ChartFormat)) {
    throw new UsageError(
      `cannot tell the chart's format from '${output}': name the file .svg, .png or .dot, or pass --format.`,
    );
  }
  return extension as ChartFormat;
}

/** The JSON `memwatcher analyze --json` prints (the contract in the README). */
async function readAnalysis(file: string): Promise<AnalysisResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileAccessError(
      file,
      code === 'ENOENT' ? `${file}: no such file.` : `${file}: cannot read it (${(error as Error).message}).`,
      { cause: error },
    );
  }
  let parsed: Partial<AnalysisResult> | null;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FileAccessError(file, `${file} is not JSON: give the output of 'memwatcher analyze --json'.`, {
      cause: error,
    });
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    !Array.isArray(parsed.snapshots) ||
    !Array.isArray(parsed.summary) ||
    !Array.isArray(parsed.suspects)
  ) {
    throw new FileAccessError(
      file,
      `${file} is not an analysis (no snapshots, summary and suspects): give the output of 'memwatcher analyze --json'.`,
    );
  }
  return parsed as AnalysisResult;
}

/** A model with nothing but what an analysis adds. */
function emptyModel(): ReportModel {
  return {
    run: {
      command: [],
      pid: null,
      watchedBy: 'agent',
      nodeVersion: null,
      startedAt: 0,
      endedAt: null,
      exitCode: null,
      signal: null,
      heapLimit: null,
      intervalMs: null,
    },
    samples: [],
    gcPauses: [],
    verdicts: [],
    alerts: [],
    snapshots: [],
    classes: [],
    suspects: [],
    analyzedSnapshots: 0,
    allocationSites: [],
  };
}
