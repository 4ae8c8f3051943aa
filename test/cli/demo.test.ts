/**
 * `memwatcher demo` (what `npm start` runs): the whole tour in a real process. Its temporary files
 * go to a directory of the test's own (TMPDIR), so the test can check that nothing is left behind.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isOneCleanLine, runCli } from './run-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'memwatcher-demo-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function ownTmpdir(name: string): string {
  const directory = join(scratch, name);
  mkdirSync(directory);
  return directory;
}

describe('memwatcher demo', { concurrency: true }, () => {
  it('names Session and the Map variable holding it, then removes its snapshots', async () => {
    const tmp = ownTmpdir('full');
    const run = await runCli(['demo'], { env: { TMPDIR: tmp }, timeoutMs: 60_000 });
    assert.equal(run.timedOut, false, 'the demo hung');
    assert.equal(run.code, 0, `stderr: ${run.stderr}\nstdout: ${run.stdout}`);
    assert.equal(run.stderr, '', 'no progress or warnings when stderr is not a terminal');
    for (const step of ['1. Start a leaky program', '2. Send traffic', '3. Analyze', '4. The culprit']) {
      assert.ok(run.stdout.includes(step), `missing step "${step}"`);
    }
    const culprit = run.stdout.slice(run.stdout.indexOf('4. The culprit'));
    assert.match(culprit, /1\. Session \(object\): [\d,]+ alive/);
    // Long paths wrap at arrows; join them back to one line.
    const path = culprit.slice(culprit.indexOf('retainer path')).replace(/\n\s+→ /g, ' → ');
    assert.match(path, /\.sessions → Map/, 'the retainer path goes through the variable `sessions`');
    assert.match(path, /Session @\d+/);
    assert.match(culprit, /defined at +\S*leaky-app\.ts:\d+:\d+/);
    assert.match(culprit, /Not flagged, as it should be/);
    assert.deepEqual(readdirSync(tmp), [], 'the snapshots are removed');
  });

  it('stops on Ctrl-C with exit 130, one line, and no files left', async () => {
    const tmp = ownTmpdir('interrupted');
    const run = await runCli(['demo'], {
      env: { TMPDIR: tmp },
      timeoutMs: 60_000,
      onSpawn(child) {
        let seen = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          // Interrupt while the leaky program runs and snapshots are being written.
          if (seen.includes('2. Send traffic') && !child.killed) child.kill('SIGINT');
        });
      },
    });
    assert.equal(run.timedOut, false, 'the demo hung after SIGINT');
    assert.equal(run.code, 130, `stderr: ${run.stderr}`);
    assert.ok(isOneCleanLine(run.stderr), JSON.stringify(run.stderr));
    assert.equal(run.stderr, 'memwatcher: interrupted\n');
    assert.deepEqual(readdirSync(tmp), [], 'the temporary directory is removed');
  });
});
