import type * as Sqlite from 'node:sqlite';
import { StoreError } from '../errors.ts';

/**
 * `node:sqlite` is loaded on first use, not imported at the top: Node 22.5–22.12 only has it behind
 * `--experimental-sqlite` (22.13 dropped the flag), and a static import would make every module that
 * imports the store fail to load there, even commands that never open a history file.
 */
export function loadSqlite(file: string): typeof Sqlite {
  const sqlite = process.getBuiltinModule('node:sqlite') as typeof Sqlite | undefined;
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
