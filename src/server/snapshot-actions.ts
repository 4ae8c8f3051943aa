import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { AnalysisEvent } from '../collector/events.ts';
import type { SnapshotSeriesCapture } from '../collector/leak-evidence.ts';
import { DashboardError } from '../errors.ts';
import type { AnalysisResult } from '../heap/types.ts';
import type { ActionKind, DashboardAction } from './api-types.ts';

export interface SnapshotActionsOptions {
  /** Where the snapshots go (created 0700). */
  readonly dir: string;
  /** How to take snapshots of a process, or `undefined` when it cannot be done now. */
  readonly captureFor: (pid: number) => SnapshotSeriesCapture | undefined;
  /**
   * Why snapshots of a process cannot be taken now (said in the refusal), or `null` when they can
   * (`LiveSource.snapshotsUnavailable`). Without it, only `captureFor` decides.
   */
  readonly unavailableReason?: (pid: number) => string | null;
  /** Between the snapshots of a series. Default 5 s. */
  readonly seriesIntervalMs?: number;
  /** Classes and suspects kept in an analysis. Default 30. */
  readonly top?: number;
  /** Where the finished analysis goes (the collector, so `--events` and `--db` record it too). */
  readonly publish: (event: AnalysisEvent) => void;
  /** The id the source gave the published analysis of these files, for the page to open it. */
  readonly analysisIdFor?: (files: readonly string[]) => number | undefined;
  /** Each change of an action's state. */
  readonly onChange: (action: DashboardAction) => void;
  readonly now?: () => number;
}

/** A series has 3 snapshots: with two, a one-time fill between them looks like a leak. */
const SERIES_COUNT = 3;

/**
 * The page's two buttons: take one heap snapshot (its class census), or take a series and analyze
 * it for leak suspects. One action per process at a time: each snapshot pauses the process. The
 * engine runs in a worker thread (`runHeapAnalysis`), never on the server's thread.
 *
 * @example
 * const actions = new SnapshotActions({ dir, captureFor: () => channel.snapshotSeries,
 *   publish: (event) => collector.publish(event), onChange: (action) => live.recordAction(action) });
 * actions.start(pid, 'series');
 */
export class SnapshotActions {
  private readonly options: SnapshotActionsOptions;
  private readonly running = new Map<number, DashboardAction>();
  private readonly controller = new AbortController();
  private nextId = 1;

  constructor(options: SnapshotActionsOptions) {
    this.options = options;
  }

  /**
   * Starts an action and returns it at once; progress goes to `onChange`.
   * @throws {DashboardError} `ERR_DASHBOARD_BUSY` when one runs for `pid`; `ERR_DASHBOARD_NO_SNAPSHOTS`
   * (at once, saying why: watched from outside, exited, not watched here).
   */
  start(pid: number, kind: ActionKind): DashboardAction {
    const reason = this.options.unavailableReason?.(pid) ?? null;
    const capture = reason === null ? this.options.captureFor(pid) : undefined;
    if (capture === undefined) {
      throw new DashboardError(
        'ERR_DASHBOARD_NO_SNAPSHOTS',
        reason ?? `Heap snapshots are unavailable for pid ${pid}: it is watched from outside or has exited.`,
      );
    }
    const busy = this.running.get(pid);
    if (busy !== undefined) {
      throw new DashboardError(
        'ERR_DASHBOARD_BUSY',
        `a ${busy.kind === 'series' ? 'snapshot series' : 'snapshot'} of pid ${pid} is in progress; wait for it to finish.`,
      );
    }
    const now = this.options.now ?? Date.now;
    const action: DashboardAction = {
      id: this.nextId++,
      pid,
      kind,
      state: 'capturing',
      startedAt: now(),
      message: kind === 'series' ? `taking ${SERIES_COUNT} heap snapshots` : 'taking a heap snapshot',
      analysisId: null,
    };
    this.running.set(pid, action);
    this.options.onChange(action);
    void this.run(action, capture).finally(() => this.running.delete(pid));
    return action;
  }

  /** Stops actions in progress (their snapshot series and analyses are aborted). */
  close(): void {
    this.controller.abort();
  }

  private async run(action: DashboardAction, capture: SnapshotSeriesCapture): Promise<void> {
    const update = (change: Partial<DashboardAction>) => {
      action = { ...action, ...change };
      this.running.set(action.pid, action);
      this.options.onChange(action);
    };
    try {
      await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
      const files = await capture({
        dir: this.options.dir,
        count: action.kind === 'series' ? SERIES_COUNT : 1,
        intervalMs: this.options.seriesIntervalMs ?? 5000,
        label: 'dashboard',
        signal: this.controller.signal,
      });
      update({
        state: 'analyzing',
        message: `analyzing ${files.length === 1 ? 'the snapshot' : `${files.length} snapshots`}`,
      });
      // Loaded on first use: a dashboard nobody clicks never loads the worker code.
      const { runHeapAnalysis } = await import('../agent/analysis-worker.ts');
      const started = performance.now();
      const result = (await runHeapAnalysis(
        { kind: 'analyze', files: [...files], top: this.options.top ?? 30 },
        { signal: this.controller.signal },
      )) as unknown as AnalysisResult;
      this.options.publish({
        type: 'analysis',
        source: 'collector',
        time: (this.options.now ?? Date.now)(),
        pid: action.pid,
        files,
        durationMs: Math.round(performance.now() - started),
        suspectCount: result.suspects.length,
        result,
      });
      update({
        state: 'done',
        analysisId: this.options.analysisIdFor?.(files) ?? null,
        message:
          action.kind === 'series'
            ? `${result.suspects.length} leak suspect${result.suspects.length === 1 ? '' : 's'}`
            : `${result.summary.length} classes counted`,
      });
    } catch (error) {
      update({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
}
