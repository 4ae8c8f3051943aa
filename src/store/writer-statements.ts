import type { DatabaseSync } from 'node:sqlite';
import { SAMPLE_FIGURES } from './sample-figures.ts';

/** The writer's statements, prepared once per file. */
export type WriterStatements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: DatabaseSync) {
  const sampleColumns = [
    'run_id',
    'pid',
    'time',
    ...SAMPLE_FIGURES.map((f) => f.column),
    'gc_pause_ms',
    'gc_count',
  ];
  return {
    insertRun: db.prepare('INSERT INTO runs (mode, argv, hostname, started_at) VALUES (?, ?, ?, ?)'),
    endRun: db.prepare('UPDATE runs SET ended_at = ?, exit_code = ?, signal = ? WHERE id = ?'),
    insertProcess: db.prepare(
      'INSERT INTO processes (run_id, pid, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    upsertProcess: db.prepare(`
      INSERT INTO processes (run_id, pid, first_seen, argv, node_version, interval_ms, heap_limit)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, pid) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
        argv = excluded.argv, node_version = excluded.node_version, interval_ms = excluded.interval_ms,
        heap_limit = excluded.heap_limit`),
    insertSample: db.prepare(
      `INSERT OR REPLACE INTO samples (${sampleColumns.join(', ')}) VALUES (${sampleColumns.map(() => '?').join(', ')})`,
    ),
    insertGc: db.prepare(
      'INSERT INTO gc_events (run_id, pid, time, kind, duration_ms, heap_floor, external_floor) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertAlert: db.prepare(
      'INSERT INTO alerts (run_id, pid, time, rule, severity, message, alert) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    upsertVerdict: db.prepare(`
      INSERT INTO verdicts (run_id, pid, time, status, culprit, summary, leak_event, verdict)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, pid, time) DO UPDATE SET status = excluded.status, culprit = excluded.culprit,
        summary = excluded.summary, verdict = excluded.verdict,
        leak_event = max(leak_event, excluded.leak_event)`),
    insertSnapshot: db.prepare(
      'INSERT INTO snapshots (run_id, pid, time, file, bytes, label, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertAnalysis: db.prepare(
      'INSERT INTO analyses (run_id, pid, time, files, suspects, duration_ms, result) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertFault: db.prepare('INSERT INTO faults (run_id, pid, time, code, message) VALUES (?, ?, ?, ?, ?)'),
  };
}

/** Sizes, counts and times are whole numbers; anything not finite is stored as unknown. */
export function wholeNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null;
}

export function finiteNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
