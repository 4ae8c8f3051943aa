/** Numbers as the rest of memwatcher writes them: base-1000 units (as DevTools and `memwatcher analyze`). */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** The index in `UNITS` that writes `bytes` as a number below 1000 (or the largest unit). */
function unitOf(bytes: number): number {
  let unit = 0;
  while (Math.abs(bytes) / 1000 ** unit >= 1000 && unit < UNITS.length - 1) unit++;
  return unit;
}

export function formatBytes(bytes: number | null | undefined, digits = 1): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '−' : '';
  const unit = unitOf(bytes);
  const value = Math.abs(bytes) / 1000 ** unit;
  return `${sign}${unit === 0 ? value.toFixed(0) : value.toFixed(value >= 100 ? 0 : digits)} ${UNITS[unit]}`;
}

/**
 * Axis labels for byte values: all in the unit of the largest, with as many decimals as the step
 * between ticks needs, so that neighbouring ticks never read the same ("2 MB, 2 MB, 1 MB").
 */
export function formatByteTicks(splits: readonly number[], step: number): string[] {
  const unit = unitOf(Math.max(0, ...splits.map((value) => Math.abs(value))));
  const stepInUnit = Math.abs(step) / 1000 ** unit;
  // The fewest decimals (at most 3) that write the step exactly: 0.25 MB steps need 2, 0.5 MB steps 1.
  let digits = 0;
  while (digits < 3 && Math.abs(Math.round(stepInUnit * 10 ** digits) - stepInUnit * 10 ** digits) > 1e-6)
    digits++;
  return splits.map((value) => {
    const sign = value < 0 ? '−' : '';
    return `${sign}${(Math.abs(value) / 1000 ** unit).toFixed(unit === 0 ? 0 : digits)} ${UNITS[unit]}`;
  });
}

export function formatSignedBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

export function formatCount(count: number | null | undefined): string {
  if (count === null || count === undefined) return '–';
  return count.toLocaleString('en-US');
}

export function formatSignedCount(count: number | null | undefined): string {
  if (count === null || count === undefined) return '–';
  return count > 0 ? `+${formatCount(count)}` : count < 0 ? `−${formatCount(-count)}` : '0';
}

export function formatGrowth(bytesPerMinute: number | null | undefined): string {
  if (bytesPerMinute === null || bytesPerMinute === undefined) return '–';
  return `${formatSignedBytes(bytesPerMinute)}/min`;
}

export function formatConfidence(confidence: number | null | undefined): string {
  if (confidence === null || confidence === undefined) return '–';
  if (confidence >= 0.9995) return '> 99.9 %';
  return `${(confidence * 100).toFixed(confidence >= 0.99 ? 1 : 0)} %`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${hours.toFixed(hours < 10 ? 1 : 0)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:03:27`, or `Mar 4 14:03` when not today. */
export function formatClock(time: number, now = Date.now()): string {
  const date = new Date(time);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (new Date(now).toDateString() === date.toDateString()) return clock;
  return `${date.toLocaleString('en-US', { month: 'short', day: 'numeric' })} ${clock.slice(0, 5)}`;
}

/** The last path segment: snapshot files are long absolute paths. */
export function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}
