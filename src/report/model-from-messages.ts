import type { MemoryAlert } from '../agent/alerts/alert.ts';
import type { AgentMessage } from '../agent/ipc-protocol.ts';
import type { LeakVerdict, MemoryTrend } from '../agent/verdict.ts';
import type { ClassGrowth, JudgedFigure, ReportAlert, ReportModel, VerdictPoint } from './report-model.ts';

/** What the messages cannot tell: how the process ended, and the command when no `hello` came. */
export interface RunEnd {
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly endedAt?: number | null;
  readonly command?: readonly string[];
}

/**
 * A report model from the messages an agent sent over IPC (as `memwatcher run` collects them, or as
 * its `--events` file holds them), in the order they arrived. Classes come from the census attached
 * to the latest alert that carried one; suspects and allocation sites are added by the caller
 * (see {@link withAnalysis}).
 *
 * @example
 * child.on('message', (m) => { if (isAgentMessage(m)) messages.push(m); });
 * child.on('exit', (exitCode, signal) => {
 *   writeFileSync('report.html', await renderReportHtml(reportModelFromMessages(messages, { exitCode, signal })));
 * });
 */
export function reportModelFromMessages(messages: readonly AgentMessage[], end: RunEnd = {}): ReportModel {
  const hello = messages.find((message) => message.type === 'hello');
  const samples: ReportModel['samples'][number][] = [];
  const gcPauses: ReportModel['gcPauses'][number][] = [];
  const verdicts: VerdictPoint[] = [];
  const alerts: ReportAlert[] = [];
  const snapshots: ReportModel['snapshots'][number][] = [];
  let census: ClassGrowth[] = [];
  let heapLimit = hello?.heapLimit ?? null;

  for (const message of messages) {
    switch (message.type) {
      case 'sample':
        heapLimit = message.heapLimit;
        samples.push({
          time: message.time,
          rss: message.rss,
          heapUsed: message.heapUsed,
          heapTotal: message.heapTotal,
          external: message.external,
          arrayBuffers: message.arrayBuffers,
          heapFloor: message.heapFloor,
          gcPauseMs: message.gcPauseMs,
          gcCount: message.gcCount,
        });
        break;
      case 'gc':
        gcPauses.push({ time: message.time, kind: message.kind, durationMs: message.durationMs });
        break;
      case 'verdict':
        verdicts.push(verdictPoint(message.verdict));
        break;
      case 'alert':
        alerts.push(reportAlert(message.alert));
        census = censusClasses(message.alert) ?? census;
        break;
      case 'snapshot':
        snapshots.push({
          time: message.time,
          file: message.file,
          reason: message.reason,
          bytes: message.bytes,
        });
        break;
      // `leak` repeats the verdict message sent with it; `error` is the agent's own trouble.
      default:
        break;
    }
  }

  const first = messages[0]?.time ?? Date.now();
  const last = messages.at(-1)?.time ?? first;
  return {
    run: {
      command: hello?.argv ?? end.command ?? [],
      pid: hello?.pid ?? messages[0]?.pid ?? null,
      watchedBy: 'agent',
      nodeVersion: hello?.nodeVersion ?? null,
      startedAt: hello?.time ?? first,
      endedAt: end.endedAt === undefined ? last : end.endedAt,
      exitCode: end.exitCode ?? null,
      signal: end.signal ?? null,
      heapLimit,
      intervalMs: hello?.intervalMs ?? null,
    },
    samples: samples.sort((a, b) => a.time - b.time),
    gcPauses: gcPauses.sort((a, b) => a.time - b.time),
    verdicts,
    alerts,
    snapshots,
    classes: census,
    suspects: [],
    analyzedSnapshots: 0,
    allocationSites: [],
  };
}

/** An alert as the report lists it. */
export function reportAlert(alert: MemoryAlert): ReportAlert {
  return { time: alert.time, rule: alert.rule, severity: alert.severity, message: alert.message };
}

/** The census an alert carried (counts only: a census knows no sizes); undefined when it carried none. */
export function censusClasses(alert: MemoryAlert): ClassGrowth[] | undefined {
  const classes = alert.topGrowingClasses;
  if (classes === undefined || classes.length === 0) return undefined;
  return classes.map((growing) => ({
    name: growing.name,
    type: null,
    count: growing.count,
    selfSize: null,
    retainedSize: null,
    countDelta: growing.countDelta,
    selfSizeDelta: growing.bytesDelta ?? null,
  }));
}

/** The agent's verdict, reduced to the figure it is about. */
export function verdictPoint(verdict: LeakVerdict): VerdictPoint {
  const [figure, trend] = trendOfInterest(verdict);
  return {
    time: verdict.time,
    status: verdict.status,
    leaking: verdict.leaking,
    culprit: verdict.culprit ?? null,
    figure,
    growthBytesPerMinute: trend.growthBytesPerMinute ?? null,
    confidence: trend.confidence ?? null,
    timeToHeapLimitMs: verdict.timeToHeapLimitMs ?? null,
  };
}

function trendOfInterest(verdict: LeakVerdict): [JudgedFigure, MemoryTrend] {
  switch (verdict.culprit) {
    case 'js-heap':
      return ['heapFloor', verdict.heap];
    case 'external':
      return ['external', verdict.external];
    case 'native':
      return ['native', verdict.native];
    default: {
      // No culprit: the figure whose status set the verdict's, JS heap first.
      const candidates: [JudgedFigure, MemoryTrend][] = [
        ['heapFloor', verdict.heap],
        ['external', verdict.external],
        ['native', verdict.native],
        ['rss', verdict.rss],
      ];
      return candidates.find(([, trend]) => trend.status === verdict.status) ?? ['heapFloor', verdict.heap];
    }
  }
}
