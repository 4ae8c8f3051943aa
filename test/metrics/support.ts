/**
 * Shared by the whole-process metrics tests: the served fixture program, and where Prometheus'
 * binaries are. Outside CI a machine without Prometheus skips those tests with a message; under CI
 * (`CI` set) they run and fail if the binaries are missing (.ci/run installs Debian's `prometheus`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const node = join(root, 'node_modules', '.bin', 'node');

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

export interface PrometheusBinaries {
  readonly prometheus: string;
  readonly promtool: string;
}

/**
 * The binaries, or why the test is skipped. Under CI a missing binary is a failure, not a skip: the
 * returned `missing` message is then thrown by the test.
 */
export function prometheusBinaries():
  | { readonly found: PrometheusBinaries; readonly skip: false }
  | { readonly skip: string | false; readonly missing: string } {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  if (prometheus !== undefined && promtool !== undefined)
    return { found: { prometheus, promtool }, skip: false };
  const missing = `prometheus/promtool not found on PATH (Debian package "prometheus": apt-get install prometheus)`;
  return { skip: process.env.CI ? false : `${missing}; skipped outside CI`, missing };
}

export interface ServedApp {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts `fixtures/served-app.ts` and waits for the line saying where it serves. */
export async function startServedApp(mode: 'leak' | 'healthy', durationMs = 60_000): Promise<ServedApp> {
  const child = spawn(node, [join(root, 'test/metrics/fixtures/served-app.ts'), mode, String(durationMs)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the served app exited (${code}) before serving:\n${stderr}`);
    }),
  ]);
  lines.close();
  const { url, token, pid } = JSON.parse(first) as { url: string; token: string; pid: number };
  return {
    child,
    url,
    token,
    pid,
    port: Number(new URL(url).port),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A port free right now (Prometheus needs a fixed one on its command line). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Runs a command, feeding `input` on stdin; resolves with its exit code (or the signal that ended it)
 * and output. With `killAfterMs`, a command still running then is killed (SIGKILL).
 */
export async function run(
  command: string,
  args: readonly string[],
  options: { input?: string; cwd?: string; killAfterMs?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd: options.cwd ?? root, stdio: ['pipe', 'pipe', 'pipe'] });
  const kill =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? '');
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(kill);
  return { code, signal, stdout, stderr };
}
