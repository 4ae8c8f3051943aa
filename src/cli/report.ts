import { extname } from 'node:path';
import { UsageError } from '../errors.ts';
import { formatBytes } from '../report/analysis-text.ts';
import { shouldUseColor } from './color.ts';
import { defineCommand } from './command.ts';
import { parsePositiveInteger, parseText } from './flags.ts';

import { loadHistoryModel, selectionFlags } from './history-model.ts';
import { writeOutputFile } from './output-file.ts';

type ReportFormat = 'html' | 'text' | 'json';

interface ReportFlags {
  output: string | undefined;
  format: ReportFormat | undefined;
  run: number | undefined;
  pid: number | undefined;
  top: number;
}

const FORMATS: readonly ReportFormat[] = ['html', 'text', 'json'];
const FORMAT_BY_EXTENSION: Record<string, ReportFormat> = {
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'text',
  '.json': 'json',
};

export const reportCommand = defineCommand<ReportFlags>({
  name: 'report',
  summary: 'Make a report (HTML, text or JSON) of a run from a history file.',
  usage: '<history.db> [-o report.html] [--format html|text|json] [--run ID] [--pid N] [--top N]',
  description: `
Reads a history file written with --db (by 'memwatcher run', 'attach' or 'watch'; also while it is
being written) and makes a report of one run: the leak verdict, memory over time (RSS, heap used,
the heap floor after GC, external and ArrayBuffers) with the verdict and alerts marked, GC pauses
by kind, the top classes and their growth, and each leak suspect with its retainer graph when
snapshots were analyzed.

The HTML report is one self-contained page (no script, nothing fetched): open it offline or attach
it to a ticket. The text form is for terminals, the JSON form for scripts (format
'memwatcher-report', version 1). Without -o the text form is printed; with -o the format follows the
file's extension (.html, .txt, .json), or --format. Heap string values never appear in a report.

Samples are read as time buckets; each bucket is drawn with its lowest and highest values, so a
sawtooth heap keeps its shape however long the run.`,
  flags: {
    output: {
      type: 'string',
      short: 'o',
      valueName: 'file',
      default: undefined,
      parse: parseText,
      description: 'Write the report to this file (created 0600). Default: print it on stdout.',
    },
    format: {
      type: 'string',
      valueName: 'html|text|json',
      default: undefined,
      parse: parseFormat,
      description: "The report's form. Default: from the -o file's extension, else text.",
    },
    ...selectionFlags,
    top: {
      type: 'string',
      valueName: 'N',
      default: 15,
      parse: parsePositiveInteger,
      description: 'Rows of the class and allocation tables, suspects shown.',
    },
  },
  positionals: { name: 'history.db', min: 1, max: 1 },
  examples: [
    'memwatcher report memwatcher.db -o report.html',
    'memwatcher report memwatcher.db',
    'memwatcher report memwatcher.db --run 3 --format json > run-3.json',
  ],
  async run({ options, positionals, context }) {
    const file = positionals[0]!;
    const format = options.format ?? formatOf(options.output);
    const { model, runId } = loadHistoryModel(file, { run: options.run, pid: options.pid });
    // Loaded here, not at the top: the report forms pull in Vega, and `--help` should not pay for it.
    const report = await import('../report/index.ts');
    let contents: string;
    if (format === 'html') {
      contents = await report.renderReportHtml(model, { top: options.top });
    } else if (format === 'json') {
      contents = report.renderReportJson(model);
    } else {
      const toTerminal = options.output === undefined;
      contents = report.renderReportText(model, {
        color: toTerminal && shouldUseColor(context.stdout, context.env),
        top: options.top,
        width: toTerminal ? Math.max(60, Math.min(context.stdout.columns || 100, 140)) : 100,
      });
    }
    if (options.output === undefined) {
      context.stdout.write(contents);
      return;
    }
    await writeOutputFile(options.output, contents);
    const who = model.run.pid === null ? '' : `, process ${model.run.pid}`;
    context.stdout.write(
      `Wrote ${options.output} (${format}, ${formatBytes(Buffer.byteLength(contents))}): run ${runId}${who}.\n`,
    );
  },
});

function parseFormat(raw: string, flag: string): ReportFormat {
  if (!FORMATS.includes(raw as ReportFormat)) {
    throw new UsageError(`${flag} must be one of ${FORMATS.join(', ')}, got '${raw}'.`);
  }
  return raw as ReportFormat;
}

function formatOf(output: string | undefined): ReportFormat {
  if (output === undefined) return 'text';
  const format = FORMAT_BY_EXTENSION[extname(output).toLowerCase()];
  if (format === undefined) {
    throw new UsageError(
      `cannot tell the report's format from '${output}': name the file .html, .txt or .json, or pass --format.`,
    );
  }
  return format;
}
