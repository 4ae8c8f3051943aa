import type { DatabaseSync } from 'node:sqlite';
import { checkNumber, checkObject } from '../agent/option-checks.ts';
import { InvalidOptionError } from '../errors.ts';
import {
  aggregateColumns,
  rawAggregateColumns,
  rollupColumnNames,
  SAMPLE_FIGURES,
} from './sample-figures.ts';
import { RUN_TABLES } from './schema.ts';
import { rollbackOpenTransaction } from './sqlite-module.ts';

/**
 * How much history a file keeps. Samples move down tiers like the agent's in-memory history:
 * every sample while recent, then one summary per minute, then one per ten minutes, then nothing.
 * A summary keeps each figure's minimum, maximum and average, so a spike stays visible in a chart
 * of last month. Other events are small (verdicts change rarely, alerts have cooldowns) and live as
 * long as their run, except GC events, which a busy process emits every few seconds.
 *
 * Ages are measured from the wall clock when retention runs (at open, then every
 * `retentionIntervalMs` of the writer).
 */
export interface RetentionPolicy {
  /**
   * Samples older than `maxAgeMs`, or beyond the newest `maxRowsPerProcess` of a process (a short
   * sampling interval), are summarized into the first rollup tier.
   */
  readonly rawSamples: { readonly maxAgeMs: number; readonly maxRowsPerProcess: number };
  /**
   * Summary tiers, finest first; each resolution a multiple of the one before. Rows older than a
   * tier's `maxAgeMs` are summarized into the next tier; the last tier's are deleted.
   */
  readonly rollups: readonly { readonly resolutionMs: number; readonly maxAgeMs: number }[];
  /** GC events older than `maxAgeMs`, or beyond the newest `maxRowsPerProcess`, are deleted. */
  readonly gcEvents: { readonly maxAgeMs: number; readonly maxRowsPerProcess: number };
  /**
   * Runs whose last activity (end, or last sample when the writer was killed) is older than
   * `maxAgeMs` are deleted with all their rows; beyond `maxRuns`, the oldest runs go. Never deleted:
   * the runs the writer itself has open, and runs without an end that were active in the last day
   * (another memwatcher process may be writing them). Snapshot files on disk are not touched.
   */
  readonly runs: { readonly maxAgeMs: number; readonly maxRuns: number };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A run without an end that was active this recently may belong to another writer still running. */
const OTHER_WRITER_GRACE_MS = DAY;

/**
 * At a 1 s interval: one day of raw samples (86 400 rows, ~7 MB), a week of minutes, 90 days of ten
 * minutes; after the first day a process adds ~1 440 rollup rows a day.
 */
export const DEFAULT_RETENTION: RetentionPolicy = {
  rawSamples: { maxAgeMs: DAY, maxRowsPerProcess: 200_000 },
  rollups: [
    { resolutionMs: 60_000, maxAgeMs: 7 * DAY },
    { resolutionMs: 600_000, maxAgeMs: 90 * DAY },
  ],
  gcEvents: { maxAgeMs: 7 * DAY, maxRowsPerProcess: 200_000 },
  runs: { maxAgeMs: 90 * DAY, maxRuns: 1000 },
};

/** A partial policy (each group optional, each field optional) merged over the defaults. */
export type RetentionOptions = {
  readonly rawSamples?: Partial<RetentionPolicy['rawSamples']>;
  readonly rollups?: RetentionPolicy['rollups'];
  readonly gcEvents?: Partial<RetentionPolicy['gcEvents']>;
  readonly runs?: Partial<RetentionPolicy['runs']>;
};

/** Checks and completes a policy; throws `InvalidOptionError` naming the bad field. */
export function resolveRetention(options: RetentionOptions | undefined): RetentionPolicy {
  const root = checkObject('retention', options, ['rawSamples', 'rollups', 'gcEvents', 'runs']) ?? {};
  const age = { min: 1, integer: true, unit: 'ms' } as const;
  const rows = { min: 1, integer: true } as const;
  const raw = checkObject('retention.rawSamples', root.rawSamples, ['maxAgeMs', 'maxRowsPerProcess']) ?? {};
  const gc = checkObject('retention.gcEvents', root.gcEvents, ['maxAgeMs', 'maxRowsPerProcess']) ?? {};
  const runs = checkObject('retention.runs', root.runs, ['maxAgeMs', 'maxRuns']) ?? {};
  const d = DEFAULT_RETENTION;
  return {
    rawSamples: {
      maxAgeMs: checkNumber('retention.rawSamples.maxAgeMs', raw.maxAgeMs, age) ?? d.rawSamples.maxAgeMs,
      maxRowsPerProcess:
        checkNumber('retention.rawSamples.maxRowsPerProcess', raw.maxRowsPerProcess, rows) ??
        d.rawSamples.maxRowsPerProcess,
    },
    rollups: root.rollups === undefined ? d.rollups : checkTiers(root.rollups),
    gcEvents: {
      maxAgeMs: checkNumber('retention.gcEvents.maxAgeMs', gc.maxAgeMs, age) ?? d.gcEvents.maxAgeMs,
      maxRowsPerProcess:
        checkNumber('retention.gcEvents.maxRowsPerProcess', gc.maxRowsPerProcess, rows) ??
        d.gcEvents.maxRowsPerProcess,
    },
    runs: {
      maxAgeMs: checkNumber('retention.runs.maxAgeMs', runs.maxAgeMs, age) ?? d.runs.maxAgeMs,
      maxRuns: checkNumber('retention.runs.maxRuns', runs.maxRuns, rows) ?? d.runs.maxRuns,
    },
  };
}

function checkTiers(value: unknown): RetentionPolicy['rollups'] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidOptionError(
      'retention.rollups',
      'must be a non-empty array of { resolutionMs, maxAgeMs }.',
    );
  }
  let previous = 1;
  return value.map((tier: unknown, i) => {
    const name = `retention.rollups[${i}]`;
    const fields = checkObject(name, tier, ['resolutionMs', 'maxAgeMs']) ?? {};
    const resolutionMs = checkNumber(`${name}.resolutionMs`, fields.resolutionMs, { min: 1, integer: true });
    const maxAgeMs = checkNumber(`${name}.maxAgeMs`, fields.maxAgeMs, { min: 1, integer: true });
    if (resolutionMs === undefined || maxAgeMs === undefined) {
      throw new InvalidOptionError(name, 'needs both resolutionMs and maxAgeMs.');
    }
    if (resolutionMs % previous !== 0 || resolutionMs === previous) {
      // A bucket must lie inside one bucket of the next tier, or merging would smear it over two.
      throw new InvalidOptionError(
        `${name}.resolutionMs`,
        `must be a larger multiple of the tier before (${previous} ms), got ${resolutionMs}.`,
      );
    }
    previous = resolutionMs;
    return { resolutionMs, maxAgeMs };
  });
}

