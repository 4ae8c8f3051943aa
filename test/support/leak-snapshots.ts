/**
 * Runs the leak fixture programs (test/fixtures/leaks) and hands tests their three heap snapshots.
 * Each fixture runs at most once per test process, however many tests ask for it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leakCase } from '../fixtures/leaks/cases.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixturesDir = join(repoRoot, 'test', 'fixtures', 'leaks');

const tempDirs: string[] = [];
let cleanupRegistered = false;

/**
 * A fresh directory under the OS temp dir, removed when the process exits.
 *
 * @example
 * const dir = tempDir('parser-');
 * writeFileSync(join(dir, 'empty.heapsnapshot'), '');
 */
export function tempDir(prefix: string): string {
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.on('exit', () => {
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), `memwatcher-${prefix}`));
  tempDirs.push(dir);
  return dir;
}

/**
 * The Node that fixtures must run on: the pinned `node` devDependency. The test process is normally
 * that Node already (npm scripts put it first on PATH); when it is not, use the pinned binary.
 */
export function pinnedNode(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const pinned = manifest.devDependencies?.node;
  if (pinned === undefined || process.version === `v${pinned}`) return process.execPath;
  const binary = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    throw new Error(`the pinned Node ${pinned} is not installed (${binary} missing): run npm install`);
  }
  return binary;
}

const runs = new Map<string, Promise<string[]>>();

/**
 * Runs the fixture `caseName` (see test/fixtures/leaks/cases.ts) in a child process and resolves to
 * its three snapshot paths, in order. Rejects with the child's stderr if it fails.
 *
 * @example
 * const [first, second, third] = await snapshotsFor('module-map-cache');
 */
export async function snapshotsFor(caseName: string): Promise<string[]> {
  return snapshotsOfProgram(join(fixturesDir, leakCase(caseName).file));
}

/**
 * Runs any program that follows the fixtures' contract (snapshot directory as its argument,
 * `1.heapsnapshot`…`3.heapsnapshot` written there, exit 0) once per process and path.
 */
export function snapshotsOfProgram(program: string): Promise<string[]> {
  let run = runs.get(program);
  if (run === undefined) {
    run = runProgram(program);
    runs.set(program, run);
  }
  return run;
}

function runProgram(program: string): Promise<string[]> {
  const label = basename(program).replace(/\.[cm]?[jt]s$/, '');
  const dir = tempDir(`${label}-`);
  return new Promise((resolve, reject) => {
    execFile(
      pinnedNode(),
      [program, dir],
      { cwd: dirname(program), timeout: 60_000, maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`${label} failed (${error.message.split('\n')[0]}):\n${stderr}`));
          return;
        }
        const paths = [1, 2, 3].map((phase) => join(dir, `${phase}.heapsnapshot`));
        const missing = paths.filter((path) => !existsSync(path));
        if (missing.length > 0) {
          reject(new Error(`${label} exited 0 without writing ${missing.join(', ')}:\n${stderr}`));
          return;
        }
        resolve(paths);
      },
    );
  });
}
