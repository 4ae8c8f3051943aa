/**
 * The words and numbers every report form shares, so the HTML, the text and a chart's labels say the
 * same thing in the same units (base 1000, as `memwatcher analyze` and DevTools).
 */
import { formatBytes } from './analysis-text.ts';
import type { Report } from './build-report.ts';
import type { JudgedFigure, LeakCulprit, VerdictPoint } from './report-model.ts';

export { formatBytes, formatCount } from './analysis-text.ts';

export type VerdictTone = 'leak' | 'growing' | 'ok' | 'pending';

export interface VerdictHeadline {
  readonly tone: VerdictTone;
  /** A few words: `Leak in the JS heap`. */
  readonly title: string;
  /** One sentence with the numbers. */
  readonly detail: string;
}

const CULPRIT_WORDS: Record<LeakCulprit, { where: string; figure: string }> = {
  'js-heap': { where: 'the JS heap', figure: 'heap floor after GC' },
  external: { where: 'external memory (Buffers, ArrayBuffers)', figure: 'external memory' },
  native: { where: 'native memory', figure: 'native memory (RSS not explained by the JS heap)' },
};

/**
 * What the run's final verdict says, for a banner or the first line of a text report.
 *
 * @example
 * verdictHeadline(buildReport(model)); // { tone: 'leak', title: 'Leak in the JS heap', detail: 'heap floor after GC grows +9.0 MB/min …' }
 */
export function verdictHeadline(report: Report): VerdictHeadline {
  const verdict = report.verdict.final;
  if (verdict === null) {
    return {
      tone: 'pending',
      title: 'No verdict',
      detail:
        report.run.watchedBy === 'agent'
          ? 'The run ended before the leak verdict was reached (too short, or nothing was sampled).'
          : 'No leak verdict was recorded for this run.',
    };
  }
  const growth = growthWords(verdict);
  switch (verdict.status) {
    case 'leak': {
      const words = CULPRIT_WORDS[verdict.culprit ?? 'js-heap'];
      const limit =
        verdict.timeToHeapLimitMs !== null && verdict.culprit === 'js-heap'
          ? `; at this rate the heap limit is reached in ~${formatDuration(verdict.timeToHeapLimitMs)}`
          : '';
      const called =
        report.verdict.leakCalledAt === null
          ? ''
          : ` Called ${formatDuration(report.verdict.leakCalledAt - report.run.startedAt)} after start.`;
      return {
        tone: 'leak',
        title: `Leak in ${words.where}`,
        detail: `The ${words.figure} grows ${growth}${limit}.${called}`,
      };
    }
    case 'growing':
      return {
        tone: 'growing',
        title: 'Growing, not a leak (yet)',
        detail: `The ${FIGURE_WORDS[verdict.figure]} grows ${growth}, but not for long enough to call it a leak: a cache being filled looks like this until it levels off.`,
      };
    case 'stable':
      return {
        tone: 'ok',
        title: 'No leak',
        detail: 'Memory after garbage collection is stable: no significant, sustained growth.',
      };
    default:
      return {
        tone: 'pending',
        title: 'Not enough data for a verdict',
        detail:
          verdict.status === 'warming-up'
            ? 'The run ended during the warm-up, when startup allocations are not judged.'
            : 'Too few major garbage collections to judge the heap floor.',
      };
  }
}

/**
 * Why a report shows no leak suspects: none were looked for, one snapshot cannot show accumulation,
 * or the snapshots were compared and nothing accumulated.
 */
export function noSuspectsReason(report: Report): string {
  const taken = report.snapshots.length;
  switch (report.analyzedSnapshots) {
    case 0:
      return taken === 0
        ? 'No heap snapshots were taken or analyzed for this run, so there are no suspects to show.'
        : `No heap snapshots were analyzed for this run (${taken} ${taken === 1 ? 'was' : 'were'} taken: memwatcher analyze compares them).`;
    case 1:
      return 'Only one heap snapshot was analyzed: finding what accumulates takes two or more.';
    default:
      return `None: nothing kept accumulating across the ${report.analyzedSnapshots} analyzed heap snapshots.`;
  }
}

/** What a verdict's growth figure is, in a few words: `heap floor after GC`, `RSS`. */
export const FIGURE_WORDS: Record<JudgedFigure, string> = {
  heapFloor: 'heap floor after GC',
  external: 'external memory',
  native: 'native memory',
  rss: 'RSS',
};

function growthWords(verdict: VerdictPoint): string {
  if (verdict.growthBytesPerMinute === null) return 'at an unknown rate';
  const confidence = verdict.confidence === null ? '' : ` (confidence ${formatPercent(verdict.confidence)})`;
  return `${formatGrowth(verdict.growthBytesPerMinute)}${confidence}`;
}

/** `+1.5 MB/min`. */
export function formatGrowth(bytesPerMinute: number): string {
  return `${bytesPerMinute > 0 ? '+' : ''}${formatBytes(Math.round(bytesPerMinute))}/min`;
}

/** 0.9991 → `99.9%`; never rounds a share below 1 up to 100%. */
export function formatPercent(share: number): string {
  const percent = Math.floor(share * 1000) / 10;
  return `${percent.toFixed(1)}%`;
}

/**
 * A length of time for people: `850 ms`, `14.8 s`, `3 min 20 s`, `28 min`, `2 h 5 min`, `3 d 4 h`.
 *
 * @example
 * formatDuration(200_000); // '3 min 20 s'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 600) return joinUnits(Math.floor(seconds / 60), 'min', seconds % 60, 's');
  // Beyond ten minutes seconds are noise (and projections are rough anyway).
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 48 * 60) return joinUnits(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
  const hours = Math.round(minutes / 60);
  return joinUnits(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function joinUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}

/** A pause in ms with sensible precision: `0.42 ms`, `6.6 ms`, `120 ms`. */
export function formatPause(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Wall-clock time as `2025-11-25 16:29:05` (local time of the machine rendering the report). */
export function formatClock(time: number): string {
  const date = new Date(time);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`;
}

/** The run's facts for a report's header: pid, what watched it, when, how long, how it ended. */
export function runFacts(run: Report['run']): string[] {
  return [
    run.pid === null ? null : `pid ${run.pid}`,
    run.nodeVersion === null
      ? run.watchedBy === 'proc'
        ? 'watched from outside'
        : null
      : `Node ${run.nodeVersion}`,
    `started ${formatClock(run.startedAt)}`,
    run.durationMs === null ? 'still running' : `ran ${formatDuration(run.durationMs)}`,
    run.signal !== null
      ? `killed by ${run.signal}`
      : run.exitCode === null
        ? null
        : `exit code ${run.exitCode}`,
  ].filter((part) => part !== null);
}

/** A command line as a shell would show it (arguments with spaces or quotes quoted). */
export function formatCommand(command: readonly string[]): string {
  return command
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
