import type { DashboardServeOptions, ServedDashboard } from '../agent/dashboard-options.ts';
import { answer } from '../agent/ipc-commands.ts';
import { IPC_PROTOCOL_VERSION } from '../agent/ipc-protocol.ts';
import { reportOverIpc } from '../agent/ipc-reporter.ts';
import type { MemoryWatcher } from '../agent/watcher.ts';
import type { SnapshotSeriesCapture } from '../collector/leak-evidence.ts';
import { CollectorFaultError } from '../errors.ts';
import { WatcherMetrics } from '../metrics/watcher-metrics.ts';
import { startDashboardServer } from './dashboard-server.ts';
import { LiveSource } from './live-source.ts';
import { SnapshotActions } from './snapshot-actions.ts';

/** In the host's memory: an hour of 1 s samples at full resolution, then folded (≈ 0.2 MB). */
const IN_PROCESS_POINTS = 3600;

/**
 * `watcher.serve()`: the dashboard inside the watched program itself, for library users. The
 * watcher's events become the same messages the agent sends `memwatcher run`, so the page works
 * the same; its existing history seeds the chart. The server is unref()ed (the program exits when
 * its own work is done); heap snapshots go through the same code as `memwatcher run`'s (one
 * inspector session per series) and are analyzed in a worker thread.
 */
export async function serveWatcher(
  watcher: MemoryWatcher,
  options: DashboardServeOptions,
): Promise<ServedDashboard> {
  const live = new LiveSource({
    mode: 'in-process',
    runMode: 'library',
    command: process.argv,
    seriesCapacity: IN_PROCESS_POINTS,
    canSnapshot: (pid) => pid === process.pid,
  });
  live.preload(
    process.pid,
    watcher.history().map((point) => ({
      time: point.time,
      rss: point.rss,
      heapUsed: point.heapUsed,
      heapTotal: point.heapTotal,
      external: point.external,
      arrayBuffers: point.arrayBuffers,
      heapFloor: point.heapFloor ?? null,
      gcPauseMs: point.gcPauseMs,
    })),
  );
  const detach = reportOverIpc(
    watcher,
    (message, done) => {
      live.accept(message);
      done(null);
    },
    () => true,
  );
  let nextCommand = 1;
  const capture: SnapshotSeriesCapture = async (request) => {
    const reply = await answer(watcher, {
      source: 'memwatcher',
      v: IPC_PROTOCOL_VERSION,
      type: 'command',
      command: 'snapshot-series',
      id: nextCommand++,
      dir: request.dir,
      count: request.count,
      intervalMs: request.intervalMs,
      label: request.label,
    });
    if (!reply.ok) {
      throw new CollectorFaultError(
        'ERR_LEAK_EVIDENCE',
        `the heap snapshots could not be taken (${reply.code}): ${reply.message}`,
      );
    }
    return reply.files;
  };
  const actions = new SnapshotActions({
    dir: options.snapshotDir ?? process.cwd(),
    captureFor: (pid) => (pid === process.pid ? capture : undefined),
    unavailableReason: (pid) => live.snapshotsUnavailable(pid),
    publish: (event) => live.accept(event),
    analysisIdFor: (files) => live.analysisIdFor(files),
    onChange: (action) => live.recordAction(action),
  });
  const metrics = options.metrics === false ? undefined : new WatcherMetrics(watcher);
  try {
    const server = await startDashboardServer({
      source: live,
      actions,
      metrics,
      port: options.port,
      host: options.host,
      token: options.token,
      showStrings: options.showStrings,
    });
    return {
      ...server,
      close: async () => {
        detach();
        await server.close();
        metrics?.close();
        live.close();
      },
    };
  } catch (error) {
    detach();
    actions.close();
    metrics?.close();
    throw error;
  }
}
