import { readProcIdentity } from '../collector/proc-reader.ts';
import { ProcSampler } from '../collector/proc-sampler.ts';
import { WatchSession } from '../collector/session.ts';
import { AttachError } from '../errors.ts';
import { shouldUseColor } from './color.ts';
import { defineCommand } from './command.ts';
import { parsePidArgument } from './pid-argument.ts';
import { type ServeFlags, serveFlagDefinitions, serveSession } from './serve-options.ts';
import { watchEnd } from './watch-end.ts';
import {
  collectorOptionsFromFlags,
  parseDuration,
  type WatchFlags,
  watchFlagDefinitions,
  withFlagNames,
} from './watch-options.ts';

interface WatchCommandFlags extends WatchFlags, ServeFlags {
  duration: number | undefined;
  tree: boolean;
}

export const watchCommand = defineCommand<WatchCommandFlags>({
  name: 'watch',
  summary: 'Watch any running process from outside (/proc): RSS, peak, swap, threads, leak verdict.',
  usage: '<pid> [options]',
  description: `
Watches a running process of any kind (Python, Java, Node, a binary) from outside, through
/proc/<pid>/status and /proc/<pid>/smaps_rollup: RSS, peak RSS, swap, threads and PSS every
--interval. The leak verdict is the agent's, judged on the lowest RSS of each stretch of the window
(so an allocation sawtooth is not growth), with alerts, --events, --db and --report as for
'memwatcher run'. Nothing is injected into the process and nothing in it changes.

With --serve, the live dashboard and /metrics are served from memwatcher as for 'memwatcher run
--serve' (behind a token, on 127.0.0.1 unless a host is named). Its heap snapshot buttons are
unavailable, and the page and the API say why: a process read through /proc has no heap to read.

Watching ends when the process exits, on Ctrl-C, SIGTERM or SIGHUP, or after --duration; memwatcher
then exits with 0 (the dashboard closes with it). For the JS heap of a Node process use 'memwatcher
attach <pid>'. A PID that names no process exits with 3.`,
  flags: {
    ...watchFlagDefinitions,
    onLeak: {
      ...watchFlagDefinitions.onLeak,
      description:
        "'snapshot' needs a heap: watch cannot take one from outside (use 'memwatcher attach <pid> --on-leak snapshot').",
    },
    duration: {
      type: 'string',
      valueName: 'duration',
      default: undefined,
      parse: parseDuration,
      description: 'Stop after this long (10m, 1h). Default: until the process exits or Ctrl-C.',
    },
    tree: {
      type: 'boolean',
      description: "Sum the process and all its descendants (a launcher, a server's workers).",
    },
    ...serveFlagDefinitions,
    showStrings: {
      ...serveFlagDefinitions.showStrings,
      description:
        'Accepted as for run and attach; no effect here: watch reads no heap, so there are no heap names to show.',
    },
  },
  positionals: { name: 'pid', min: 1, max: 1 },
  examples: [
    'memwatcher watch 4242',
    'memwatcher watch $(pgrep -f worker.py) --events watch.ndjson --report report.html',
    'memwatcher watch 4242 --tree --alert-rss 2GB --webhook https://hooks.example.com/T000/B000/XXXX',
    'memwatcher watch 4242 --window 2m --warmup 10s --duration 5m --db history.db',
    'memwatcher watch 4242 --serve 8080',
  ],
  async run({ options, positionals, context }) {
    const pid = parsePidArgument(positionals[0], 'watch');
    const identity = await readProcIdentity(pid);
    if (identity === undefined) {
      throw new AttachError(
        'ERR_NO_SUCH_PROCESS',
        pid,
        `no process with pid ${pid} (it exited, or the number is wrong; 'ps -e' lists running processes).`,
      );
    }
    let session: WatchSession;
    try {
      // Begun below, once the dashboard (if any) listens: it must see the `start` event.
      session = await WatchSession.open({
        mode: 'watch',
        command: identity.commandLine,
        collector: collectorOptionsFromFlags(options),
        events: options.events,
        db: options.db,
        report: options.report,
        // Said once a leak is called: a heap cannot be read from outside.
        onLeakSnapshots:
          options.onLeak === 'snapshot' ? { dir: options.snapshotDir, intervalMs: 0 } : undefined,
        stderr: context.stderr,
        quiet: options.quiet,
        color: shouldUseColor(context.stderr, context.env),
        signal: context.signal,
      });
    } catch (error) {
      throw withFlagNames(error);
    }
    const dashboard = await serveSession(session, options, context, 'watch', identity.commandLine);
    try {
      await watchUntilDone(pid, identity.commandLine, session, options, context);
    } finally {
      await dashboard?.close();
    }
  },
});

/** Samples `pid` from /proc until it exits, Ctrl-C, SIGTERM/SIGHUP or `--duration`; then finishes the session. */
async function watchUntilDone(
  pid: number,
  commandLine: readonly string[],
  session: WatchSession,
  options: WatchCommandFlags,
  context: { signal: AbortSignal },
): Promise<void> {
  session.begin(pid, 'proc');
  const watching = watchEnd(context.signal, options.duration);
  const sampler = new ProcSampler({
    pid,
    intervalMs: session.collector.settings.intervalMs,
    tree: options.tree,
    onSample: (sample) => session.collector.acceptSample(sample),
    onGone: () => watching.end('exited'),
  });
  if (!(await sampler.start())) watching.end('exited');
  else if (!options.quiet) {
    const what = commandLine.join(' ') || `pid ${pid}`;
    session.say(
      `memwatcher: watching pid ${pid} (${what.length > 60 ? `${what.slice(0, 59)}…` : what}) from outside every ${session.collector.settings.intervalMs} ms; Ctrl-C stops.`,
    );
  }

  const reason = await watching.reason;
  watching.dispose();
  sampler.stop();
  await session.finish({ exitCode: null, signal: null, reason });
}
