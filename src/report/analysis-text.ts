import { stripVTControlCharacters, styleText } from 'node:util';
import type {
  AnalysisResult,
  ClassDiffEntry,
  ClassSummaryEntry,
  LargestObject,
  LeakSuspect,
  RetainerPathStep,
  SourceLocation,
} from '../heap/types.ts';

export interface AnalysisTextOptions {
  /** ANSI colours; the caller decides (a TTY without `NO_COLOR`). */
  color: boolean;
  /** At most this many rows per table and this many suspects / largest objects. */
  top: number;
  /** Wrap retainer paths at this width. Default 100. */
  width?: number;
}

/**
 * Renders `memwatcher analyze` output for people: leak suspects first (with several snapshots), then
 * the diff, the class summary and the largest objects. Sizes use base 1000, like DevTools.
 *
 * @example
 * const result = await analyzeSnapshots(['a.heapsnapshot', 'b.heapsnapshot', 'c.heapsnapshot']);
 * process.stdout.write(renderAnalysisText(result, { color: false, top: 20 }));
 */
export function renderAnalysisText(result: AnalysisResult, options: AnalysisTextOptions): string {
  const style = stylerFor(options.color);
  const width = options.width ?? 100;
  const top = Math.max(1, Math.floor(options.top));
  const several = result.snapshots.length >= 2;
  const sections: string[] = [];

  const count = result.snapshots.length;
  sections.push(
    `${style.heading(`memwatcher analyze: ${count} snapshot${count === 1 ? '' : 's'}`)}  ${style.dim(
      '(sizes in kB/MB/GB: 1 kB = 1000 bytes, as in DevTools)',
    )}\n${renderSnapshots(result)}`,
  );
  if (several) {
    sections.push(renderSuspects(result.suspects, result.snapshots.length, top, width, style));
    if (result.diff !== undefined) sections.push(renderDiff(result, result.diff, top, style));
  }
  sections.push(renderSummary(result.summary, several, top, style));
  sections.push(renderLargest(result.largest, top, width, style));
  return `${sections.join('\n\n')}\n`;
}

/**
 * Only the leak suspects section of `renderAnalysisText` (the demo shows it on its own).
 *
 * @example
 * process.stdout.write(renderLeakSuspects(result, { color: true, top: 3 }));
 */
export function renderLeakSuspects(result: AnalysisResult, options: AnalysisTextOptions): string {
  const top = Math.max(1, Math.floor(options.top));
  const style = stylerFor(options.color);
  return `${renderSuspects(result.suspects, result.snapshots.length, top, options.width ?? 100, style)}\n`;
}

const byteUnits = ['kB', 'MB', 'GB', 'TB'] as const;

/**
 * A byte count for people, base 1000 with one decimal: `512 B`, `1.5 kB`, `12.3 MB`.
 *
 * @example
 * formatBytes(1_234_567); // '1.2 MB'
 */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1000) return `${sign}${value} B`;
  let unit = 0;
  value /= 1000;
  // Round first so 999_960 bytes reads '1.0 MB', not '1000.0 kB'.
  while (Math.round(value * 10) / 10 >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${sign}${value.toFixed(1)} ${byteUnits[unit]}`;
}

/** A count with thousands separators, independent of the machine's locale. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * A V8 source location as editors print it: 1-based `file:line:column`. V8 stores 0-based numbers.
 *
 * @example
 * formatLocation({ scriptId: 7, line: 11, column: 2, url: 'file:///app/cache.js' }); // 'file:///app/cache.js:12:3'
 */
export function formatLocation(location: SourceLocation): string {
  const where =
    location.url !== undefined && location.url !== '' ? location.url : `script #${location.scriptId}`;
  return `${where}:${location.line + 1}:${location.column + 1}`;
}

/**
 * A retainer path on one line per `width` columns: each node followed by the edge it is left
 * through, e.g. `(GC roots)[3] → system / Context.sessions → Map.table → …[42] → Session @1234`.
 */
