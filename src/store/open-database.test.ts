import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { InvalidOptionError, StoreError } from '../errors.ts';
import { openHistoryReader } from './history-reader.ts';
import { openHistoryWriter } from './history-writer.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-open-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(root, `history-${++files}.db`);

function storeError(code: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, `a StoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

test('a new file is a WAL database at the current schema version, marked as memwatcher history', () => {
  const file = fresh();
  openHistoryWriter(file).close();
  const db = new DatabaseSync(file, { readOnly: true });
  assert.equal(db.prepare('PRAGMA user_version').get()?.user_version, SCHEMA_VERSION);
  assert.equal(db.prepare('PRAGMA application_id').get()?.application_id, APPLICATION_ID);
  assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name);
  assert.deepEqual(tables, [
    'alerts',
    'analyses',
    'faults',
    'gc_events',
    'processes',
    'runs',
    'sample_rollups',
    'samples',
    'snapshots',
    'verdicts',
  ]);
  db.close();
});

test('the file and its -wal and -shm files are created 0600, whatever the umask', () => {
  const file = fresh();
  const previous = process.umask(0o022);
  try {
    const writer = openHistoryWriter(file);
    writer.startRun({ mode: 'run', argv: ['x'] });
    for (const name of [file, `${file}-wal`, `${file}-shm`]) {
      assert.ok(existsSync(name), `${name} exists while the writer is open`);
      assert.equal(statSync(name).mode & 0o777, 0o600, name);
    }
    writer.close();
  } finally {
    process.umask(previous);
  }
});

test('reopening keeps what was written, and a second migration does nothing', () => {
  const file = fresh();
  const first = openHistoryWriter(file);
  const runId = first.startRun({ mode: 'watch', argv: ['python', 'app.py'], startedAt: 1000 });
  first.close();
  openHistoryWriter(file).close();
  const reader = openHistoryReader(file);
  assert.deepEqual(
    reader.runs().map((r) => [r.id, r.mode, r.argv]),
    [[runId, 'watch', ['python', 'app.py']]],
  );
  reader.close();
});

test('a file from a newer memwatcher is refused with ERR_STORE_VERSION, by the writer and the reader', () => {
  const file = fresh();
  openHistoryWriter(file).close();
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const newer = storeError('ERR_STORE_VERSION', /newer memwatcher/);
  assert.throws(() => openHistoryWriter(file), newer);
  assert.throws(() => openHistoryReader(file), newer);
});

test("another program's SQLite database is refused, and left untouched", () => {
  const file = fresh();
  const db = new DatabaseSync(file);
  db.exec("CREATE TABLE todo (title TEXT); INSERT INTO todo VALUES ('keep me')");
  db.close();
  const foreign = storeError('ERR_STORE_OPEN', /not a memwatcher history file/);
  assert.throws(() => openHistoryWriter(file), foreign);
  assert.throws(() => openHistoryReader(file), foreign);
  const again = new DatabaseSync(file, { readOnly: true });
  assert.deepEqual(
    again
      .prepare('SELECT title FROM todo')
      .all()
      .map((r) => r.title),
    ['keep me'],
  );
  assert.equal(again.prepare('PRAGMA user_version').get()?.user_version, 0);
  assert.equal(again.prepare('PRAGMA journal_mode').get()?.journal_mode, 'delete');
  again.close();
});

test('a file that is not a database is refused with ERR_STORE_OPEN', () => {
  const file = fresh();
  writeFileSync(file, 'this is a text file, not SQLite\n'.repeat(200));
  assert.throws(() => openHistoryWriter(file), storeError('ERR_STORE_OPEN', /not a SQLite database/));
  assert.throws(() => openHistoryReader(file), storeError('ERR_STORE_OPEN', /not a SQLite database/));
});

test('unusable paths give ERR_STORE_OPEN with the reason, and create nothing', () => {
  const missingDir = join(root, 'no-such-dir', 'history.db');
  assert.throws(
    () => openHistoryWriter(missingDir),
    storeError('ERR_STORE_OPEN', /directory does not exist/),
  );
  assert.equal(existsSync(join(root, 'no-such-dir')), false);

  const aFile = fresh();
  writeFileSync(aFile, '');
  assert.throws(
    () => openHistoryWriter(join(aFile, 'history.db')),
    storeError('ERR_STORE_OPEN', /not a directory/),
  );

  const aDirectory = join(root, 'a-directory');
  mkdirSync(aDirectory);
  assert.throws(() => openHistoryWriter(aDirectory), storeError('ERR_STORE_OPEN', /is a directory/));
  assert.throws(() => openHistoryReader(aDirectory), storeError('ERR_STORE_OPEN', /is a directory/));
});

test('the reader needs an existing history file: missing or empty is ERR_STORE_OPEN', () => {
  const missing = fresh();
  assert.throws(() => openHistoryReader(missing), storeError('ERR_STORE_OPEN', /no such file/));
  assert.equal(existsSync(missing), false, 'the reader does not create the file');
  const empty = fresh();
  writeFileSync(empty, '');
  assert.throws(() => openHistoryReader(empty), storeError('ERR_STORE_OPEN', /holds no history/));
});

test('bad writer options throw InvalidOptionError before any file is created', () => {
  const file = fresh();
  assert.throws(() => openHistoryWriter(file, { flushIntervalMs: 0 }), InvalidOptionError);
  assert.throws(() => openHistoryWriter(file, { onError: 'log' as never }), InvalidOptionError);
  assert.throws(
    () =>
      openHistoryWriter(file, {
        retention: {
          rollups: [
            { resolutionMs: 60_000, maxAgeMs: 1 },
            { resolutionMs: 90_000, maxAgeMs: 2 },
          ],
        },
      }),
    (error: unknown) =>
      error instanceof InvalidOptionError && error.option === 'retention.rollups[1].resolutionMs',
  );
  assert.throws(
    () => openHistoryWriter(file, { retention: { runs: { maxRun: 3 } as never } }),
    InvalidOptionError,
  );
  assert.equal(existsSync(file), false);
});
