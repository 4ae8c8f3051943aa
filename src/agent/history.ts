/**
 * Sample history in bounded ring buffers with downsampling tiers: every sample for the last hour,
 * one point per minute for the last day, one per ten minutes for the last 30 days (defaults). The
 * tiers share one Float64Array allocated once, so the memory is bounded at construction and does
 * not depend on how long the process runs: with the default tiers,
 * (3600 + 1440 + 4320) points × 11 fields × 8 bytes ≈ 0.8 MB, for a week or a year alike.
 *
 * Why one array, one row per point: the allocator hands a zeroed block this large straight from the
 * kernel (untouched pages cost no RSS), and rows fill it front to back, so resident memory grows with
 * the points actually held (one 4 KB page per 46 points) instead of the whole 0.8 MB at startup.
 * Measured on Node 24: 33 separate column arrays, one per field and tier, made 0.6 MB resident as
 * soon as the watcher was created (small blocks are zeroed by the allocator, which touches them).
 */

/** The figures kept for each point in time. */
export interface HistoryInput {
  readonly time: number;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Latest post-GC heap floor known at this time, `undefined` before the first major GC. */
  readonly heapFloor: number | undefined;
  /** GC pause since the previous sample. */
  readonly gcPauseMs: number;
  /** GCs since the previous sample. */
  readonly gcCount: number;
}

/**
 * One point of history. Coarser tiers hold averages of the sizes over `resolutionMs`, the lowest
 * `heapFloor`, and sums of GC pauses and counts; `samples` says how many samples a point stands for.
 */
export interface HistoryPoint extends HistoryInput {
  /** 0 for raw samples, otherwise the width of the time bucket this point summarizes. */
  readonly resolutionMs: number;
  readonly samples: number;
}

export interface HistoryTier {
  /** 0 keeps every sample; otherwise one point per `resolutionMs`. */
  readonly resolutionMs: number;
  /** Points kept in this tier. */
  readonly capacity: number;
}

export const DEFAULT_HISTORY_TIERS: readonly HistoryTier[] = [
  { resolutionMs: 0, capacity: 3600 },
  { resolutionMs: 60_000, capacity: 1440 },
  { resolutionMs: 600_000, capacity: 4320 },
];

const SIZE_FIELDS = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;
const COLUMNS = [
  'time',
  'samples',
  ...SIZE_FIELDS,
  'heapFloor',
  'gcPauseMs',
  'gcCount',
  // Samples in the bucket that carried a floor; zero means heapFloor is unknown.
  'floorSamples',
] as const;
type Column = (typeof COLUMNS)[number];

const FIELDS = COLUMNS.length;

class Tier {
  readonly resolutionMs: number;
  readonly capacity: number;
  /** `capacity` rows of `FIELDS` numbers, in the order of COLUMNS: a view on the history's array. */
  private readonly rows: Float64Array;
  private head = 0;
  length = 0;
  /** The bucket being filled (coarse tiers only): flushed as a point when a sample of a later bucket arrives. */
  private pending: Record<Column, number> | undefined;
  private pendingBucket = Number.NaN;

  constructor(tier: HistoryTier, rows: Float64Array) {
    this.resolutionMs = tier.resolutionMs;
    this.capacity = tier.capacity;
    this.rows = rows;
  }

  get bytes(): number {
    return this.rows.byteLength;
  }

  add(input: HistoryInput): void {
    if (this.resolutionMs === 0) {
      this.push(rowOf(input));
      return;
    }
    const bucket = Math.floor(input.time / this.resolutionMs);
    if (this.pending !== undefined && bucket !== this.pendingBucket) {
      this.push(this.pending);
      this.pending = undefined;
    }
    if (this.pending === undefined) {
      this.pending = rowOf(input);
      this.pendingBucket = bucket;
      return;
    }
    const row = this.pending;
    const n = row.samples;
    for (const field of SIZE_FIELDS) row[field] = (row[field] * n + input[field]) / (n + 1);
    row.samples = n + 1;
    row.time = input.time;
    row.gcPauseMs += input.gcPauseMs;
    row.gcCount += input.gcCount;
    if (input.heapFloor !== undefined) {
      row.heapFloor = row.floorSamples === 0 ? input.heapFloor : Math.min(row.heapFloor, input.heapFloor);
      row.floorSamples++;
    }
  }

