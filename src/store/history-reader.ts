import type { DatabaseSync, SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { GC_KINDS, type GcKind } from '../agent/gc-observer.ts';
import { checkNumber } from '../agent/option-checks.ts';
import { InvalidOptionError, InvalidStateError } from '../errors.ts';
import { DEFAULT_GC_PAUSE_BOUNDS_MS } from './gc-pause-bounds.ts';
import type {
  EventQuery,
  FigureRange,
  GcPauseHistogram,
  RunMode,
  SamplePoint,
  SampleSeries,
  StoredAlert,
  StoredAnalysis,
  StoredAnalysisSummary,
  StoredFault,
  StoredGcEvent,
  StoredProcess,
  StoredRun,
  StoredSnapshot,
  StoredVerdict,
} from './history-types.ts';
import { closeQuietly, openForReading } from './open-database.ts';
import { aggregateColumns, rawAggregateColumns, SAMPLE_FIGURES } from './sample-figures.ts';
import { readError } from './sqlite-errors.ts';

export interface SampleQuery {
  /** Which process of the run; default the first one heard from that has samples. */
  readonly pid?: number;
  /** ms since epoch, inclusive; default the first sample. */
  readonly from?: number;
  /** ms since epoch, inclusive; default the last sample. */
  readonly to?: number;
  /** At most this many points; each summarizes a time bucket (min/max/avg). Default 1000. */
  readonly maxPoints?: number;
}

export interface GcPauseQuery {
  readonly pid?: number;
  readonly from?: number;
  readonly to?: number;
  /** Upper bounds of the histogram's buckets in ms, ascending; one more bucket holds longer pauses. */
  readonly boundsMs?: readonly number[];
}

type Row = Record<string, SQLOutputValue>;

/**
 * Reads history while a writer may still be writing it (WAL: each query sees the last committed
 * batch, and neither side waits for the other). Queries throw `StoreError` (`ERR_STORE_READ`).
 * @example
 * const history = openHistoryReader('memwatcher.db');
 * const [run] = history.runs();
 * const series = history.samples(run.id, { maxPoints: 600 });
 * for (const point of series.points) console.log(point.time, point.heapUsed?.max);
 * history.close();
 */
export class HistoryReader {
  readonly file: string;
  private readonly db: DatabaseSync;
  /** Kept here rather than read from `db.isOpen`, which Node 22.12–22.14 lacks (undefined). */
  private closed = false;

  /** Use {@link openHistoryReader}. */
  constructor(file: string, db: DatabaseSync) {
    this.file = file;
    this.db = db;
  }

  /** Every run, the most recent first, with its processes. */
  runs(): StoredRun[] {
    return this.query(() => {
      const rows = this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC, id DESC').all();
      return rows.map((row) => this.toRun(row));
    });
  }

  run(runId: number): StoredRun | undefined {
    return this.query(() => {
      const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId);
      return row === undefined ? undefined : this.toRun(row);
    });
  }

  /**
   * A process's samples in a time range, downsampled to at most `maxPoints` buckets of equal width.
   * Each point has the lowest, highest and average value of each figure in its bucket, so a spike
   * shows in the maximum however far one zooms out. Raw samples and older summaries mix freely.
   */
  samples(runId: number, options: SampleQuery = {}): SampleSeries {
    const maxPoints =
      checkNumber('maxPoints', options.maxPoints, { min: 1, max: 1_000_000, integer: true }) ?? 1000;
    return this.query(() => {
      const process = this.pickProcess(runId, options.pid);
      const from = Math.round(options.from ?? process?.firstSample ?? 0);
      const to = Math.round(options.to ?? process?.lastSample ?? from);
      const bucketMs = Math.max(1, Math.ceil((to - from + 1) / maxPoints));
      if (process === undefined || to < from)
        return { runId, pid: process?.pid ?? null, from, to, bucketMs, points: [] };
      const where = 'run_id = :run AND pid = :pid AND time >= :from AND time <= :to';
      const bucket =
        'CAST((time - :from) / :bucket AS INTEGER) AS bucket, min(time) AS first_time, max(time) AS last_time';
      const params = { run: runId, pid: process.pid, from, to, bucket: bucketMs };
      // Two grouped reads merged here rather than one over a UNION ALL: half the time on a day of samples.
      const raw = this.db
        .prepare(`SELECT ${bucket}, ${rawAggregateColumns()} FROM samples WHERE ${where} GROUP BY bucket`)
        .all(params);
      const summarized = this.db
        .prepare(`SELECT ${bucket}, ${aggregateColumns()} FROM sample_rollups WHERE ${where} GROUP BY bucket`)
        .all(params);
      const points = mergeBuckets(raw, summarized).map(toSamplePoint);
      return { runId, pid: process.pid, from, to, bucketMs, points };
    });
  }

  /** GC pauses counted by duration, one histogram per GC kind present. */
  gcPauses(runId: number, options: GcPauseQuery = {}): GcPauseHistogram[] {
    const bounds = checkBounds(options.boundsMs ?? DEFAULT_GC_PAUSE_BOUNDS_MS);
    return this.query(() => {
      const { clause, params } = eventFilter(runId, options);
      const cases = bounds.map((bound, i) => `WHEN duration_ms < ${bound} THEN ${i}`).join(' ');
      const rows = this.db
        .prepare(`
          SELECT kind, bucket, count(*) AS count, sum(duration_ms) AS total, max(duration_ms) AS longest
          FROM (SELECT kind, duration_ms, CASE ${cases} ELSE ${bounds.length} END AS bucket
                FROM gc_events WHERE ${clause})
          GROUP BY kind, bucket`)
        .all(params);
      const byKind = new Map<GcKind, { count: number; total: number; longest: number; counts: number[] }>();
      for (const row of rows) {
        const kind = row.kind as GcKind;
        let histogram = byKind.get(kind);
        if (histogram === undefined) {
          histogram = {
            count: 0,
            total: 0,
            longest: 0,
            counts: new Array<number>(bounds.length + 1).fill(0),
          };
          byKind.set(kind, histogram);
        }
        histogram.count += Number(row.count);
        histogram.total += Number(row.total);
        histogram.longest = Math.max(histogram.longest, Number(row.longest));
        histogram.counts[Number(row.bucket)] = Number(row.count);
      }
      const kinds = [...byKind.keys()].sort((a, b) => GC_KINDS.indexOf(a) - GC_KINDS.indexOf(b));
      return kinds.map((kind) => {
        const histogram = byKind.get(kind)!;
        return {
          kind,
          count: histogram.count,
          totalPauseMs: histogram.total,
          maxPauseMs: histogram.longest,
          buckets: histogram.counts.map((count, i) => ({
            fromMs: i === 0 ? 0 : bounds[i - 1]!,
            toMs: bounds[i] ?? null,
            count,
          })),
        };
      });
    });
  }

  gcEvents(runId: number, query: EventQuery = {}): StoredGcEvent[] {
    return this.events('gc_events', runId, query, (row) => ({
      pid: Number(row.pid),
      time: Number(row.time),
      kind: row.kind as GcKind,
      durationMs: Number(row.duration_ms),
      heapFloor: nullableNumber(row.heap_floor),
      externalFloor: nullableNumber(row.external_floor),
    }));
  }

  alerts(runId: number, query: EventQuery = {}): StoredAlert[] {
    return this.events('alerts', runId, query, (row) => ({
      id: Number(row.id),
      pid: Number(row.pid),
      time: Number(row.time),
      alert: JSON.parse(String(row.alert)),
    }));
  }

  /** The verdict history: each change of status, and the verdicts the agent announced as leaks. */
  verdicts(runId: number, query: EventQuery = {}): StoredVerdict[] {
    return this.events('verdicts', runId, query, (row) => ({
      pid: Number(row.pid),
      time: Number(row.time),
      leakEvent: Number(row.leak_event) === 1,
      verdict: JSON.parse(String(row.verdict)),
    }));
  }

  snapshots(runId: number, query: EventQuery = {}): StoredSnapshot[] {
    return this.events('snapshots', runId, query, (row) => ({
      id: Number(row.id),
      pid: Number(row.pid),
      time: Number(row.time),
      file: String(row.file),
      bytes: Number(row.bytes),
      label: String(row.label),
      durationMs: nullableNumber(row.duration_ms),
    }));
  }

  analyses(runId: number, query: EventQuery = {}): StoredAnalysis[] {
    return this.events('analyses', runId, query, toAnalysis);
  }

  /** The analyses without their results: a result is the whole `analyze --json`, parsed only on demand. */
  analysisSummaries(runId: number, query: EventQuery = {}): StoredAnalysisSummary[] {
    return this.events('analyses', runId, query, toAnalysisSummary, ANALYSIS_SUMMARY_COLUMNS);
  }

  /** One analysis by its id, whichever run it belongs to. */
  analysis(id: number): StoredAnalysis | undefined {
    return this.query(() => {
      const row = this.db.prepare('SELECT * FROM analyses WHERE id = ?').get(id);
      return row === undefined ? undefined : toAnalysis(row);
    });
  }

  /** Run-time faults the agent reported (its `error` messages). */
  faults(runId: number, query: EventQuery = {}): StoredFault[] {
    return this.events('faults', runId, query, (row) => ({
      pid: Number(row.pid),
      time: Number(row.time),
      code: String(row.code),
      message: String(row.message),
    }));
  }

  close(): void {
    this.closed = true;
    closeQuietly(this.db);
  }

  private events<T>(
    table: string,
    runId: number,
    query: EventQuery,
    toEvent: (row: Row) => T,
    columns = '*',
  ): T[] {
    const limit = checkNumber('limit', query.limit, { min: 1, integer: true });
    return this.query(() => {
      const { clause, params } = eventFilter(runId, query);
      // The most recent `limit` rows, returned oldest first.
      const rows = this.db
        .prepare(
          `SELECT ${columns} FROM ${table} WHERE ${clause} ORDER BY time DESC, rowid DESC LIMIT :limit`,
        )
        .all({ ...params, limit: limit ?? -1 });
      return rows.reverse().map((row) => toEvent(row));
    });
  }

  private toRun(row: Row): StoredRun {
    const id = Number(row.id);
    const processes = this.db
      .prepare(`
        SELECT p.*,
          (SELECT min(time) FROM samples s WHERE s.run_id = p.run_id AND s.pid = p.pid) AS first_raw,
          (SELECT max(time) FROM samples s WHERE s.run_id = p.run_id AND s.pid = p.pid) AS last_raw,
          (SELECT min(time) FROM sample_rollups r WHERE r.run_id = p.run_id AND r.pid = p.pid) AS first_rollup,
          (SELECT max(time) FROM sample_rollups r WHERE r.run_id = p.run_id AND r.pid = p.pid) AS last_rollup
        FROM processes p WHERE p.run_id = ? ORDER BY p.first_seen, p.pid`)
      .all(id)
      .map(toProcess);
    return {
      id,
      mode: String(row.mode) as RunMode,
      argv: JSON.parse(String(row.argv)),
      hostname: String(row.hostname),
      startedAt: Number(row.started_at),
      endedAt: nullableNumber(row.ended_at),
      exitCode: nullableNumber(row.exit_code),
      signal: row.signal === null ? null : String(row.signal),
      processes,
    };
  }

  private pickProcess(runId: number, pid: number | undefined): StoredProcess | undefined {
    const processes = this.run(runId)?.processes ?? [];
    if (pid !== undefined) return processes.find((p) => p.pid === pid);
    return processes.find((p) => p.firstSample !== null) ?? processes[0];
  }

  private query<T>(read: () => T): T {
    if (this.closed) throw new InvalidStateError(`The history reader for ${this.file} is closed.`);
    try {
      return read();
    } catch (error) {
      throw readError(error, this.file);
    }
  }
}