/** Merge of two summaries of the same bucket (late samples rolled into a bucket already summarized). */
function mergeAssignments(): string {
  const merged = (column: string, how: 'min' | 'max' | 'sum') =>
    how === 'sum'
      ? `${column} = coalesce(${column} + excluded.${column}, ${column}, excluded.${column})`
      : // SQLite's two-argument min/max are NULL when either side is: keep the known one.
        `${column} = coalesce(${how}(${column}, excluded.${column}), ${column}, excluded.${column})`;
  return [
    'samples = samples + excluded.samples',
    ...SAMPLE_FIGURES.flatMap(({ column: c }) => [
      merged(`${c}_min`, 'min'),
      merged(`${c}_max`, 'max'),
      merged(`${c}_sum`, 'sum'),
      merged(`${c}_n`, 'sum'),
    ]),
    merged('gc_pause_ms', 'sum'),
    merged('gc_count', 'sum'),
  ].join(', ');
}

/** Summarizes rows of `source` older than `:cutoff` into buckets of `:resolution` (one process). */
function rollupStatement(source: 'samples' | 'sample_rollups'): string {
  const [columns, from] =
    source === 'samples'
      ? [rawAggregateColumns(), 'samples WHERE run_id = :run AND pid = :pid AND time < :cutoff']
      : [
          aggregateColumns(),
          'sample_rollups WHERE run_id = :run AND pid = :pid AND resolution_ms = :source AND time < :cutoff',
        ];
  return `
    INSERT INTO sample_rollups (run_id, pid, resolution_ms, time, ${rollupColumnNames()})
    SELECT :run, :pid, CAST(:resolution AS INTEGER),
           CAST(time / :resolution AS INTEGER) * CAST(:resolution AS INTEGER) AS bucket, ${columns}
    FROM ${from}
    GROUP BY bucket
    ON CONFLICT (run_id, pid, resolution_ms, time) DO UPDATE SET ${mergeAssignments()}`;
}

export interface RetentionResult {
  readonly runsDeleted: number;
  readonly samplesSummarized: number;
  readonly rowsDeleted: number;
}

/**
 * Applies `policy` at time `now` in one transaction. `activeRunIds` are runs still being written
 * (never deleted).
 */
