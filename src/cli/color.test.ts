import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shouldUseColor } from './color.ts';

describe('shouldUseColor', () => {
  const terminal = { isTTY: true, hasColors: () => true };

  it('colours a colour terminal', () => {
    assert.equal(shouldUseColor(terminal, {}), true);
  });
  it('never colours a pipe or a file', () => {
    assert.equal(shouldUseColor({ isTTY: false }, {}), false);
    assert.equal(shouldUseColor({}, {}), false);
  });
  it('honours NO_COLOR on a terminal', () => {
    assert.equal(shouldUseColor(terminal, { NO_COLOR: '1' }), false);
    assert.equal(shouldUseColor(terminal, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
  });
  it('asks the terminal whether it has colours', () => {
    assert.equal(shouldUseColor({ isTTY: true, hasColors: () => false }, {}), false);
  });
});
