import { WatchSession } from '../collector/session.ts';
import { type AttachedInspector, attachInspector } from '../inspector-client/attach-inspector.ts';
import { InspectorSampler } from '../inspector-client/inspector-sampler.ts';
import { inspectorSnapshotSeries } from '../inspector-client/snapshot-series.ts';
import { isProcessAlive } from '../inspector-client/target-process.ts';
import type { LiveDashboard } from '../server/live-dashboard.ts';
import { shouldUseColor } from './color.ts';
import { defineCommand } from './command.ts';
import { inspectorPortFlag, parsePidArgument } from './pid-argument.ts';
import { type ServeFlags, serveFlagDefinitions, serveSession } from './serve-options.ts';
import { detachNote, detachWarning } from './snapshot.ts';
import { watchEnd } from './watch-end.ts';
import {
  collectorOptionsFromFlags,
  onLeakSnapshotsFromFlags,
  parseDuration,
  type WatchFlags,
  watchFlagDefinitions,
  withFlagNames,
} from './watch-options.ts';

interface AttachFlags extends WatchFlags, ServeFlags {
  port: number | undefined;
  duration: number | undefined;
}

export const attachCommand = defineCommand<AttachFlags>({
  name: 'attach',
  summary: 'Watch a running Node process (started without memwatcher) through its inspector.',
  usage: '<pid> [options]',
  description: `
Watches a running Node.js process through its inspector, and leaves it as it was on detach
(Ctrl-C, --duration, or when the process exits). memwatcher sends the process SIGUSR1 (as
'node inspect -p <pid>' does), so it opens its inspector on 127.0.0.1:9229 (or the port its
--inspect-port option names); memwatcher connects over loopback only.

Every --interval it reads process.memoryUsage() and V8's heap limit; a GC observer it places in the
process counts GC pauses and reads the heap floor after each major GC, which the leak verdict
judges (the agent's verdict code, run in memwatcher; between major GCs it uses the lowest heap in
use). RSS peak, swap and threads come from /proc. Alerts,
--events, --db and --report work as for 'memwatcher run'. With --on-leak snapshot, a series of three
heap snapshots is taken through the same inspector session (so their object ids match), analyzed in
a worker thread, and the leak suspects are printed with their retainer paths.

On detach memwatcher removes its GC observer, releases what it held, and closes the inspector
again if it opened it (an inspector that was already open stays open). The process's stderr shows
"Debugger listening on ..." and "Debugger attached." (Node prints them). If memwatcher itself is
killed (SIGKILL), the inspector stays open and the observer stops by itself within 30 s. SIGTERM
and SIGHUP detach as Ctrl-C does.`,
  flags: {
    ...watchFlagDefinitions,
    onLeak: {
      ...watchFlagDefinitions.onLeak,
      description:
        "'snapshot': once the verdict is a leak, take 3 heap snapshots through the inspector, analyze them and print the suspects.",
    },
    port: inspectorPortFlag,
    duration: {
      type: 'string',
      valueName: 'duration',
      default: undefined,
      parse: parseDuration,
      description: 'Detach after this long (10m, 1h). Default: until Ctrl-C or the process exits.',
    },
    ...serveFlagDefinitions,
  },
  positionals: { name: 'pid', min: 1, max: 1 },
  examples: [
    'memwatcher attach 4242',
    'memwatcher attach 4242 --db memwatcher.db --report report.html',
    'memwatcher attach $(pgrep -f server.js) --on-leak snapshot --events events.ndjson',
    'memwatcher attach 4242 --window 2m --warmup 10s --duration 5m',
    'memwatcher attach 4242 --serve 8080',
  ],
  async run({ options, positionals, context }) {
    const pid = parsePidArgument(positionals[0], 'attach');
    let collectorOptions: ReturnType<typeof collectorOptionsFromFlags>;
    try {
      collectorOptions = collectorOptionsFromFlags(options);
    } catch (error) {
      throw withFlagNames(error);
    }
    const attached = await attachInspector(pid, {
      ...(options.port === undefined ? {} : { port: options.port }),
      signal: context.signal,
    });
    let session: WatchSession;
    try {
      session = await WatchSession.open({
        mode: 'attach',
        command: attached.target.argv,
        collector: collectorOptions,
        events: options.events,
        db: options.db,
        report: options.report,
        onLeakSnapshots: onLeakSnapshotsFromFlags(options),
        stderr: context.stderr,
        quiet: options.quiet,
        color: shouldUseColor(context.stderr, context.env),
        signal: context.signal,
      });
    } catch (error) {
      await leave(attached, context.stderr);
      throw withFlagNames(error);
    }
    const dashboard = await serveSession(session, options, context, 'attach', attached.target.argv).catch(
      async (error: unknown) => {
        await leave(attached, context.stderr);
        throw error;
      },
    );
    try {
      await watchUntilDone(attached, session, options, context, dashboard);
    } finally {
      await dashboard?.close();
    }
  },
});