export function applyRetention(
  db: DatabaseSync,
  policy: RetentionPolicy,
  now: number,
  activeRunIds: ReadonlySet<number>,
): RetentionResult {
  let runsDeleted = 0;
  let samplesSummarized = 0;
  let rowsDeleted = 0;
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const runId of expiredRuns(db, policy, now, activeRunIds)) {
      for (const table of RUN_TABLES) {
        rowsDeleted += Number(db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId).changes);
      }
      db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
      runsDeleted++;
    }

    const processes = db.prepare('SELECT run_id AS run, pid FROM processes').all() as {
      run: number;
      pid: number;
    }[];
    const nthNewestSample = db.prepare(
      'SELECT time FROM samples WHERE run_id = ? AND pid = ? ORDER BY time DESC LIMIT 1 OFFSET ?',
    );
    const rollRaw = db.prepare(rollupStatement('samples'));
    const deleteRaw = db.prepare('DELETE FROM samples WHERE run_id = :run AND pid = :pid AND time < :cutoff');
    const rollTier = db.prepare(rollupStatement('sample_rollups'));
    const deleteTier = db.prepare(
      'DELETE FROM sample_rollups WHERE run_id = :run AND pid = :pid AND resolution_ms = :source AND time < :cutoff',
    );
    const tiers = policy.rollups;
    const first = tiers[0]!;
    for (const { run, pid } of processes) {
      // Raw samples: by age, and by count for short sampling intervals.
      let cutoff = now - policy.rawSamples.maxAgeMs;
      const nth = nthNewestSample.get(run, pid, policy.rawSamples.maxRowsPerProcess)?.time;
      if (typeof nth === 'number') cutoff = Math.max(cutoff, nth + 1);
      // Whole buckets only, so a bucket is summarized once (late samples are merged anyway).
      cutoff = Math.floor(cutoff / first.resolutionMs) * first.resolutionMs;
      rollRaw.run({ run, pid, cutoff, resolution: first.resolutionMs });
      samplesSummarized += Number(deleteRaw.run({ run, pid, cutoff }).changes);

      tiers.forEach((tier, i) => {
        const next = tiers[i + 1];
        const age = now - tier.maxAgeMs;
        const source = tier.resolutionMs;
        if (next === undefined) {
          rowsDeleted += Number(deleteTier.run({ run, pid, cutoff: age, source }).changes);
          return;
        }
        const tierCutoff = Math.floor(age / next.resolutionMs) * next.resolutionMs;
        rollTier.run({ run, pid, cutoff: tierCutoff, resolution: next.resolutionMs, source });
        deleteTier.run({ run, pid, cutoff: tierCutoff, source });
      });
    }

    rowsDeleted += Number(
      db.prepare('DELETE FROM gc_events WHERE time < ?').run(now - policy.gcEvents.maxAgeMs).changes,
    );
    const capGc = db.prepare(`
      DELETE FROM gc_events WHERE run_id = :run AND pid = :pid AND id <= (
        SELECT id FROM gc_events WHERE run_id = :run AND pid = :pid ORDER BY id DESC LIMIT 1 OFFSET :keep)`);
    for (const { run, pid } of processes) {
      rowsDeleted += Number(capGc.run({ run, pid, keep: policy.gcEvents.maxRowsPerProcess }).changes);
    }
    db.exec('COMMIT');
  } catch (error) {
    rollbackOpenTransaction(db);
    throw error;
  }
  return { runsDeleted, samplesSummarized, rowsDeleted };
}

/** Runs to delete: too old, or beyond `maxRuns` (oldest first), never one the writer has open. */
function expiredRuns(
  db: DatabaseSync,
  policy: RetentionPolicy,
  now: number,
  activeRunIds: ReadonlySet<number>,
): number[] {
  // A run whose writer was killed has no end: its last sample says when it stopped.
  const runs = db
    .prepare(`
      SELECT id, ended_at IS NULL AS open, coalesce(ended_at, max(
        started_at,
        coalesce((SELECT max(time) FROM samples WHERE run_id = runs.id), 0),
        coalesce((SELECT max(time) FROM sample_rollups WHERE run_id = runs.id), 0)
      )) AS last_activity
      FROM runs ORDER BY started_at DESC, id DESC`)
    .all() as { id: number; open: number; last_activity: number }[];
  const oldest = now - policy.runs.maxAgeMs;
  const maybeWritten = (run: (typeof runs)[number]) =>
    activeRunIds.has(run.id) || (run.open === 1 && run.last_activity >= now - OTHER_WRITER_GRACE_MS);
  return runs
    .filter((run, rank) => !maybeWritten(run) && (rank >= policy.runs.maxRuns || run.last_activity < oldest))
    .map((run) => run.id);
}