export function formatRetainerPath(path: readonly RetainerPathStep[], width = 100, indent = ''): string {
  if (path.length === 0) return `${indent}(no path from a GC root: the object is unreachable)`;
  const segments = path.map((step, index) => {
    const next = path[index + 1];
    const label = index === path.length - 1 ? `${nodeLabel(step)} @${step.nodeId}` : nodeLabel(step);
    return next === undefined ? label : `${label}${edgeLabel(next)}`;
  });
  const lines: string[] = [];
  let line = '';
  for (const segment of segments) {
    const piece = line === '' ? segment : ` → ${segment}`;
    if (line !== '' && indent.length + line.length + piece.length > width) {
      lines.push(line);
      line = `→ ${segment}`;
    } else {
      line += piece;
    }
  }
  lines.push(line);
  return lines.map((text, index) => (index === 0 ? `${indent}${text}` : `${indent}  ${text}`)).join('\n');
}

const stringNodeTypes = new Set(['string', 'concatenated string', 'sliced string']);
const identifier = /^[A-Za-z_$][\w$]*$/;
const maxLabelLength = 48;

function nodeLabel(step: RetainerPathStep): string {
  if (stringNodeTypes.has(step.nodeType)) return truncate(JSON.stringify(step.node), maxLabelLength);
  if (step.node === '') return `(${step.nodeType})`;
  if (step.nodeType === 'closure') return `${truncate(step.node, maxLabelLength)}()`;
  return truncate(step.node, maxLabelLength);
}