async function watchUntilDone(
  attached: AttachedInspector,
  session: WatchSession,
  options: AttachFlags,
  context: { stderr: NodeJS.WriteStream; signal: AbortSignal },
  dashboard: LiveDashboard | undefined,
): Promise<void> {
  const { pid } = attached;
  session.begin(pid, 'inspector');
  const capture = inspectorSnapshotSeries(attached.connection, {
    onSnapshot: (snapshot) =>
      session.collector.publish({
        type: 'snapshot',
        source: 'collector',
        time: snapshot.time,
        pid,
        reason: snapshot.label,
        file: snapshot.file,
        bytes: snapshot.bytes,
        durationMs: Math.round(snapshot.durationMs),
      }),
  });
  session.setSnapshotCapture(capture);
  dashboard?.setSnapshotCapture(pid, capture);

  // SIGTERM and SIGHUP detach as Ctrl-C does, or the inspector would stay open.
  const watching = watchEnd(context.signal, options.duration);

  let exiting = false;
  let sampler: InspectorSampler;
  try {
    sampler = await InspectorSampler.start(attached, {
      intervalMs: options.interval,
      onSample: (sample) => session.collector.acceptSample(sample),
      onFault: (error) => session.collector.fault(error),
      onGone: (how) => {
        exiting = how === 'exiting';
        watching.end('exited');
      },
    });
  } catch (error) {
    watching.dispose();
    await leave(attached, context.stderr);
    await session.finish({ exitCode: null, signal: null, reason: 'stopped' });
    throw error;
  }
  const opened = attached.wasOpen ? 'its inspector was already open' : 'inspector opened';
  if (!options.quiet)
    session.say(
      `memwatcher: attached to pid ${pid} (${opened} on ${attached.address.host}:${attached.address.port}); Ctrl-C detaches.`,
    );

  let reason = await watching.reason;
  watching.dispose();
  if (exiting) {
    // Node holds the ended program until we disconnect: nothing to remove, only to let it go.
    await leave(attached, context.stderr, { exiting: true, quiet: options.quiet });
    await session.finish({ exitCode: null, signal: null, reason: 'exited' });
    return;
  }
  await sampler.stop();
  // The connection closed but the process lives: its inspector was closed from elsewhere.
  if (reason === 'exited' && (await isProcessAlive(pid))) reason = 'stopped';

  // After Ctrl-C a second one exits at once: leave the process as it was before anything slow. Otherwise
  // an on-leak snapshot series may still need the connection, and finish() waits for it.
  if (reason === 'stopped') {
    await leave(attached, context.stderr, { quiet: options.quiet });
    await session.finish({ exitCode: null, signal: null, reason });
  } else {
    await session.finish({ exitCode: null, signal: null, reason });
    await leave(attached, context.stderr, { quiet: options.quiet });
  }
}

async function leave(
  attached: AttachedInspector,
  stderr: NodeJS.WriteStream,
  options: { exiting?: boolean; quiet?: boolean } = {},
): Promise<void> {
  const outcome = await attached.detach({ exiting: options.exiting === true });
  const warning = detachWarning(attached.pid, outcome);
  if (warning !== null) stderr.write(`${warning}\n`);
  else if (options.quiet !== true)
    stderr.write(`memwatcher: detached from pid ${attached.pid}. ${detachNote(outcome)}\n`);
}