/**
 * Opens a history file to read (report, dashboard), also while a writer writes it. Throws
 * `StoreError`: `ERR_STORE_OPEN` (missing, not a history file), `ERR_STORE_VERSION`.
 * @example
 * const history = openHistoryReader('memwatcher.db');
 * console.log(history.runs().map((run) => `${run.id} ${run.argv.join(' ')}`));
 */
export function openHistoryReader(file: string): HistoryReader {
  return new HistoryReader(file, openForReading(file));
}

function eventFilter(
  runId: number,
  query: { readonly pid?: number; readonly from?: number; readonly to?: number },
): { clause: string; params: Record<string, SQLInputValue> } {
  return {
    clause:
      'run_id = :run AND (:pid IS NULL OR pid = :pid) AND (:from IS NULL OR time >= :from) AND (:to IS NULL OR time <= :to)',
    params: { run: runId, pid: query.pid ?? null, from: query.from ?? null, to: query.to ?? null },
  };
}

function checkBounds(bounds: readonly number[]): readonly number[] {
  if (
    bounds.length === 0 ||
    !bounds.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > bounds[i - 1]!))
  ) {
    throw new InvalidOptionError(
      'boundsMs',
      `must be positive numbers in ascending order, got [${bounds.join(', ')}].`,
    );
  }
  return bounds;
}

