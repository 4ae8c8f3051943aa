import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sqliteRelaunchFlags } from './sqlite-relaunch.ts';

// What Node 22.5–22.12 look like without the flag: node:sqlite is not a builtin.
const old = { hasSqlite: false, execArgv: [] };

describe('sqliteRelaunchFlags', () => {
  it('starts again with --experimental-sqlite for the commands that always read history', () => {
    for (const args of [
      ['report', 'h.db'],
      ['chart', 'memory', 'h.db'],
      ['dashboard', '--db', 'h.db'],
    ]) {
      assert.deepEqual(sqliteRelaunchFlags({ ...old, args }), ['--experimental-sqlite'], args.join(' '));
    }
  });

  it('for run, attach and watch only with --db (either spelling), before --', () => {
    assert.deepEqual(sqliteRelaunchFlags({ ...old, args: ['run', '--db', 'h.db', '--', 'node', 'a.js'] }), [
      '--experimental-sqlite',
    ]);
    assert.deepEqual(sqliteRelaunchFlags({ ...old, args: ['attach', '4242', '--db=h.db'] }), [
      '--experimental-sqlite',
    ]);
    assert.deepEqual(sqliteRelaunchFlags({ ...old, args: ['watch', '--db', 'h.db', '4242'] }), [
      '--experimental-sqlite',
    ]);
    assert.equal(sqliteRelaunchFlags({ ...old, args: ['run', '--', 'node', 'a.js'] }), undefined);
    // The watched program's own --db is not memwatcher's.
    assert.equal(sqliteRelaunchFlags({ ...old, args: ['run', '--', 'tool', '--db', 'x.db'] }), undefined);
  });

  it('never for commands without history, nor without a command', () => {
    for (const args of [['analyze', 'a.heapsnapshot'], ['demo'], ['snapshot', '4242'], ['--help'], []]) {
      assert.equal(sqliteRelaunchFlags({ ...old, args }), undefined, args.join(' '));
    }
  });

  it('keeps the Node flags this process was started with', () => {
    assert.deepEqual(
      sqliteRelaunchFlags({
        hasSqlite: false,
        execArgv: ['--max-old-space-size=4096'],
        args: ['report', 'h.db'],
      }),
      ['--max-old-space-size=4096', '--experimental-sqlite'],
    );
  });

  it('not when node:sqlite is there (22.13+, or the flag in NODE_OPTIONS), nor twice', () => {
    assert.equal(sqliteRelaunchFlags({ hasSqlite: true, execArgv: [], args: ['report', 'h.db'] }), undefined);
    // Started with the flag and still no node:sqlite (Node older than 22.5): the store says so, no loop.
    assert.equal(
      sqliteRelaunchFlags({
        hasSqlite: false,
        execArgv: ['--experimental-sqlite'],
        args: ['report', 'h.db'],
      }),
      undefined,
    );
    // The user turned it off on purpose.
    assert.equal(
      sqliteRelaunchFlags({
        hasSqlite: false,
        execArgv: ['--no-experimental-sqlite'],
        args: ['report', 'h.db'],
      }),
      undefined,
    );
  });
});