  /** Points oldest first, including the bucket still being filled. */
  points(): HistoryPoint[] {
    const points: HistoryPoint[] = [];
    for (let i = 0; i < this.length; i++) points.push(this.pointAt((this.head + i) % this.capacity));
    if (this.pending !== undefined) points.push(pointOf(this.pending, this.resolutionMs));
    return points;
  }

  private push(row: Record<Column, number>): void {
    const offset = ((this.head + this.length) % this.capacity) * FIELDS;
    for (let k = 0; k < FIELDS; k++) this.rows[offset + k] = row[COLUMNS[k]!];
    if (this.length < this.capacity) this.length++;
    else this.head = (this.head + 1) % this.capacity;
  }

  private pointAt(index: number): HistoryPoint {
    const offset = index * FIELDS;
    const row = Object.fromEntries(COLUMNS.map((c, k) => [c, this.rows[offset + k]!])) as Record<
      Column,
      number
    >;
    return pointOf(row, this.resolutionMs);
  }
}

function rowOf(input: HistoryInput): Record<Column, number> {
  return {
    time: input.time,
    samples: 1,
    rss: input.rss,
    heapTotal: input.heapTotal,
    heapUsed: input.heapUsed,
    external: input.external,
    arrayBuffers: input.arrayBuffers,
    heapFloor: input.heapFloor ?? 0,
    gcPauseMs: input.gcPauseMs,
    gcCount: input.gcCount,
    floorSamples: input.heapFloor === undefined ? 0 : 1,
  };
}

function pointOf(row: Record<Column, number>, resolutionMs: number): HistoryPoint {
  return {
    time: row.time,
    resolutionMs,
    samples: row.samples,
    rss: row.rss,
    heapTotal: row.heapTotal,
    heapUsed: row.heapUsed,
    external: row.external,
    arrayBuffers: row.arrayBuffers,
    heapFloor: row.floorSamples === 0 ? undefined : row.heapFloor,
    gcPauseMs: row.gcPauseMs,
    gcCount: row.gcCount,
  };
}

/**
 * @example
 * const history = new TieredHistory();
 * history.add({ time: Date.now(), rss, heapTotal, heapUsed, external, arrayBuffers, heapFloor, gcPauseMs: 0, gcCount: 0 });
 * history.points(); // oldest first, coarse points only where the fine tiers no longer reach
 */
export class TieredHistory {
  private readonly tiers: Tier[];

  constructor(tiers: readonly HistoryTier[] = DEFAULT_HISTORY_TIERS) {
    const all = new Float64Array(tiers.reduce((sum, tier) => sum + tier.capacity * FIELDS, 0));
    let start = 0;
    this.tiers = tiers.map((tier) => {
      const rows = all.subarray(start, start + tier.capacity * FIELDS);
      start += tier.capacity * FIELDS;
      return new Tier(tier, rows);
    });
  }

  add(input: HistoryInput): void {
    for (const tier of this.tiers) tier.add(input);
  }

  /**
   * One chronological series: the finest tier's points, preceded by coarser points older than
   * anything the finer tiers still hold. `since` (ms since epoch) drops older points.
   */
  points(since = Number.NEGATIVE_INFINITY): HistoryPoint[] {
    let result: HistoryPoint[] = [];
    let oldestKept = Number.POSITIVE_INFINITY;
    for (const tier of this.tiers) {
      const points = tier.points();
      const older = points.filter((p) => p.time < oldestKept);
      // Coarse points that overlap what a finer tier holds are skipped; a coarse point still being
      // filled is one of them as soon as the finer tier has samples.
      result = older.concat(result);
      if (points.length > 0 && points[0]!.time < oldestKept) oldestKept = points[0]!.time;
    }
    return result.filter((p) => p.time >= since);
  }

  /** Bytes held by the ring buffers: fixed at construction. */
  get retainedBytes(): number {
    return this.tiers.reduce((sum, tier) => sum + tier.bytes, 0);
  }

  /** Points held in each tier (for tests and diagnostics). */
  get tierSizes(): number[] {
    return this.tiers.map((tier) => tier.length);
  }
}