function toProcess(row: Row): StoredProcess {
  const known = (...values: (SQLOutputValue | undefined)[]) =>
    values.filter((v) => v !== null && v !== undefined).map(Number);
  const firsts = known(row.first_raw, row.first_rollup);
  const lasts = known(row.last_raw, row.last_rollup);
  return {
    pid: Number(row.pid),
    firstSeen: Number(row.first_seen),
    argv: row.argv === null ? null : JSON.parse(String(row.argv)),
    nodeVersion: row.node_version === null ? null : String(row.node_version),
    intervalMs: nullableNumber(row.interval_ms),
    heapLimit: nullableNumber(row.heap_limit),
    firstSample: firsts.length === 0 ? null : Math.min(...firsts),
    lastSample: lasts.length === 0 ? null : Math.max(...lasts),
  };
}

/** Buckets of raw samples and of rollups, in time order; a bucket found in both is combined. */
function mergeBuckets(raw: Row[], summarized: Row[]): Row[] {
  if (summarized.length === 0) return raw;
  const byBucket = new Map<number, Row>();
  for (const row of [...summarized, ...raw]) {
    const key = Number(row.bucket);
    const other = byBucket.get(key);
    byBucket.set(key, other === undefined ? row : combine(other, row));
  }
  return [...byBucket.keys()].sort((a, b) => a - b).map((key) => byBucket.get(key)!);
}

