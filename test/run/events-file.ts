/** Reads an `--events` NDJSON file: every line must be one JSON object with `type`, `time`, `pid`, `source`. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CollectorEvent } from '../../src/collector/events.ts';

export function readEvents(file: string): CollectorEvent[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends with a complete line');
  return text
    .trimEnd()
    .split('\n')
    .map((line, index) => {
      const event = JSON.parse(line) as CollectorEvent;
      assert.equal(typeof event.type, 'string', `line ${index + 1} has a type`);
      assert.equal(typeof event.time, 'number', `line ${index + 1} has a time`);
      assert.equal(typeof event.pid, 'number', `line ${index + 1} has a pid`);
      assert.ok(
        ['memwatcher', 'proc', 'inspector', 'collector'].includes(event.source),
        `line ${index + 1} source`,
      );
      return event;
    });
}

/** The events of one type, typed. */
export function ofType<T extends CollectorEvent['type']>(
  events: readonly CollectorEvent[],
  type: T,
): Extract<CollectorEvent, { type: T }>[] {
  return events.filter((event): event is Extract<CollectorEvent, { type: T }> => event.type === type);
}
