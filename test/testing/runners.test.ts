/**
 * memwatcher/testing in the other runners: Vitest (on the TypeScript sources) and Jest (native ESM,
 * on the compiled package, built here into a temporary directory like test/package does). Each runs
 * its test file in a child process with its JSON reporter; the tests named "passes: …" must pass and
 * the ones named "fails: …" must fail with the leak assertion's message — that is what a user sees.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runners = join(root, 'test', 'testing', 'runners');
const scratch = mkdtempSync(join(tmpdir(), 'memwatcher-runners-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface RunnerReport {
  exitCode: number | null;
  output: string;
  /** Test title → status and failure messages, from the runner's JSON report. */
  tests: Map<string, { status: string; failure: string }>;
}

/** Runs a runner's CLI with its JSON reporter writing to `reportFile`. */
function runRunner(args: string[], reportFile: string, env: NodeJS.ProcessEnv): Promise<RunnerReport> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1' };
  // node --test marks its children; the runner's own children are no node:test processes.
  delete childEnv.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, env: childEnv, timeout: 120_000, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        const tests = new Map<string, { status: string; failure: string }>();
        try {
          const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
            testResults: {
              assertionResults: { title: string; status: string; failureMessages: string[] }[];
            }[];
          };
          for (const file of report.testResults) {
            for (const result of file.assertionResults) {
              tests.set(result.title, { status: result.status, failure: result.failureMessages.join('\n') });
            }
          }
        } catch {
          // No report: the assertions below show the runner's output.
        }
        resolve({ exitCode, output: `${stdout}\n${stderr}`, tests });
      },
    );
  });
}

let vitest: Promise<RunnerReport>;
let jest: Promise<RunnerReport>;

before(() => {
  const vitestReport = join(scratch, 'vitest.json');
  vitest = runRunner(
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      join(runners, 'vitest.config.ts'),
      '--reporter=json',
      `--outputFile=${vitestReport}`,
    ],
    vitestReport,
    {},
  );
  const packageDir = join(scratch, 'package');
  execFileSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(packageDir, 'dist')],
    { stdio: 'pipe' },
  );
  copyFileSync(join(root, 'package.json'), join(packageDir, 'package.json'));
  const jestReport = join(scratch, 'jest.json');
  jest = runRunner(
    [
      join(root, 'node_modules/jest/bin/jest.js'),
      '--config',
      join(runners, 'jest.config.mjs'),
      '--json',
      `--outputFile=${jestReport}`,
    ],
    jestReport,
    { MEMWATCHER_PACKAGE_DIR: packageDir, NODE_OPTIONS: '--experimental-vm-modules' },
  );
});

function outcome(report: RunnerReport, title: string): { status: string; failure: string } {
  const found = report.tests.get(title);
  assert.ok(found !== undefined, `no result for "${title}"; runner output:\n${report.output}`);
  return found;
}

for (const [runner, report] of [
  ['Vitest', () => vitest],
  ['Jest', () => jest],
] as const) {
  describe(runner, () => {
    test('runs the file: two tests pass, two fail on purpose (exit code 1)', async () => {
      const result = await report();
      assert.equal(result.tests.size, 4, result.output);
      assert.equal(result.exitCode, 1, result.output);
    });

    test('passes: garbage only, and an object dropped after use', async () => {
      const result = await report();
      for (const title of [
        'passes: a function that only makes garbage',
        'passes: an object dropped after use is collected',
      ]) {
        const { status, failure } = outcome(result, title);
        assert.equal(status, 'passed', `${title}: ${failure}`);
      }
    });

    test('fails: the 200-byte leak, with the growth per call and the sign test', async () => {
      const { status, failure } = outcome(await report(), 'fails: a leak of one ~200-byte object per call');
      assert.equal(status, 'failed');
      assert.match(
        failure,
        /LeakAssertionError: assertNoLeak: memory retained grows by about \d+ B per call/,
      );
      assert.match(failure, /in 1[12] of 12 rounds/);
    });

    test('fails: the object kept in a registry is named', async () => {
      const { status, failure } = outcome(
        await report(),
        'fails: an object kept in a registry is not collected',
      );
      assert.equal(status, 'failed');
      assert.match(failure, /LeakAssertionError: expectCollected: registered session is still reachable/);
    });

    test('the leak failure names the class and where it accumulates', async () => {
      const { failure } = outcome(await report(), 'fails: a leak of one ~200-byte object per call');
      assert.match(failure, /\{user, scopes\} \(object\): [\d,]+ → [\d,]+ → [\d,]+ alive/);
      assert.match(failure, /accumulating in Array 'sessions'/);
      assert.match(failure, /Retainer path of one leaked \{user, scopes\}/);
    });

    test('the not-collected failure shows what keeps the object alive', async () => {
      const { failure } = outcome(await report(), 'fails: an object kept in a registry is not collected');
      assert.match(failure, /What keeps registered session alive \(GC root → object\):/);
      // Vitest's module transform drops the variable's name: the registry is a context slot there.
      assert.match(failure, /→ Array\[0\]\s+→ (\{id\}|Object) @\d+/);
    });
  });
}
