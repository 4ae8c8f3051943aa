/**
 * The memory figures a sample carries, with their column names. Raw samples store each figure in
 * its column; rollups store `<column>_min`, `_max`, `_sum` and `_n` (samples that had the figure),
 * so a rollup of rollups keeps exact minimums, maximums and averages. SQL is built from these
 * constants only, never from input.
 */
export const SAMPLE_FIGURES = [
  { key: 'rss', column: 'rss' },
  { key: 'heapTotal', column: 'heap_total' },
  { key: 'heapUsed', column: 'heap_used' },
  { key: 'external', column: 'external' },
  { key: 'arrayBuffers', column: 'array_buffers' },
  { key: 'heapFloor', column: 'heap_floor' },
  { key: 'swap', column: 'swap' },
  { key: 'threads', column: 'threads' },
  { key: 'detachedContexts', column: 'detached_contexts' },
] as const;

export type SampleFigure = (typeof SAMPLE_FIGURES)[number]['key'];

/**
 * Summary columns of a group of raw samples, named as the rollup columns. `total()`, not `sum()`:
 * a sum of integers stays an integer, and a day of 10 GB RSS samples passes 2^53, which node:sqlite
 * refuses to return as a number; `total()` is a double.
 */
export function rawAggregateColumns(): string {
  const figures = SAMPLE_FIGURES.map(
    ({ column: c }) =>
      `min(${c}) AS ${c}_min, max(${c}) AS ${c}_max, total(${c}) AS ${c}_sum, count(${c}) AS ${c}_n`,
  );
  return [
    'count(*) AS samples',
    ...figures,
    'sum(gc_pause_ms) AS gc_pause_ms',
    'sum(gc_count) AS gc_count',
  ].join(', ');
}

/** Summary columns of a group of rollups: a summary of summaries keeps exact extremes and averages. */
export function aggregateColumns(): string {
  const figures = SAMPLE_FIGURES.map(
    ({ column: c }) =>
      `min(${c}_min) AS ${c}_min, max(${c}_max) AS ${c}_max, sum(${c}_sum) AS ${c}_sum, sum(${c}_n) AS ${c}_n`,
  );
  return [
    'sum(samples) AS samples',
    ...figures,
    'sum(gc_pause_ms) AS gc_pause_ms',
    'sum(gc_count) AS gc_count',
  ].join(', ');
}

/** The rollup columns in the order of {@link aggregateColumns}. */
export function rollupColumnNames(): string {
  const figures = SAMPLE_FIGURES.map(({ column: c }) => `${c}_min, ${c}_max, ${c}_sum, ${c}_n`);
  return ['samples', ...figures, 'gc_pause_ms', 'gc_count'].join(', ');
}
