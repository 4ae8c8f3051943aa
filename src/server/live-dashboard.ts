import type { Collector } from '../collector/collector.ts';
import type { SnapshotSeriesCapture } from '../collector/leak-evidence.ts';
import { FleetMetrics } from '../metrics/fleet-metrics.ts';
import { type DashboardServer, startDashboardServer } from './dashboard-server.ts';
import { LiveSource } from './live-source.ts';
import { SnapshotActions } from './snapshot-actions.ts';

export interface LiveDashboardOptions {
  readonly collector: Collector;
  /** `run`, `attach`, `watch`. */
  readonly mode: string;
  readonly command: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
  readonly showStrings: boolean;
  /** Where the page's heap snapshots go. */
  readonly snapshotDir: string;
  /** Between the snapshots of a series. Default 5 s. */
  readonly seriesIntervalMs?: number | undefined;
}

export interface LiveDashboard {
  readonly server: DashboardServer;
  /**
   * How to take snapshots of `pid` (the agent once it said hello, the inspector for `attach`); `undefined` to stop.
   * Never called for a process watched from outside (`watch`): its page says why snapshots are unavailable.
   */
  setSnapshotCapture(pid: number, capture: SnapshotSeriesCapture | undefined): void;
  close(): Promise<void>;
}

/**
 * `memwatcher run/attach/watch --serve`: the dashboard in the memwatcher process, fed by the collector, so
 * the watched program pays nothing for it (no server, no JSON, no sockets in its process). Its
 * snapshots' analyses are published on the collector, so `--events` and `--db` record them too.
 * Call before the collector's `start` event (before `session.begin`).
 * @throws {DashboardError} `ERR_DASHBOARD_LISTEN`, `ERR_DASHBOARD_ASSETS`.
 * @example
 * const dashboard = await startLiveDashboard({ collector: session.collector, mode: 'run', command, host: '127.0.0.1', port: 8080, showStrings: false, snapshotDir });
 * session.say(`memwatcher: dashboard at ${dashboard.server.openUrl}`);
 */
export async function startLiveDashboard(options: LiveDashboardOptions): Promise<LiveDashboard> {
  const captures = new Map<number, SnapshotSeriesCapture>();
  const live = new LiveSource({
    mode: 'live',
    runMode: options.mode,
    command: options.command,
    canSnapshot: (pid) => captures.has(pid),
  });
  const fleet = new FleetMetrics({ verdictOf: (pid) => options.collector.process(pid)?.verdict });
  const actions = new SnapshotActions({
    dir: options.snapshotDir,
    ...(options.seriesIntervalMs === undefined ? {} : { seriesIntervalMs: options.seriesIntervalMs }),
    captureFor: (pid) => captures.get(pid),
    unavailableReason: (pid) => live.snapshotsUnavailable(pid),
    publish: (event) => options.collector.publish(event),
    analysisIdFor: (files) => live.analysisIdFor(files),
    onChange: (action) => live.recordAction(action),
  });
  const unsubscribe = options.collector.subscribe((event) => {
    live.accept(event);
    fleet.accept(event);
  });
  let server: DashboardServer;
  try {
    server = await startDashboardServer({
      source: live,
      actions,
      metrics: fleet,
      host: options.host,
      port: options.port,
      token: options.token,
      showStrings: options.showStrings,
    });
  } catch (error) {
    unsubscribe();
    actions.close();
    throw error;
  }
  return {
    server,
    setSnapshotCapture(pid, capture) {
      if (capture === undefined) captures.delete(pid);
      else captures.set(pid, capture);
      // The page learns that its buttons work now.
      live.processChanged(pid);
    },
    async close() {
      unsubscribe();
      await server.close();
      live.close();
    },
  };
}
