import { readFileSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from '../errors.ts';

/** SQLite primary result codes (https://sqlite.org/rescode.html) that say what to tell the user. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
export const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
export const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

/** Below this much free space, a failed write is taken for a full disk. */
const LOW_SPACE_BYTES = 1024 * 1024;

/** The SQLite result code of an error thrown by `node:sqlite`, or `undefined` for anything else. */
export function sqliteResultCode(error: unknown): number | undefined {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode : undefined;
}

/** Result codes after which the same statements may succeed later: locks, I/O, space, memory. */
const RETRYABLE = new Set([
  SQLITE_BUSY,
  SQLITE_LOCKED,
  7 /* NOMEM */,
  SQLITE_READONLY,
  SQLITE_IOERR,
  SQLITE_FULL,
  SQLITE_CANTOPEN,
  15 /* PROTOCOL */,
]);

/**
 * Whether a failed write is worth retrying with the same rows (the disk was full, the file locked),
 * as opposed to a row SQLite refuses whatever happens (a constraint, a value out of range).
 */
export function isRetryable(error: unknown): boolean {
  const code = sqliteResultCode(error);
  return code !== undefined && RETRYABLE.has(code & 0xff);
}

/** Turns what `node:sqlite` threw while writing into a coded {@link StoreError}. */
export function writeError(error: unknown, file: string): StoreError {
  const code = sqliteResultCode(error);
  const primary = code === undefined ? undefined : code & 0xff;
  const reason = error instanceof Error ? error.message : String(error);
  if (primary === SQLITE_FULL || (primary === SQLITE_IOERR && isOutOfSpace(file))) {
    return new StoreError(
      'ERR_STORE_FULL',
      file,
      `Writing history to ${file} failed: no space left (the disk, a quota or the file size limit is full). ` +
        'Free some space or give another --db file; the rows waiting are kept in memory (bounded) and retried.',
      { cause: error },
    );
  }
  const why =
    primary === SQLITE_BUSY || primary === SQLITE_LOCKED
      ? 'another process held the file locked for too long'
      : primary === SQLITE_READONLY
        ? 'the file is read-only'
        : primary === SQLITE_IOERR
          ? `an I/O error (${reason})`
          : reason;
  return new StoreError('ERR_STORE_WRITE', file, `Writing history to ${file} failed: ${why}.`, {
    cause: error,
  });
}

/** Turns what `node:sqlite` threw while opening into a coded {@link StoreError}. */
export function openError(error: unknown, file: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = sqliteResultCode(error);
  const primary = code === undefined ? undefined : code & 0xff;
  const reason = error instanceof Error ? error.message : String(error);
  const why =
    primary === SQLITE_NOTADB || primary === SQLITE_CORRUPT
      ? 'it is not a SQLite database, or it is damaged'
      : primary === SQLITE_CANTOPEN
        ? 'it cannot be opened (missing directory, a directory in its place, or no permission)'
        : primary === SQLITE_READONLY
          ? `the file or its directory is read-only for this user (SQLite also needs to create ${file}-wal and ${file}-shm next to it)`
          : primary === SQLITE_FULL || primary === SQLITE_IOERR
            ? `the disk refused it (${reason})`
            : reason;
  return new StoreError('ERR_STORE_OPEN', file, `Cannot open history file ${file}: ${why}.`, {
    cause: error,
  });
}

/** Turns what `node:sqlite` threw while reading into a coded {@link StoreError}. */
export function readError(error: unknown, file: string): StoreError {
  if (error instanceof StoreError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreError('ERR_STORE_READ', file, `Reading history from ${file} failed: ${reason}.`, {
    cause: error,
  });
}

/**
 * SQLite reports ENOSPC as SQLITE_FULL, but a write refused by the file size limit (EFBIG, as with
 * `ulimit -f`) or a quota only as SQLITE_IOERR_WRITE: look at the free space and the limit instead.
 */
function isOutOfSpace(file: string): boolean {
  try {
    const stats = statfsSync(dirname(file));
    if (stats.bavail * stats.bsize < LOW_SPACE_BYTES) return true;
  } catch {
    // No statfs (an unusual file system): fall through to the size limit.
  }
  const limit = fileSizeLimit();
  if (limit === undefined) return false;
  // The write that failed was a page or a WAL frame past the limit: the file is close to it.
  const largest = Math.max(sizeOf(file), sizeOf(`${file}-wal`));
  return largest + 64 * 1024 >= limit;
}

/** The soft `RLIMIT_FSIZE` of this process on Linux, in bytes; `undefined` when unlimited or unknown. */
function fileSizeLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max file size'));
    const soft = line?.slice('Max file size'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
