import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AbortedError,
  FileAccessError,
  InvalidOptionError,
  MemwatcherError,
  SnapshotFormatError,
  SnapshotMismatchError,
  StoreError,
  UsageError,
} from '../errors.ts';
import { describeFailure } from './exit.ts';

describe('describeFailure', () => {
  const cases: [string, unknown, number, RegExp][] = [
    ['usage', new UsageError('unknown option'), 2, /^memwatcher: unknown option$/],
    [
      'invalid option',
      new InvalidOptionError('top', 'must be positive'),
      2,
      /^memwatcher: top: must be positive$/,
    ],
    ['file access', new FileAccessError('/x', '/x: no such file.'), 3, /^memwatcher: \/x: no such file\.$/],
    [
      'snapshot format',
      new SnapshotFormatError('ERR_SNAPSHOT_TRUNCATED', 'a.heapsnapshot', 'the file ends early', 120),
      3,
      /^memwatcher: a\.heapsnapshot: the file ends early \(at byte 120\)$/,
    ],
    ['mismatch', new SnapshotMismatchError('different processes'), 3, /^memwatcher: different processes$/],
    [
      'no node:sqlite',
      new StoreError('ERR_STORE_UNAVAILABLE', 'h.db', 'History needs node:sqlite.'),
      3,
      /^memwatcher: History needs node:sqlite\.$/,
    ],
    ['aborted', new AbortedError(), 130, /^memwatcher: interrupted$/],
    [
      'abort error from Node',
      Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }),
      130,
      /interrupted/,
    ],
    [
      'unmapped memwatcher error',
      new MemwatcherError('ERR_SOMETHING', 'said plainly'),
      1,
      /^memwatcher: said plainly$/,
    ],
    [
      'bug',
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      1,
      /^memwatcher: internal error: Cannot read .* \(set MEMWATCHER_DEBUG=1 for a stack trace\)$/,
    ],
    ['thrown string', 'boom', 1, /^memwatcher: internal error: boom /],
    [
      'array buffer',
      new RangeError('Array buffer allocation failed'),
      3,
      /too large for this machine's memory/,
    ],
    [
      'typed array',
      new RangeError('Invalid typed array length: 5000000000'),
      3,
      /too large for this machine's memory/,
    ],
    ['other range error', new RangeError('Maximum call stack size exceeded'), 1, /internal error/],
  ];
  for (const [label, error, exitCode, message] of cases) {
    it(`${label} → exit ${exitCode}, one line`, () => {
      const failure = describeFailure(error, {});
      assert.equal(failure.exitCode, exitCode);
      assert.match(failure.message, message);
      assert.ok(!failure.message.includes('\n'));
    });
  }

  it('keeps multi-line messages on one line', () => {
    const failure = describeFailure(new UsageError('first\n  second'), {});
    assert.equal(failure.message, 'memwatcher: first second');
  });

  it('adds the stack and causes with MEMWATCHER_DEBUG=1', () => {
    const error = new FileAccessError('/x', 'no', { cause: new Error('ENOENT underneath') });
    const failure = describeFailure(error, { MEMWATCHER_DEBUG: '1' });
    assert.equal(failure.exitCode, 3);
    assert.match(failure.message, /^memwatcher: no\nFileAccessError: no\n {4}at /);
    assert.match(failure.message, /Caused by: Error: ENOENT underneath/);
    assert.ok(!describeFailure(error, { MEMWATCHER_DEBUG: '0' }).message.includes('\n'));
  });
});
