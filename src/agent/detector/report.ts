import { formatBytes, formatDuration } from '../human-format.ts';
import type { AllocationSite } from './allocation-sites.ts';
import type { Census } from './census.ts';
import type { LeakingClass } from './comparison.ts';
import type { TrackedObjectStatus } from './tracking.ts';

export interface DetectorReportInput {
  /** Stored censuses, oldest first. */
  readonly censuses: readonly Census[];
  readonly leaks: readonly LeakingClass[];
  readonly threshold: number;
  readonly tracked: readonly TrackedObjectStatus[];
  readonly trackedDropped: number;
  /** Present while allocation sampling runs. */
  readonly allocations?: { readonly since: number; readonly sites: readonly AllocationSite[] };
  readonly top: number;
}

const methodNames = { queryObjects: 'v8.queryObjects', heapSnapshot: 'heap snapshot' } as const;

/** The plain-text report of `LeakDetector.report()`. */
export function formatDetectorReport(input: DetectorReportInput): string {
  const { censuses, top } = input;
  const first = censuses[0];
  const last = censuses.at(-1);
  const lines: string[] = [];
  if (first === undefined || last === undefined) {
    lines.push('memwatcher leak detector: no census yet (call snapshot(label) to take one).');
  } else {
    const span =
      first === last
        ? `1 census, "${last.label}"`
        : `${censuses.length} censuses, "${first.label}" → "${last.label}" over ${formatDuration(last.time - first.time)}`;
    lines.push(`memwatcher leak detector: ${span} (${methodNames[last.method]})`, '');
    lines.push(...memorySection(first, last), '');
    lines.push(`Top types (census "${last.label}"):`);
    const types = last.classes.slice(0, top);
    lines.push(
      ...(types.length === 0
        ? ['  (nothing counted: register classes or use a heap snapshot census)']
        : table(
            types.map((entry) => [
              entry.name,
              count(entry.count),
              entry.retainedSize === undefined ? '' : `retains ${formatBytes(entry.retainedSize)}`,
            ]),
          )),
    );
    lines.push('');
    if (first !== last) {
      lines.push(
        `Growing classes ("${first.label}" → "${last.label}", more than ${count(input.threshold)} new objects):`,
      );
      const leaks = input.leaks.slice(0, top);
      lines.push(
        ...(leaks.length === 0
          ? ['  (none)']
          : table(
              leaks.map((leak) => [
                leak.name,
                `+${count(leak.countDelta)}`,
                leak.counts.map((value) => (value === null ? '?' : count(value))).join(' → '),
                leak.bytesDelta === undefined ? '' : `${signed(leak.bytesDelta)} retained`,
                leak.steady ? 'grew in every census' : 'not steadily',
              ]),
            )),
      );
      lines.push('');
    }
  }
  lines.push(...trackedSection(input.tracked, input.trackedDropped));
  if (input.allocations !== undefined) lines.push('', ...allocationSection(input.allocations));
  return `${lines.join('\n')}\n`;
}

function memorySection(first: Census, last: Census): string[] {
  const rows: [string, number, number][] = [
    ['heap used', last.memory.heapUsed, first.memory.heapUsed],
    ['rss', last.memory.rss, first.memory.rss],
    ['external', last.memory.external, first.memory.external],
    ['array buffers', last.memory.arrayBuffers, first.memory.arrayBuffers],
  ];
  const heading =
    first === last
      ? `Memory after the forced GC (census "${last.label}"):`
      : `Memory after the forced GC (census "${last.label}", change since "${first.label}"):`;
  return [
    heading,
    ...table(
      rows.map(([name, now, then]) => [
        name,
        formatBytes(now),
        first === last ? '' : `(${signed(now - then)})`,
      ]),
    ),
    `  heap limit ${formatBytes(last.memory.heapLimit)}; detached contexts ${last.memory.detachedContexts}`,
    `  longest pause of the host during this census: ${Math.round(last.pauseMs)} ms`,
  ];
}

function trackedSection(tracked: readonly TrackedObjectStatus[], dropped: number): string[] {
  const collected = tracked.filter((entry) => !entry.alive).length;
  const note = dropped > 0 ? `; ${dropped} older entries dropped to stay within maxTracked` : '';
  if (tracked.length === 0) return [`Tracked objects: none${note}`];
  return [
    `Tracked objects (${tracked.length}, ${collected} collected${note}):`,
    ...table(
      tracked.map((entry) => [
        entry.name,
        entry.className,
        entry.alive ? 'alive' : 'collected',
        `${entry.alive ? 'age' : 'lived'} ${formatDuration(entry.ageMs)}`,
      ]),
    ),
  ];
}

function allocationSection(allocations: { since: number; sites: readonly AllocationSite[] }): string[] {
  const lines = [
    `Top allocation sites by live bytes (sampling since ${new Date(allocations.since).toISOString()}):`,
  ];
  if (allocations.sites.length === 0) lines.push('  (no live sampled allocations)');
  allocations.sites.forEach((site, index) => {
    lines.push(
      `  ${index + 1}. ${formatBytes(site.liveBytes)}  ${site.functionName}  ${where(site)}  (${site.samples} samples)`,
    );
    for (const frame of site.stack) lines.push(`       at ${frame.functionName} (${where(frame)})`);
  });
  return lines;
}

function where(frame: { url: string; line: number; column: number }): string {
  return frame.url === '' ? '(native)' : `${frame.url}:${frame.line}:${frame.column}`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [column, cell] of row.entries()) widths[column] = Math.max(widths[column] ?? 0, cell.length);
  }
  return rows.map((row) =>
    `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd(),
  );
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${formatBytes(bytes)}`;
}
