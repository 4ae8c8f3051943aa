/**
 * Domain objects (agent messages, verdicts, engine results) turned into the page's shapes
 * (`api-types.ts`). Heap-derived names go through `src/report/redact.ts` unless the user asked for
 * them and the server was started with `--show-strings`.
 */
import type { MemoryAlert } from '../agent/alerts/alert.ts';
import type { LeakVerdict, MemoryTrend } from '../agent/verdict.ts';
import type { AnalysisResult, LeakSuspect } from '../heap/types.ts';
import { classesFromAnalysis } from '../report/model-from-analysis.ts';
import { redactSuspect, safeClassName } from '../report/redact.ts';
import type {
  DashboardAlert,
  DashboardAnalysis,
  DashboardAnalysisSummary,
  DashboardClass,
  DashboardSuspect,
  DashboardTrend,
  DashboardVerdict,
} from './api-types.ts';

export function verdictShape(verdict: LeakVerdict): DashboardVerdict {
  return {
    time: verdict.time,
    status: verdict.status,
    leaking: verdict.leaking,
    culprit: verdict.culprit ?? null,
    summary: verdict.summary,
    timeToHeapLimitMs: verdict.timeToHeapLimitMs ?? null,
    heap: trendShape(verdict.heap),
    external: trendShape(verdict.external),
    rss: trendShape(verdict.rss),
    native: trendShape(verdict.native),
  };
}

function trendShape(trend: MemoryTrend): DashboardTrend {
  return {
    status: trend.status,
    growthBytesPerMinute: trend.growthBytesPerMinute ?? null,
    confidence: trend.confidence ?? null,
    latestBytes: trend.latestBytes ?? null,
  };
}

export function alertShape(alert: MemoryAlert): DashboardAlert {
  return { time: alert.time, rule: alert.rule, severity: alert.severity, message: alert.message };
}

/**
 * An engine result as the page shows it: the census (last snapshot, with the change since the first)
 * and the suspects, names redacted unless `showStrings`.
 */
export function analysisShape(
  summary: DashboardAnalysisSummary,
  result: AnalysisResult,
  showStrings: boolean,
): DashboardAnalysis {
  const census: DashboardClass[] = classesFromAnalysis(result).map((entry) => ({
    name: showStrings ? entry.name : safeClassName(entry.name, entry.type),
    type: entry.type ?? '',
    count: entry.count,
    selfSize: entry.selfSize ?? 0,
    retainedSize: entry.retainedSize ?? 0,
    countDelta: entry.countDelta,
    sizeDelta: entry.selfSizeDelta,
  }));
  return {
    ...summary,
    snapshotCount: result.snapshots.length,
    redacted: !showStrings,
    census,
    suspects: result.suspects.map((suspect) => suspectShape(showStrings ? suspect : redactSuspect(suspect))),
  };
}

function suspectShape(suspect: LeakSuspect): DashboardSuspect {
  return {
    name: suspect.name,
    type: suspect.type,
    count: suspect.count,
    retainedSize: suspect.retainedSize,
    growth: suspect.growth,
    retainedGrowth: suspect.retainedGrowth ?? null,
    location:
      suspect.location === undefined
        ? null
        : { url: suspect.location.url ?? null, line: suspect.location.line, column: suspect.location.column },
    accumulatesIn: suspect.accumulatesIn ?? null,
    owners: suspect.owners ?? null,
    retainerPath: suspect.retainerPath.map((step) => ({
      edge: step.edge,
      edgeType: step.edgeType,
      node: step.node,
      nodeType: step.nodeType,
      nodeId: step.nodeId,
    })),
  };
}
