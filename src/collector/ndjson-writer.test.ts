import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NdjsonWriter } from './ndjson-writer.ts';
import { outsideRunEvents } from './sinks.fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-ndjson-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('NdjsonWriter', () => {
  it('creates the file 0600', async () => {
    const file = join(dir, 'new.ndjson');
    await (await NdjsonWriter.open(file, () => {})).close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('writes one JSON line per event, in order, over what the file held', async () => {
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, 'left over from another run\n');
    const writer = await NdjsonWriter.open(file, () => assert.fail('no fault'));
    const events = outsideRunEvents();
    for (const event of events) writer.write(event);
    await writer.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, events.length);
    assert.deepEqual(
      lines.map((line) => JSON.parse(line)),
      events.map((event) => JSON.parse(JSON.stringify(event))),
    );
    writer.write(events[0]!);
    await writer.close();
    assert.equal(
      readFileSync(file, 'utf8').trimEnd().split('\n').length,
      events.length,
      'nothing after close',
    );
  });

  it('refuses a path it cannot write with a FileAccessError', async () => {
    await assert.rejects(
      NdjsonWriter.open(join(dir, 'no', 'such', 'dir.ndjson'), () => {}),
      {
        code: 'ERR_FILE_ACCESS',
        message: /cannot write the events file .*ENOENT/,
      },
    );
  });
});
