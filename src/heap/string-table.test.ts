/**
 * The lazily decoded string table, read back from snapshots whose strings are escaped the way V8 and
 * JSON.stringify escape them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/support/leak-snapshots.ts';
import { asV8Writes, SnapshotBuilder, type StringEscapes } from '../../test/support/snapshot-builder.ts';
import { parseHeapSnapshot } from './parse.ts';
import type { StringTable } from './string-table.ts';

const dir = tempDir('string-table-test-');
const names = [
  'Object',
  'say "hi"',
  'line\nbreak',
  'back\\slash',
  'control \u001f',
  'café',
  '中文',
  '😀',
  '',
];

function tableOf(escapes: StringEscapes): StringTable {
  const b = new SnapshotBuilder();
  for (const name of names) b.node({ type: 'object', name, selfSize: 1 });
  // A second node named 'Object': the table keeps one copy, as V8's does.
  b.node({ type: 'object', name: 'Object', selfSize: 1 });
  const file = join(dir, `${escapes}.heapsnapshot`);
  b.write(file, { stringEscapes: escapes });
  return parseHeapSnapshot(file).strings;
}

describe('StringTable', () => {
  for (const escapes of ['v8', 'json'] as const) {
    test(`${escapes} escapes: get decodes every string; firstByte and rawLength read the raw bytes`, () => {
      const table = tableOf(escapes);
      // '<dummy>', then '' (the root's name), then the names in order of first use.
      assert.equal(table.get(0), '<dummy>');
      const expected = names.map((name) => (escapes === 'v8' ? asV8Writes(name) : name));
      const decoded = Array.from({ length: table.size }, (_, i) => table.get(i));
      for (const name of expected) assert.ok(decoded.includes(name), `missing ${JSON.stringify(name)}`);
      assert.equal(table.get(table.size), '', 'an index past the end reads as empty');
      const object = decoded.indexOf('Object');
      assert.equal(table.firstByte(object), 'O'.charCodeAt(0));
      assert.equal(table.rawLength(object), 6);
      assert.equal(table.firstByte(decoded.indexOf('')), 0);
      // rawLength bounds the decoded length from above (escapes are longer than what they stand for).
      for (let i = 0; i < table.size; i++) assert.ok(table.rawLength(i) >= table.get(i).length);
    });

    test(`${escapes} escapes: indexOf finds ASCII strings (quotes, newlines, backslashes) without decoding`, () => {
      const table = tableOf(escapes);
      for (const name of ['Object', 'say "hi"', 'line\nbreak', 'back\\slash', '<dummy>']) {
        const index = table.indexOf(name);
        assert.ok(index >= 0, `${JSON.stringify(name)} not found`);
        assert.equal(table.get(index), name);
      }
      assert.equal(table.indexOf('absent'), -1);
      assert.equal(table.indexOf('Objec'), -1, 'no prefix matches');
    });
  }

  test('add: strings the engine makes up get new indexes that read back', () => {
    const table = tableOf('v8');
    const size = table.size;
    const index = table.add('(system)');
    assert.equal(index, size);
    assert.equal(table.size, size + 1);
    assert.equal(table.get(index), '(system)');
    assert.equal(table.indexOf('(system)'), index);
    const tricky = table.add('{"a,b", c}');
    assert.equal(table.get(tricky), '{"a,b", c}');
  });

  test('indexOf finds non-ASCII strings and hex escapes as V8 writes them', () => {
    const table = tableOf('v8');
    for (const name of ['café', '中文', 'control \u001f']) assert.ok(table.indexOf(name) >= 0, name);
  });
});
