import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { captureHeapSnapshot } from '../../src/agent/capture.ts';
import { acquireInspectorSession, isInspectorSessionOpen } from '../../src/agent/inspector-session.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-capture-'));
after(() => rmSync(root, { recursive: true, force: true }));
const node = process.execPath;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function freshDir(name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  return mkdtempSync(`${dir}-`);
}

test('writes a complete snapshot, mode 0600, named with pid and label, nothing else left', async () => {
  const dir = freshDir('ok');
  const { file, bytes, durationMs } = await captureHeapSnapshot({ dir, label: 'before deploy' });
  assert.deepEqual(readdirSync(dir), [basename(file)]);
  assert.match(
    basename(file),
    new RegExp(`^heap-${process.pid}-\\d{8}-\\d{6}-\\d{3}-\\d+-before_deploy\\.heapsnapshot$`),
  );
  const stats = statSync(file);
  assert.equal(stats.mode & 0o777, 0o600);
  assert.equal(stats.size, bytes);
  assert.ok(durationMs > 0);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('{"snapshot":{"meta":'), 'a V8 heap snapshot');
  const parsed = JSON.parse(text) as { snapshot: { node_count: number }; nodes: number[] };
  assert.ok(parsed.snapshot.node_count > 1000);
});

test('the file is 0600 from creation and never visible half-written under its final name', async () => {
  const dir = freshDir('watched');
  const stop = new SharedArrayBuffer(4);
  const watcher = new Worker(fixture('directory-watcher.ts'), { workerData: { dir, stop } });
  const seen = new Promise<{ name: string; mode: number; size: number }[]>((resolve, reject) => {
    watcher.on(
      'message',
      (message: { type: string; seen?: { name: string; mode: number; size: number }[] }) => {
        if (message.type === 'seen') resolve(message.seen ?? []);
      },
    );
    watcher.on('error', reject);
  });
  await new Promise<void>((resolve) => watcher.once('message', () => resolve()));
  const { file, bytes } = await captureHeapSnapshot({ dir });
  Atomics.store(new Int32Array(stop), 0, 1);
  const observations = await seen;
  await watcher.terminate();

  const partial = observations.filter((entry) => entry.name.endsWith('.partial'));
  assert.ok(partial.length > 0, 'the watcher saw the temporary file while the snapshot was written');
  assert.ok(
    partial.some((entry) => entry.size > 0 && entry.size < bytes),
    'it saw the temporary file part-written',
  );
  for (const entry of observations)
    assert.equal(entry.mode, 0o600, `${entry.name} had mode ${entry.mode.toString(8)}`);
  for (const entry of observations.filter((entry) => entry.name === basename(file))) {
    assert.equal(entry.size, bytes, 'the final name only ever shows the whole file');
  }
});

test('an unusable directory rejects with ERR_SNAPSHOT_DIR and leaves nothing', async () => {
  await assert.rejects(captureHeapSnapshot({ dir: join(root, 'missing', 'dir') }), {
    code: 'ERR_SNAPSHOT_DIR',
  });
  const notADir = join(root, 'plain-file');
  writeFileSync(notADir, 'x');
  await assert.rejects(captureHeapSnapshot({ dir: notADir }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_SNAPSHOT_DIR');
    assert.match(error.message, /give an existing directory this process may write to/);
    return true;
  });
});

test('a read-only directory rejects with ERR_SNAPSHOT_DIR', {
  skip: process.getuid?.() === 0 && 'root may write anywhere',
}, async () => {
  const dir = freshDir('read-only');
  const { chmodSync } = await import('node:fs');
  chmodSync(dir, 0o500);
  try {
    await assert.rejects(captureHeapSnapshot({ dir }), { code: 'ERR_SNAPSHOT_DIR' });
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    chmodSync(dir, 0o700);
  }
});

test('running out of space mid-write rejects with ERR_SNAPSHOT_NO_SPACE and removes the partial file', {
  skip: process.platform === 'win32' && 'needs ulimit -f',
}, () => {
  const dir = freshDir('no-space');
  // The file size limit (in 1 KiB blocks) makes write() fail with EFBIG part-way, as a full disk does.
  const child = spawnSync(
    'bash',
    ['-c', 'ulimit -f 256 && exec "$0" "$@"', node, fixture('capture-once.ts').pathname, dir],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(child.status, 0, child.stderr);
  const outcome = JSON.parse(child.stdout) as { ok: boolean; code?: string; message?: string };
  assert.equal(outcome.ok, false);
  assert.equal(outcome.code, 'ERR_SNAPSHOT_NO_SPACE');
  assert.match(outcome.message ?? '', /no space left for the heap snapshot/);
  assert.deepEqual(readdirSync(dir), []);
});

test('abort before the start and during the capture: ERR_ABORTED, no file', async () => {
  const dir = freshDir('abort');
  await assert.rejects(captureHeapSnapshot({ dir, signal: AbortSignal.abort() }), { code: 'ERR_ABORTED' });
  const controller = new AbortController();
  const capture = captureHeapSnapshot({ dir, signal: controller.signal });
  controller.abort();
  await assert.rejects(capture, { code: 'ERR_ABORTED' });
  assert.deepEqual(readdirSync(dir), []);
});

test('bad options throw a coded error', async () => {
  await assert.rejects(captureHeapSnapshot({ dir: '' }), { code: 'ERR_INVALID_OPTION' });
});

class CaptureIdMarker {
  readonly tag = 'marker';
}
const marker = new CaptureIdMarker();

interface ParsedSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function markerIds(file: string): number[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as ParsedSnapshot;
  const width = parsed.snapshot.meta.node_fields.length;
  const name = parsed.strings.indexOf('CaptureIdMarker');
  const objectType = parsed.snapshot.meta.node_types[0].indexOf('object');
  const ids: number[] = [];
  for (let index = 0; index < parsed.nodes.length; index += width) {
    if (parsed.nodes[index] === objectType && parsed.nodes[index + 1] === name)
      ids.push(parsed.nodes[index + 2]!);
  }
  return ids;
}

test('captures at the same time are taken one after the other, each a whole snapshot', async () => {
  const dir = freshDir('together');
  const [first, second] = await Promise.all([captureHeapSnapshot({ dir }), captureHeapSnapshot({ dir })]);
  assert.equal(markerIds(first.file).length, 1);
  assert.equal(markerIds(second.file).length, 1);
  assert.equal(readdirSync(dir).length, 2);
});

test('while a lease on the shared session is held, an object keeps its id from one snapshot to the next', async () => {
  const dir = freshDir('ids');
  const lease = await acquireInspectorSession();
  try {
    const first = await captureHeapSnapshot({ dir });
    const second = await captureHeapSnapshot({ dir });
    assert.deepEqual(markerIds(first.file), markerIds(second.file));
    assert.equal(markerIds(first.file).length, 1, `${marker.tag} is in the snapshot once`);
  } finally {
    lease.release();
  }
  assert.equal(isInspectorSessionOpen(), false, 'the last release disconnects the session');
});
