import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { loadSqlite, rollbackOpenTransaction, withoutSqliteWarning } from './sqlite-module.ts';

test('loadSqlite gives node:sqlite', () => {
  assert.equal(loadSqlite('h.db').DatabaseSync, DatabaseSync);
});

test("withoutSqliteWarning drops Node 22's SQLite ExperimentalWarning, and only it", (t) => {
  const seen: string[] = [];
  const emitWarning = t.mock.method(process, 'emitWarning', (warning: string | Error, type?: unknown) => {
    seen.push(`${String((type as { type?: string })?.type ?? type)}: ${String(warning)}`);
  });
  withoutSqliteWarning(() => {
    // As Node 22's lib/sqlite.js does when the module loads.
    process.emitWarning(
      'SQLite is an experimental feature and might change at any time',
      'ExperimentalWarning',
    );
    process.emitWarning(
      'VM Modules is an experimental feature and might change at any time',
      'ExperimentalWarning',
    );
    process.emitWarning('SQLite said something else', { type: 'DeprecationWarning' });
  });
  process.emitWarning(
    'SQLite is an experimental feature and might change at any time',
    'ExperimentalWarning',
  );
  assert.deepEqual(seen, [
    'ExperimentalWarning: VM Modules is an experimental feature and might change at any time',
    'DeprecationWarning: SQLite said something else',
    // After the load, warnings are the host's again.
    'ExperimentalWarning: SQLite is an experimental feature and might change at any time',
  ]);
  emitWarning.mock.restore();
});

test('rollbackOpenTransaction rolls back an open transaction, and does nothing without one', () => {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE t (x)');
  db.exec('BEGIN');
  db.exec('INSERT INTO t VALUES (1)');
  rollbackOpenTransaction(db);
  assert.equal(db.isTransaction, false);
  assert.equal(db.prepare('SELECT count(*) AS n FROM t').get()?.n, 0);
  rollbackOpenTransaction(db);
  db.close();
});

test('rollbackOpenTransaction without isTransaction (Node 22.12–22.15) still rolls back, and ignores "no transaction"', () => {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE t (x)');
  // What those versions give: no isTransaction property at all.
  const old = { exec: (sql: string) => db.exec(sql) } as unknown as DatabaseSync;
  db.exec('BEGIN');
  db.exec('INSERT INTO t VALUES (1)');
  rollbackOpenTransaction(old);
  assert.equal(db.isTransaction, false);
  assert.equal(db.prepare('SELECT count(*) AS n FROM t').get()?.n, 0);
  assert.doesNotThrow(() => rollbackOpenTransaction(old));
  db.close();
});
