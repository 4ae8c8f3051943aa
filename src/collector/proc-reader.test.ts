import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  parseKbFields,
  parseProcStatus,
  parseStartTime,
  readChildren,
  readProcIdentity,
  readProcMemory,
} from './proc-reader.ts';

const STATUS = `Name:\tpython3
State:\tS (sleeping)
PPid:\t4100
VmPeak:\t  300000 kB
VmHWM:\t   60000 kB
VmRSS:\t   52000 kB
VmSwap:\t    1024 kB
Threads:\t4
`;

const root = mkdtempSync(join(tmpdir(), 'memwatcher-proc-'));
after(() => rmSync(root, { recursive: true, force: true }));

function fakeProcess(pid: number, files: Record<string, string>): void {
  mkdirSync(join(root, String(pid), 'task', String(pid)), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, String(pid), name), text);
}

describe('parseProcStatus', () => {
  it('reads RSS, peak, swap (kB are KiB) and threads', () => {
    const fields = parseProcStatus(STATUS);
    assert.equal(fields.vmRss, 52_000 * 1024);
    assert.equal(fields.vmHwm, 60_000 * 1024);
    assert.equal(fields.vmSwap, 1024 * 1024);
    assert.equal(fields.threads, 4);
    assert.equal(fields.ppid, 4100);
    assert.equal(fields.state, 'S');
  });

  it('leaves out what a kernel thread or a zombie does not have', () => {
    const fields = parseProcStatus('Name:\tkworker\nState:\tZ (zombie)\nThreads:\t1\n');
    assert.equal(fields.vmRss, undefined);
    assert.equal(fields.state, 'Z');
  });
});

describe('parseKbFields', () => {
  it('reads every "Name: n kB" line of smaps_rollup', () => {
    const fields = parseKbFields(
      '55b9-7fff ---p 00000000 00:00 0  [rollup]\nRss:  1740 kB\nPss:   219 kB\nSwap: 0 kB\n',
    );
    assert.equal(fields.get('Pss'), 219 * 1024);
    assert.equal(fields.get('Rss'), 1740 * 1024);
    assert.equal(fields.get('Swap'), 0);
  });
});

describe('parseStartTime', () => {
  it('counts fields after the last parenthesis: a command name may hold spaces and parentheses', () => {
    const tail = 'S 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 1000000 200';
    assert.equal(parseStartTime(`4242 (my (odd) name) ${tail}`), 987_654);
    assert.equal(parseStartTime(`4242 (cat) ${tail}`), 987_654);
    assert.equal(parseStartTime('garbage'), undefined);
  });
});

describe('reading a /proc tree', () => {
  it('reads memory, with PSS when smaps_rollup is readable', async () => {
    fakeProcess(101, { status: STATUS, smaps_rollup: 'Rss: 52000 kB\nPss: 40000 kB\n' });
    const memory = await readProcMemory(101, root);
    assert.deepEqual(memory, {
      pid: 101,
      rss: 52_000 * 1024,
      rssPeak: 60_000 * 1024,
      swap: 1024 * 1024,
      threads: 4,
      pss: 40_000 * 1024,
    });
  });

  it('gives null PSS without smaps_rollup, and nothing for a zombie or a missing process', async () => {
    fakeProcess(102, { status: STATUS });
    assert.equal((await readProcMemory(102, root))?.pss, null);
    fakeProcess(103, { status: STATUS.replace('S (sleeping)', 'Z (zombie)') });
    assert.equal(await readProcMemory(103, root), undefined);
    assert.equal(await readProcMemory(104, root), undefined);
  });

  it('reads the identity (start time, command line)', async () => {
    fakeProcess(105, {
      stat: '105 (python3) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0',
      cmdline: 'python3\0app.py\0--port\0' + '8080\0',
    });
    assert.deepEqual(await readProcIdentity(105, root), {
      pid: 105,
      startTime: 5555,
      commandLine: ['python3', 'app.py', '--port', '8080'],
    });
    assert.equal(await readProcIdentity(106, root), undefined);
  });

  it('reads children from every thread, and says when the kernel has no children files', async () => {
    fakeProcess(110, { stat: '110 (sh) S 1 0' });
    mkdirSync(join(root, '110', 'task', '111'), { recursive: true });
    writeFileSync(join(root, '110', 'task', '110', 'children'), '120 121 ');
    writeFileSync(join(root, '110', 'task', '111', 'children'), '122 ');
    assert.deepEqual(await readChildren(110, root), [120, 121, 122]);
    fakeProcess(130, { stat: '130 (sh) S 1 0' });
    assert.equal(await readChildren(130, root), undefined);
  });

  it('reads this very process', async () => {
    const memory = await readProcMemory(process.pid);
    assert.ok(memory !== undefined);
    assert.ok(memory.rss > 10 * 1024 * 1024 && memory.rssPeak >= memory.rss);
    assert.ok(memory.threads >= 2, 'Node has worker threads');
    const identity = await readProcIdentity(process.pid);
    assert.ok(identity !== undefined && identity.startTime > 0);
    assert.ok(
      identity.commandLine.some((arg) => arg.endsWith('proc-reader.test.ts')),
      identity.commandLine.join(' '),
    );
  });
});
