/**
 * Runs the real CLI (`src/cli/main.ts`) in a child process with the test's Node, and collects what it
 * printed. A child that hangs is killed after `timeoutMs` and reported as such, so a hang fails the
 * test instead of stalling the suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called once the child is running, e.g. to send it a signal or close its stdout. */
  onSpawn?: (child: ChildProcess) => void;
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, NO_COLOR: '1', MEMWATCHER_DEBUG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    options.onSpawn?.(child);
  });
}

/** stderr is exactly one line, and no line of it looks like a stack frame. */
export function isOneCleanLine(stderr: string): boolean {
  return /^[^\n]+\n$/.test(stderr) && !/^\s+at /m.test(stderr);
}