function edgeLabel(step: RetainerPathStep): string {
  const name = step.edge;
  if (name === '') return '';
  if (step.edgeType === 'element' || step.edgeType === 'hidden' || /^\d+$/.test(name)) return `[${name}]`;
  if (identifier.test(name)) return `.${name}`;
  return `[${truncate(JSON.stringify(name), maxLabelLength)}]`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function renderSnapshots(result: AnalysisResult): string {
  const rows = result.snapshots.map((snapshot, index) => [
    String(index + 1),
    snapshot.file,
    formatCount(snapshot.nodeCount),
    formatCount(snapshot.edgeCount),
    formatBytes(snapshot.totalSize),
  ]);
  return renderTable(['#', 'file', 'nodes', 'edges', 'total size'], rows, 'rlrrr');
}

function renderSuspects(
  suspects: readonly LeakSuspect[],
  snapshotCount: number,
  top: number,
  width: number,
  style: Styler,
): string {
  if (suspects.length === 0) {
    return `${style.heading('Leak suspects')}\nNo leak suspects: nothing kept accumulating across the ${snapshotCount} snapshots.`;
  }
  const shown = suspects.slice(0, top);
  const heading =
    suspects.length > shown.length
      ? `Leak suspects (top ${shown.length} of ${suspects.length}, by retained size)`
      : `Leak suspects (${suspects.length}, by retained size)`;
  const blocks = shown.map((suspect, index) => {
    const lines = [
      `  ${index + 1}. ${style.suspect(suspect.name)} ${style.dim(`(${suspect.type})`)}: ${formatCount(
        suspect.count,
      )} alive, retaining ${formatBytes(suspect.retainedSize)}`,
      ...suspectDetailLines(suspect, width, style.location),
    ];
    return lines.join('\n');
  });
  return `${style.heading(heading)}\n${blocks.join('\n\n')}`;
}

/**
 * The lines under a suspect's heading, as `memwatcher analyze` and `memwatcher report` print them:
 * growth, where it accumulates, where it was defined, and its retainer path.
 */
export function suspectDetailLines(
  suspect: LeakSuspect,
  width: number,
  styleLocation: (text: string) => string = (text) => text,
): string[] {
  const lines = [`     count per snapshot     ${suspect.growth.map(formatCount).join(' → ')}`];
  if (suspect.retainedGrowth !== undefined && suspect.retainedGrowth.length > 0) {
    lines.push(`     retained per snapshot  ${suspect.retainedGrowth.map(formatBytes).join(' → ')}`);
  }
  if (suspect.accumulatesIn !== undefined) {
    const owner = suspect.accumulatesIn;
    const through = owner.edge === '' ? '' : ` (reached through '${owner.edge}')`;
    lines.push(`     accumulates in         ${owner.name} @${owner.nodeId}${through}`);
  }
  if (suspect.location !== undefined) {
    lines.push(`     defined at             ${styleLocation(formatLocation(suspect.location))}`);
  }
  lines.push('     retainer path (GC root → object):');
  lines.push(formatRetainerPath(suspect.retainerPath, width, '       '));
  return lines;
}

function renderDiff(
  result: AnalysisResult,
  diff: readonly ClassDiffEntry[],
  top: number,
  style: Styler,
): string {
  const first = result.snapshots[0]?.file ?? 'first';
  const last = result.snapshots[result.snapshots.length - 1]?.file ?? 'last';
  const changed = diff
    .filter((entry) => entry.addedCount !== 0 || entry.removedCount !== 0)
    .sort(
      (a, b) =>
        Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || Math.abs(b.countDelta) - Math.abs(a.countDelta),
    );
  const heading = style.heading(`Diff by class, first → last snapshot (${first} → ${last})`);
  if (changed.length === 0)
    return `${heading}\nNo objects were added or removed between the first and the last snapshot.`;
  const rows = changed
    .slice(0, top)
    .map((entry) => [
      entry.name,
      entry.type,
      `+${formatCount(entry.addedCount)}`,
      `-${formatCount(entry.removedCount)}`,
      signed(formatCount(entry.countDelta), entry.countDelta),
      `+${formatBytes(entry.addedSize)}`,
      `-${formatBytes(entry.removedSize)}`,
      signed(formatBytes(entry.sizeDelta), entry.sizeDelta),
    ]);
  const note =
    changed.length > rows.length ? `\n  … ${changed.length - rows.length} more classes changed` : '';
  return `${heading}\n${renderTable(
    ['class', 'type', 'new', 'freed', 'Δ count', 'new size', 'freed size', 'Δ size'],
    rows,
    'llrrrrrr',
  )}${note}`;
}

function signed(text: string, value: number): string {
  return value > 0 ? `+${text}` : text;
}

function renderSummary(
  summary: readonly ClassSummaryEntry[],
  several: boolean,
  top: number,
  style: Styler,
): string {
  const scope = several ? ' in the last snapshot' : '';
  const shown = summary.slice(0, top);
  const heading = style.heading(
    summary.length > shown.length
      ? `Classes by retained size${scope} (top ${shown.length} of ${summary.length})`
      : `Classes by retained size${scope}`,
  );
  if (shown.length === 0) return `${heading}\n(no classes)`;
  const rows = shown.map((entry) => [
    entry.name,
    entry.type,
    formatCount(entry.count),
    formatBytes(entry.selfSize),
    formatBytes(entry.retainedSize),
  ]);
  return `${heading}\n${renderTable(['class', 'type', 'count', 'self size', 'retained size'], rows, 'llrrr')}`;
}

function renderLargest(largest: readonly LargestObject[], top: number, width: number, style: Styler): string {
  const shown = largest.slice(0, top);
  const heading = style.heading('Largest objects by retained size');
  if (shown.length === 0) return `${heading}\n(none)`;
  const blocks = shown.map((object, index) => {
    const lines = [
      `  ${index + 1}. ${style.suspect(object.name === '' ? `(${object.type})` : object.name)} @${object.id} ${style.dim(
        `(${object.type})`,
      )}: retains ${formatBytes(object.retainedSize)}, self ${formatBytes(object.selfSize)}`,
    ];
    if (object.location !== undefined) {
      lines.push(`     defined at ${style.location(formatLocation(object.location))}`);
    }
    lines.push(formatRetainerPath(object.retainerPath, width, '     '));
    return lines.join('\n');
  });
  return `${heading}\n${blocks.join('\n')}`;
}

/**
 * Pads every column to its widest cell; `alignments` has one `l`/`r` per column. ANSI colour codes in
 * a cell do not count towards its width.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  alignments: string,
): string {
  const visible = (text: string) => stripVTControlCharacters(text).length;
  const widths = headers.map((header, column) =>
    Math.max(visible(header), ...rows.map((row) => visible(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((cell, column) => {
        const pad = ' '.repeat(Math.max(0, (widths[column] ?? 0) - visible(cell)));
        return alignments[column] === 'r' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd()}`;
  return [line(headers), ...rows.map(line)].join('\n');
}

interface Styler {
  heading(text: string): string;
  suspect(text: string): string;
  location(text: string): string;
  dim(text: string): string;
}

function stylerFor(color: boolean): Styler {
  if (!color) {
    const plain = (text: string) => text;
    return { heading: plain, suspect: plain, location: plain, dim: plain };
  }
  // validateStream: false because the caller already decided; this function writes to no stream.
  const paint = (format: Parameters<typeof styleText>[0]) => (text: string) =>
    styleText(format, text, { validateStream: false });
  return {
    heading: paint('bold'),
    suspect: paint(['bold', 'red']),
    location: paint('cyan'),
    dim: paint('dim'),
  };
}
