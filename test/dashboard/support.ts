/**
 * Helpers for the dashboard's whole-process tests: start the real CLI (or a fixture program) and read
 * the dashboard URL it prints, talk HTTP and SSE to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

export interface Started {
  readonly child: ChildProcess;
  /** Everything the process printed on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal). */
  readonly exited: Promise<number>;
}

/** Starts `node <args>`; the process is killed after `timeoutMs` so a hang fails instead of stalling. */
export function startNode(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Started {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout!.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
    }),
  );
  return { child, stderr: () => stderr, exited };
}

/** Waits until stderr shows `pattern`; rejects when the process ends first. */
export async function waitForOutput(
  started: Started,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void started.exited.then(() => {
    ended = true;
  });
  for (;;) {
    const match = pattern.exec(started.stderr());
    if (match !== null) return match;
    if (ended) throw new Error(`the process ended without printing ${pattern}:\n${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads `/api/events` until `count` events of `type` arrived; returns their `data`. */
export function readEvents(
  url: string,
  headers: Record<string, string>,
  type: string,
  count: number,
  timeoutMs = 20_000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const found: unknown[] = [];
    const req = httpRequest(url, { headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === type && data !== undefined) found.push(JSON.parse(data));
          end = buffer.indexOf('\n\n');
        }
        if (found.length >= count) {
          clearTimeout(timer);
          req.destroy();
          resolve(found);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${found.length} '${type}' events within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => {
      if (found.length < count) reject(error);
    });
    req.end();
  });
}
