/** The dashboard's number formatting (web/format.ts), in Node: pure functions, no browser needed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatByteTicks } from '../../web/format.ts';

test('byte axis ticks never repeat a label: decimals follow the step', () => {
  const splits = [0, 0.25e6, 0.5e6, 0.75e6, 1e6, 1.25e6, 1.5e6, 1.75e6, 2e6];
  const labels = formatByteTicks(splits, 0.25e6);
  assert.equal(new Set(labels).size, labels.length, labels.join(', '));
  assert.deepEqual(labels.slice(0, 3), ['0.00 MB', '0.25 MB', '0.50 MB']);
});

test('byte axis ticks stay short when the step is round', () => {
  assert.deepEqual(formatByteTicks([100e6, 200e6, 300e6], 100e6), ['100 MB', '200 MB', '300 MB']);
  assert.deepEqual(formatByteTicks([1.5e9, 1.55e9], 0.05e9), ['1.50 GB', '1.55 GB']);
  assert.deepEqual(formatByteTicks([0, 400, 800], 400), ['0 B', '400 B', '800 B']);
});
