import type { DatabaseSync } from 'node:sqlite';
import { StoreError } from '../errors.ts';
import { rollbackOpenTransaction } from './sqlite-module.ts';

/**
 * The history file's schema. `PRAGMA user_version` holds how many migrations ran; each entry of
 * {@link MIGRATIONS} takes the file from version `i` to `i + 1`. A migration is frozen once released:
 * a later issue adds a new entry (e.g. `ALTER TABLE … ADD COLUMN`), never edits an old one.
 *
 * Tables (times in ms since epoch, sizes in bytes):
 * - `runs`: one memwatcher session (`run`, `attach`, `watch`…): its command, start, end, exit.
 * - `processes`: the processes watched in a run, keyed by pid (a Node command may start several).
 * - `samples`: every sample as it came, per process (WITHOUT ROWID: clustered by run, pid, time).
 * - `sample_rollups`: older samples summarized per time bucket (min, max, sum and count of each
 *   figure, so averages stay exact and spikes survive), see retention.ts.
 * - `gc_events`, `alerts`, `verdicts`, `snapshots`, `analyses`, `faults`: what happened, with the
 *   full JSON of alerts, verdicts and analyses next to the columns queries filter on.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    mode TEXT NOT NULL,
    argv TEXT NOT NULL,
    hostname TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    exit_code INTEGER,
    signal TEXT
  );
  CREATE INDEX runs_by_start ON runs (started_at);

  CREATE TABLE processes (
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    argv TEXT,
    node_version TEXT,
    interval_ms INTEGER,
    heap_limit INTEGER,
    PRIMARY KEY (run_id, pid)
  ) WITHOUT ROWID;

  CREATE TABLE samples (
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    time INTEGER NOT NULL,
    rss INTEGER,
    heap_total INTEGER,
    heap_used INTEGER,
    external INTEGER,
    array_buffers INTEGER,
    heap_floor INTEGER,
    swap INTEGER,
    threads INTEGER,
    detached_contexts INTEGER,
    gc_pause_ms REAL,
    gc_count INTEGER,
    PRIMARY KEY (run_id, pid, time)
  ) WITHOUT ROWID;

  CREATE TABLE sample_rollups (
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    resolution_ms INTEGER NOT NULL,
    time INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    rss_min INTEGER, rss_max INTEGER, rss_sum REAL, rss_n INTEGER,
    heap_total_min INTEGER, heap_total_max INTEGER, heap_total_sum REAL, heap_total_n INTEGER,
    heap_used_min INTEGER, heap_used_max INTEGER, heap_used_sum REAL, heap_used_n INTEGER,
    external_min INTEGER, external_max INTEGER, external_sum REAL, external_n INTEGER,
    array_buffers_min INTEGER, array_buffers_max INTEGER, array_buffers_sum REAL, array_buffers_n INTEGER,
    heap_floor_min INTEGER, heap_floor_max INTEGER, heap_floor_sum REAL, heap_floor_n INTEGER,
    swap_min INTEGER, swap_max INTEGER, swap_sum REAL, swap_n INTEGER,
    threads_min INTEGER, threads_max INTEGER, threads_sum REAL, threads_n INTEGER,
    detached_contexts_min INTEGER, detached_contexts_max INTEGER, detached_contexts_sum REAL,
    detached_contexts_n INTEGER,
    gc_pause_ms REAL,
    gc_count INTEGER,
    PRIMARY KEY (run_id, pid, resolution_ms, time)
  ) WITHOUT ROWID;

  CREATE TABLE gc_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    heap_floor INTEGER,
    external_floor INTEGER
  );
  CREATE INDEX gc_events_by_process ON gc_events (run_id, pid, time);

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    time INTEGER NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    alert TEXT NOT NULL
  );
  CREATE INDEX alerts_by_run ON alerts (run_id, time);

  CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    time INTEGER NOT NULL,
    status TEXT NOT NULL,
    culprit TEXT,
    summary TEXT NOT NULL,
    leak_event INTEGER NOT NULL DEFAULT 0,
    verdict TEXT NOT NULL,
    UNIQUE (run_id, pid, time)
  );

  CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    time INTEGER NOT NULL,
    file TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    label TEXT NOT NULL,
    duration_ms REAL
  );
  CREATE INDEX snapshots_by_run ON snapshots (run_id, time);

  CREATE TABLE analyses (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER,
    time INTEGER NOT NULL,
    files TEXT NOT NULL,
    suspects INTEGER NOT NULL,
    duration_ms REAL,
    result TEXT NOT NULL
  );
  CREATE INDEX analyses_by_run ON analyses (run_id, time);

  CREATE TABLE faults (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    time INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX faults_by_run ON faults (run_id, time);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** `PRAGMA application_id` of memwatcher history files ("MEMW"), so `file(1)` and we can tell them apart. */
export const APPLICATION_ID = 0x4d454d57;

/** Tables that hold rows of a run (all have `run_id`), deleted with the run. */
export const RUN_TABLES = [
  'processes',
  'samples',
  'sample_rollups',
  'gc_events',
  'alerts',
  'verdicts',
  'snapshots',
  'analyses',
  'faults',
] as const;

interface FileIdentity {
  readonly version: number;
  readonly applicationId: number;
  readonly tables: number;
}

function identify(db: DatabaseSync): FileIdentity {
  const version = db.prepare('PRAGMA user_version').get()?.user_version;
  const applicationId = db.prepare('PRAGMA application_id').get()?.application_id;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get()?.n;
  return { version: Number(version), applicationId: Number(applicationId), tables: Number(tables) };
}

/**
 * Refuses files that are not memwatcher history (another program's SQLite database) and files from
 * a newer memwatcher. `empty` says whether a brand-new file (no tables, version 0) is acceptable.
 */
export function checkIdentity(db: DatabaseSync, file: string, empty: 'allowed' | 'refused'): FileIdentity {
  const identity = identify(db);
  const blank = identity.version === 0 && identity.applicationId === 0 && identity.tables === 0;
  if (blank && empty === 'refused') {
    throw new StoreError('ERR_STORE_OPEN', file, `${file} holds no history yet (an empty database).`);
  }
  if (!blank && identity.applicationId !== APPLICATION_ID) {
    throw new StoreError(
      'ERR_STORE_OPEN',
      file,
      `${file} is a SQLite database but not a memwatcher history file; give another --db file.`,
    );
  }
  if (identity.version > SCHEMA_VERSION) {
    throw new StoreError(
      'ERR_STORE_VERSION',
      file,
      `${file} was written by a newer memwatcher (history schema ${identity.version}, this one knows up to ${SCHEMA_VERSION}). Upgrade memwatcher to read it.`,
    );
  }
  return identity;
}

/**
 * Brings the file to {@link SCHEMA_VERSION} in one transaction. `BEGIN IMMEDIATE` takes the write
 * lock first, so two writers opening a new file at once do not both create the tables.
 */
export function migrate(db: DatabaseSync, file: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const { version } = checkIdentity(db, file, 'allowed');
    for (let step = version; step < SCHEMA_VERSION; step++) db.exec(MIGRATIONS[step]!);
    if (version < SCHEMA_VERSION) {
      // PRAGMA values cannot be bound parameters; both are integer constants of this module.
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${SCHEMA_VERSION}`);
    }
    db.exec('COMMIT');
  } catch (error) {
    rollbackOpenTransaction(db);
    throw error;
  }
}
