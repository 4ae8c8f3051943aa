/**
 * `memwatcher/register`: watch a Node program without changing its code.
 *
 * ```sh
 * node --import memwatcher/register app.js
 * NODE_OPTIONS="--import memwatcher/register" npm start
 * ```
 *
 * Configured by environment variables (sizes accept `KB`/`MB`/`GB`, powers of 1024; durations in ms;
 * flags `1`/`0`):
 *
 * | variable | meaning (default) |
 * | --- | --- |
 * | `MEMWATCHER_DISABLE` | flag: load but do nothing |
 * | `MEMWATCHER_INTERVAL_MS` | sampling interval (1000) |
 * | `MEMWATCHER_WINDOW_MS` | leak verdict window (600000) |
 * | `MEMWATCHER_WARMUP_MS` | startup time not judged (60000) |
 * | `MEMWATCHER_MIN_POINTS` | fewest points for a verdict (6) |
 * | `MEMWATCHER_CONFIDENCE` | confidence the trend test must reach (0.99) |
 * | `MEMWATCHER_MIN_GROWTH` | growth per minute below which nothing is a leak (512KB) |
 * | `MEMWATCHER_ALERT_HEAP_USED` / `_RSS` / `_EXTERNAL` | alert above this size |
 * | `MEMWATCHER_ALERT_HEAP_SHARE` | alert above this share of the heap limit (0–1) |
 * | `MEMWATCHER_ALERT_GROWTH` | alert on significant growth above this size per minute |
 * | `MEMWATCHER_ALERT_TIME_TO_LIMIT_MS` | alert when the heap limit is projected sooner |
 * | `MEMWATCHER_ALERT_LEAK` | flag: alert on a leak verdict (1) |
 * | `MEMWATCHER_ALERT_INTERVAL_MS` | at most one alert per rule per interval (900000) |
 * | `MEMWATCHER_WEBHOOK_URL` | POST alerts as JSON here |
 * | `MEMWATCHER_SMTP_URL`, `MEMWATCHER_EMAIL_FROM`, `MEMWATCHER_EMAIL_TO` | email alerts (needs `nodemailer`) |
 * | `MEMWATCHER_SNAPSHOT_DIR` | directory for automatic heap snapshots (enables them) |
 * | `MEMWATCHER_SNAPSHOT_ON_LEAK` | flag: heap snapshot on a leak verdict |
 * | `MEMWATCHER_SNAPSHOT_NEAR_LIMIT` | heap snapshot past this share of the heap limit |
 * | `MEMWATCHER_LOG` | stderr lines when no parent listens: `off`, `leaks`, `verdicts` (verdicts) |
 * | `MEMWATCHER_WATCH` | watch only the process whose command line contains this (or matches `/regex/`) |
 * | `MEMWATCHER_INHERIT` | flag: child processes of the watched process are watched too |
 * | `MEMWATCHER_IPC` | set by a parent `memwatcher`: report over IPC (`1` or the parent's pid) |
 *
 * Which process is watched:
 * - worker threads never are (`isMainThread`);
 * - package managers (`npm`, `npx`, `pnpm`, `yarn`, `corepack`) pass the preload on to the app
 *   they start instead of being watched, so `memwatcher run -- npm start` watches the app; set
 *   `MEMWATCHER_WATCH=server.js` to choose the process by its command line instead;
 * - the watched process removes the preload from `NODE_OPTIONS` and marks its environment
 *   (`MEMWATCHER_WATCHED_PID`), so its children, even forked with the parent's `execArgv`, stay
 *   unwatched unless `MEMWATCHER_INHERIT=1`.
 *
 * Where it reports: over IPC (see `ipc-protocol.ts`) when `MEMWATCHER_IPC` is set and the process
 * has an IPC channel; otherwise one line per verdict change, alert, snapshot or fault on stderr,
 * prefixed `[memwatcher]`. An invalid variable prints one such line and leaves the program unwatched;
 * the preload never throws into the program.
 */
import { isMainThread } from 'node:worker_threads';
import { isMemwatcherError } from '../errors.ts';
import { answerIpcCommands } from './ipc-commands.ts';
import { IPC_ENV } from './ipc-protocol.ts';
import { reportOverIpc } from './ipc-reporter.ts';
import { planFromEnvironment, stripPreload, variableForOption, WATCHED_PID_ENV } from './register-env.ts';
import { setRegisteredWatcher } from './registered.ts';
import { reportToStderr, writeLine } from './stderr-reporter.ts';
import { MemoryWatcher } from './watcher.ts';

function register(): void {
  const prefix = `[memwatcher] pid ${process.pid}:`;
  let plan: ReturnType<typeof planFromEnvironment>;
  let watcher: MemoryWatcher;
  try {
    plan = planFromEnvironment(process.env, {
      argv: process.argv,
      pid: process.pid,
      ppid: process.ppid,
      isMainThread,
      hasIpcChannel: typeof process.send === 'function' && process.connected === true,
    });
    if (plan.action !== 'watch') return;
    watcher = new MemoryWatcher(plan.options);
  } catch (error) {
    const message =
      isMemwatcherError(error) && 'option' in error
        ? `${variableForOption(String(error.option))}: ${error.message.slice(String(error.option).length + 2)}`
        : error instanceof Error
          ? error.message
          : String(error);
    writeLine(`${prefix} not watching this process: ${message}\n`);
    return;
  }

  process.env[WATCHED_PID_ENV] = String(process.pid);
  delete process.env[IPC_ENV];
  const nodeOptions = process.env.NODE_OPTIONS;
  if (!plan.inherit && nodeOptions !== undefined) {
    const stripped = stripPreload(nodeOptions);
    if (stripped === '') delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = stripped;
  }
  if (plan.unknownVariables.length > 0) {
    writeLine(`${prefix} ignoring unknown variable(s) ${plan.unknownVariables.join(', ')}\n`);
  }
  if (plan.ipc) {
    reportOverIpc(
      watcher,
      (message, done) => process.send!(message, undefined, {}, done),
      () => process.connected === true,
    );
    // Commands from memwatcher (a snapshot series on a leak); this also unrefs the channel.
    // The callback keeps a closed channel from becoming an 'error' event on the host's process.
    answerIpcCommands(watcher, (reply) => process.send!(reply, undefined, {}, () => {}));
  } else {
    reportToStderr(watcher, plan.log);
  }
  setRegisteredWatcher(watcher);
  watcher.start();
}

try {
  register();
} catch {
  // The preload must never take the program down; there is nothing useful left to report to.
}
