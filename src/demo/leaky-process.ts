import { type ChildProcess, fork } from 'node:child_process';
import { AbortedError, MemwatcherError } from '../errors.ts';
import type { AppReady, Traffic, TrafficServed } from './leaky-app.ts';
import type { SnapshotWritten, TakeSnapshot } from './take-snapshot.ts';

// Run from src/ the demo's files are .ts (type stripping); from dist/ they are compiled .js.
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const leakyAppUrl = new URL(`./leaky-app${extension}`, import.meta.url);
const takeSnapshotUrl = new URL(`./take-snapshot${extension}`, import.meta.url);

/** The leaky web shop (`leaky-app.ts`) running as a child process, driven over IPC. */
export interface LeakyProcess {
  pid: number;
  /** Where the program's source is, for the tour's text. */
  sourceUrl: URL;
  serve(requests: number): Promise<TrafficServed>;
  takeSnapshot(file: string): Promise<SnapshotWritten>;
  /** Lets the program exit (closes the IPC channel); kills it if it is still running after that. */
  stop(): Promise<void>;
}

/**
 * Starts `leaky-app.ts` with `take-snapshot.ts` preloaded. Aborting `signal` kills it.
 *
 * @example
 * const shop = await startLeakyProcess(signal);
 * await shop.serve(500);
 * await shop.takeSnapshot('/tmp/1.heapsnapshot');
 * await shop.stop();
 */
export async function startLeakyProcess(signal: AbortSignal): Promise<LeakyProcess> {
  const child = fork(leakyAppUrl, [], {
    // Only the snapshot helper: the CLI's own flags (e.g. --conditions, --inspect) are not the app's.
    execArgv: ['--import', takeSnapshotUrl.href],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    signal,
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  // Without a listener an abort (which kills the child) would surface as an unhandled 'error'.
  child.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  /** Resolves with the program's first message of `replyType`, after sending `message` if given. */
  const reply = <Reply extends { type: string }>(
    replyType: Reply['type'],
    message?: Traffic | TakeSnapshot,
  ) =>
    new Promise<Reply>((resolve, reject) => {
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      const onMessage = (received: Reply) => {
        if (received.type !== replyType) return;
        cleanup();
        resolve(received);
      };
      const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) => {
        cleanup();
        reject(childDied(code, exitSignal, stderrTail));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
      if (message !== undefined) child.send(message);
    });

  // Not on 'spawn': a message sent before the program listens may be dropped (see `AppReady`).
  await reply<AppReady>('ready');

  return {
    pid: child.pid ?? 0,
    sourceUrl: leakyAppUrl,
    serve: (requests) => reply<TrafficServed>('served', { type: 'traffic', requests }),
    takeSnapshot: (file) => reply<SnapshotWritten>('snapshot-written', { type: 'take-snapshot', file }),
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.disconnect();
  // It exits on its own once the channel is closed; a program stuck in a loop is killed.
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function childDied(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): MemwatcherError {
  // Ctrl-C in a terminal reaches the whole process group: the child may die of it before our own
  // SIGINT handler has run.
  if (signal === 'SIGINT') return new AbortedError('Interrupted (SIGINT).');
  const how = signal === null ? `with exit code ${code}` : `on ${signal}`;
  const lastLine = stderrTail.trim().split('\n').at(-1);
  const detail = lastLine === undefined || lastLine === '' ? '' : `: ${lastLine}`;
  return new MemwatcherError('ERR_DEMO_PROGRAM_DIED', `the demo's leaky program stopped ${how}${detail}`);
}