function combine(a: Row, b: Row): Row {
  const pick = (
    x: SQLOutputValue | undefined,
    y: SQLOutputValue | undefined,
    how: (p: number, q: number) => number,
  ) =>
    x === null || x === undefined
      ? (y ?? null)
      : y === null || y === undefined
        ? x
        : how(Number(x), Number(y));
  const sum = (p: number, q: number) => p + q;
  const combined: Row = {
    bucket: a.bucket ?? null,
    first_time: pick(a.first_time, b.first_time, Math.min),
    last_time: pick(a.last_time, b.last_time, Math.max),
    samples: pick(a.samples, b.samples, sum),
    gc_pause_ms: pick(a.gc_pause_ms, b.gc_pause_ms, sum),
    gc_count: pick(a.gc_count, b.gc_count, sum),
  };
  for (const { column: c } of SAMPLE_FIGURES) {
    combined[`${c}_min`] = pick(a[`${c}_min`], b[`${c}_min`], Math.min);
    combined[`${c}_max`] = pick(a[`${c}_max`], b[`${c}_max`], Math.max);
    combined[`${c}_sum`] = pick(a[`${c}_sum`], b[`${c}_sum`], sum);
    combined[`${c}_n`] = pick(a[`${c}_n`], b[`${c}_n`], sum);
  }
  return combined;
}

function toSamplePoint(row: Row): SamplePoint {
  const range = (column: string): FigureRange | null => {
    const n = Number(row[`${column}_n`]);
    if (!(n > 0)) return null;
    return {
      min: Number(row[`${column}_min`]),
      max: Number(row[`${column}_max`]),
      avg: Number(row[`${column}_sum`]) / n,
    };
  };
  const figures = Object.fromEntries(SAMPLE_FIGURES.map(({ key, column }) => [key, range(column)]));
  return {
    time: Number(row.first_time),
    lastTime: Number(row.last_time),
    samples: Number(row.samples),
    ...(figures as Record<(typeof SAMPLE_FIGURES)[number]['key'], FigureRange | null>),
    gcPauseMs: Number(row.gc_pause_ms ?? 0),
    gcCount: Number(row.gc_count ?? 0),
  };
}

function nullableNumber(value: SQLOutputValue | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

const ANALYSIS_SUMMARY_COLUMNS = 'id, pid, time, files, suspects, duration_ms';

function toAnalysisSummary(row: Row): StoredAnalysisSummary {
  return {
    id: Number(row.id),
    pid: nullableNumber(row.pid),
    time: Number(row.time),
    files: JSON.parse(String(row.files)),
    suspectCount: Number(row.suspects),
    durationMs: nullableNumber(row.duration_ms),
  };
}

function toAnalysis(row: Row): StoredAnalysis {
  return { ...toAnalysisSummary(row), result: JSON.parse(String(row.result)) };
}
