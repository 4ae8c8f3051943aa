import type * as Sqlite from 'node:sqlite';
import { StoreError } from '../errors.ts';

/**
 * `node:sqlite` is loaded on first use, not imported at the top: Node 22.5–22.12 only has it behind
 * `--experimental-sqlite` (22.13 dropped the flag), and a static import would make every module that
 * imports the store fail to load there, even commands that never open a history file. (The CLI
 * restarts itself with the flag on those versions when a command needs history: `src/cli/sqlite-relaunch.ts`.)
 */
export function loadSqlite(file: string): typeof Sqlite {
  const sqlite = withoutSqliteWarning(() => process.getBuiltinModule('node:sqlite')) as
    | typeof Sqlite
    | undefined;
  if (sqlite === undefined) {
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      file,
      `History needs node:sqlite, which this Node (${process.version}) does not provide. ` +
        'Use Node 22.13 or later, or start Node 22.5–22.12 with --experimental-sqlite ' +
        '(e.g. NODE_OPTIONS=--experimental-sqlite).',
    );
  }
  return sqlite;
}

/**
 * Node 22 (up to at least 22.23, and 22.12 with `--experimental-sqlite`) prints "ExperimentalWarning:
 * SQLite is an experimental feature" the first time `node:sqlite` loads. SQLite is how memwatcher
 * stores history, not something the user chose, so that line is noise in our output: it is dropped,
 * and only it (Node emits it through `process.emitWarning` while the module loads, once per process).
 */
export function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.message;
    if (type === 'ExperimentalWarning' && text.startsWith('SQLite ')) return;
    return Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Rolls back the transaction left open by a failed statement, if there is one. `db.isTransaction` is
 * Node 22.16+ (and 24): on 22.12–22.15 it is `undefined`, so ROLLBACK is tried and "no transaction is
 * active" ignored — testing `if (db.isTransaction)` there would never roll back, and the next
 * BEGIN would fail ("cannot start a transaction within a transaction").
 */
export function rollbackOpenTransaction(db: Sqlite.DatabaseSync): void {
  const inTransaction: boolean | undefined = db.isTransaction;
  if (inTransaction === false) return;
  if (inTransaction === true) {
    db.exec('ROLLBACK');
    return;
  }
  try {
    db.exec('ROLLBACK');
  } catch {
    // No transaction was open (SQLite ends it by itself after some errors).
  }
}
