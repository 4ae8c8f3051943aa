/** Short human renderings for one-line messages (stderr, alerts). Machine consumers use the numbers. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 → "1.5 KB" (powers of 1024, the unit V8 and `top` use). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** 5_400_000 → "1 h 30 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 === 0 ? '' : ` ${minutes % 60} min`}`;
  return `${Math.round(hours / 24)} d`;
}

/** Growth in bytes per minute as "+1.2 MB/min". */
export function formatGrowth(bytesPerMinute: number | undefined): string {
  if (bytesPerMinute === undefined) return 'unknown';
  return `${bytesPerMinute >= 0 ? '+' : ''}${formatBytes(bytesPerMinute)}/min`;
}
