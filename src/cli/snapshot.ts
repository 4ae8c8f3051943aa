import { resolve } from 'node:path';
import { AbortedError } from '../errors.ts';
import { attachInspector, type DetachOutcome } from '../inspector-client/attach-inspector.ts';
import { takeHeapSnapshotToFile } from '../inspector-client/heap-snapshot-file.ts';
import { formatBytes } from '../report/analysis-text.ts';
import { createCaptureProgress } from './capture-progress.ts';
import { defineCommand } from './command.ts';
import { parseText } from './flags.ts';
import { inspectorPortFlag, parsePidArgument } from './pid-argument.ts';

interface SnapshotFlags {
  output: string | undefined;
  port: number | undefined;
  quiet: boolean;
}

export const snapshotCommand = defineCommand<SnapshotFlags>({
  name: 'snapshot',
  summary: 'Take one heap snapshot of a running Node process (started without memwatcher).',
  usage: '<pid> [-o file] [--port N] [--quiet]',
  description: `
Takes a heap snapshot of a running Node.js process through its inspector, and leaves the process as
it was. memwatcher sends the process SIGUSR1 (as 'node inspect -p <pid>' does), so it opens its
inspector on 127.0.0.1:9229 (or the port its --inspect-port option names), streams the snapshot to
the file (created 0600: heaps hold secrets), then closes the inspector again. An inspector that was
already open is used and left open. Only loopback inspectors are used.

The process must be a Node.js process of this user; memwatcher checks that before it signals
anything (SIGUSR1 would end most other programs). The process pauses while V8 writes the snapshot
(a 480 MB snapshot of 3 million objects took 42 s on a busy 2-core machine) and its stderr shows
"Debugger listening on ..." (Node prints it).

Snapshots of separate 'memwatcher snapshot' runs cannot be compared object by object: V8 forgets
its object ids when an inspector session ends, so 'memwatcher analyze' finds no leak suspects
across them. For a series that can be compared, use 'memwatcher attach <pid> --on-leak snapshot'
(one session), or take them from inside the program (v8.writeHeapSnapshot()).`,
  flags: {
    output: {
      type: 'string',
      short: 'o',
      valueName: 'file',
      default: undefined,
      parse: parseText,
      description: 'Where to write the snapshot. Default: heap-<pid>-<time>.heapsnapshot here.',
    },
    port: inspectorPortFlag,
    quiet: { type: 'boolean', short: 'q', description: 'No progress on stderr.' },
  },
  positionals: { name: 'pid', min: 1, max: 1 },
  examples: [
    'memwatcher snapshot 4242',
    'memwatcher snapshot 4242 -o before.heapsnapshot',
    'memwatcher snapshot $(pgrep -f server.js) -o server.heapsnapshot',
  ],
  async run({ options, positionals, context }) {
    const pid = parsePidArgument(positionals[0], 'snapshot');
    const file = resolve(options.output ?? defaultSnapshotName(pid, new Date()));
    const attached = await attachInspector(pid, {
      ...(options.port === undefined ? {} : { port: options.port }),
      signal: context.signal,
    });
    const progress = createCaptureProgress(context.stderr, { quiet: options.quiet, label: `process ${pid}` });
    let outcome: DetachOutcome;
    let taken: Awaited<ReturnType<typeof takeHeapSnapshotToFile>>;
    try {
      taken = await takeHeapSnapshotToFile(attached.connection, file, {
        signal: context.signal,
        onProgress: progress.update,
      });
    } finally {
      progress.stop();
      if (context.signal.aborted) {
        context.stderr.write(
          `memwatcher: closing the inspector of process ${pid} once it has finished the snapshot (Ctrl-C again leaves it open)…\n`,
        );
      }
      outcome = await attached.detach();
      const warning = detachWarning(pid, outcome);
      if (warning !== null) context.stderr.write(`${warning}\n`);
    }
    if (context.signal.aborted) throw new AbortedError();
    context.stdout.write(
      `Wrote ${file} (${formatBytes(taken.bytes)} in ${(taken.durationMs / 1000).toFixed(1)} s): heap snapshot of process ${pid}.\n` +
        `${detachNote(outcome)}\n`,
    );
  },
});

/** `heap-4242-2025-06-01T10-20-30.heapsnapshot`: sorts by time, no characters shells or Windows mind. */
function defaultSnapshotName(pid: number, time: Date): string {
  return `heap-${pid}-${time.toISOString().slice(0, 19).replaceAll(':', '-')}.heapsnapshot`;
}

/** One line on how the process was left. */
export function detachNote(outcome: DetachOutcome): string {
  if (outcome.exited) return 'The process exited while memwatcher was attached.';
  if (outcome.leftOpen) return 'Its inspector was already open and was left open.';
  if (outcome.closed) return 'Its inspector was closed again; the process runs on as before.';
  return `Its inspector could not be closed (${outcome.problem ?? 'unknown reason'}).`;
}

/** A warning for stderr when the process was not left as it was found. */
export function detachWarning(pid: number, outcome: DetachOutcome): string | null {
  if (outcome.exited || outcome.leftOpen || outcome.closed) return null;
  return `memwatcher: warning: ${outcome.problem ?? `the inspector of process ${pid} may still be open`}; it accepts connections from this machine until the process ends.`;
}
