import { closeSync, openSync, statSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { StoreError } from '../errors.ts';
import { checkIdentity, migrate } from './schema.ts';
import { openError, SQLITE_CANTOPEN, SQLITE_READONLY, sqliteResultCode } from './sqlite-errors.ts';
import { loadSqlite } from './sqlite-module.ts';

/**
 * How long a statement waits for another connection's lock before failing with SQLITE_BUSY. Writers
 * hold the lock for one batch (milliseconds); a checkpoint or a second writer on the same file may
 * hold it a little longer.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Twice the size at which SQLite checkpoints by itself (1000 pages of 4 KiB). */
const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Opens (creating when missing) a history file for writing: WAL, migrated to the current schema.
 * A new file is created 0600 before SQLite opens it — history names classes and file paths, like
 * snapshots do — and SQLite gives its `-wal` and `-shm` files the database file's mode.
 */
export function openForWriting(file: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): DatabaseSync {
  const { DatabaseSync } = loadSqlite(file);
  createPrivately(file);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { enableForeignKeyConstraints: false });
    // A PRAGMA takes no bound parameters; the value is a checked integer.
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    // Before anything changes the file: switching to WAL rewrites the header of someone else's database.
    checkIdentity(db, file, 'allowed');
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    if (mode !== 'wal') {
      throw new StoreError(
        'ERR_STORE_OPEN',
        file,
        `Cannot use ${file} for history: SQLite refused write-ahead logging there (journal mode ${String(mode)}); a network file system may not support it. Give a file on a local disk.`,
      );
    }
    // In WAL mode NORMAL syncs at checkpoints only: a committed batch survives the process being
    // killed (it is in the OS's cache); only a power loss may take the last batches back.
    db.exec('PRAGMA synchronous = NORMAL');
    // The WAL is reused, not shrunk, after a checkpoint: cap what a burst (a long read holding
    // checkpoints back, a big retention pass) leaves on disk.
    db.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    migrate(db, file);
    return db;
  } catch (error) {
    closeQuietly(db);
    throw openError(error, file);
  }
}

/** Opens an existing history file read-only. Readers never block the writer, nor it them (WAL). */
export function openForReading(file: string): DatabaseSync {
  const { DatabaseSync } = loadSqlite(file);
  requireFile(file);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true, enableForeignKeyConstraints: false });
    db.exec(`PRAGMA busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    checkIdentity(db, file, 'refused');
    return db;
  } catch (error) {
    closeQuietly(db);
    if (!isReadOnlyDirectory(error) || hasWriteAheadLog(file)) throw openError(error, file);
  }
  // A reader of a WAL database needs to create FILE-shm next to it. In a directory it may not write
  // (an archive, someone else's), a file closed cleanly (no -wal: no writer, nothing uncheckpointed)
  // can be read as immutable instead.
  try {
    db = new DatabaseSync(`${pathToFileURL(file).href}?immutable=1`, {
      readOnly: true,
      enableForeignKeyConstraints: false,
    });
    checkIdentity(db, file, 'refused');
    return db;
  } catch (error) {
    closeQuietly(db);
    throw openError(error, file);
  }
}

function isReadOnlyDirectory(error: unknown): boolean {
  const code = sqliteResultCode(error);
  return code !== undefined && ((code & 0xff) === SQLITE_READONLY || (code & 0xff) === SQLITE_CANTOPEN);
}

function hasWriteAheadLog(file: string): boolean {
  try {
    return statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

function createPrivately(file: string): void {
  requireNotDirectory(file);
  try {
    // 'wx': create only if missing; an existing file keeps its mode (the user may have chosen it).
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    throw new StoreError(
      'ERR_STORE_OPEN',
      file,
      `Cannot create history file ${file}: ${describeErrno(code)}.`,
      {
        cause: error,
      },
    );
  }
}

function requireFile(file: string): void {
  requireNotDirectory(file);
  try {
    statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : describeErrno(code);
    throw new StoreError('ERR_STORE_OPEN', file, `Cannot open history file ${file}: ${why}.`, {
      cause: error,
    });
  }
}

function requireNotDirectory(file: string): void {
  let directory = false;
  try {
    directory = statSync(file).isDirectory();
  } catch {
    // Missing: the caller reports it (or creates it).
  }
  if (directory) {
    throw new StoreError('ERR_STORE_OPEN', file, `${file} is a directory; give a file name for the history.`);
  }
}

function describeErrno(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'its directory does not exist (create it first)';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the disk';
    default:
      return code ?? 'unknown error';
  }
}

export function closeQuietly(db: DatabaseSync | undefined): void {
  try {
    // `isOpen` is Node 22.15+: before, it is undefined, and closing a closed database throws (ignored here).
    if (db !== undefined && db.isOpen !== false) db.close();
  } catch {
    // Closing after a failure: the failure is what gets reported.
  }
}
