import type { AnalysisResult } from '../heap/types.ts';
import type { ClassGrowth, ReportModel } from './report-model.ts';

/**
 * The model with the heap engine's findings: classes of the last snapshot (with their change since
 * the first, when there were several) and the leak suspects. They replace the census classes the
 * agent's alerts carried: a snapshot analysis knows sizes and retention, a census only counts.
 *
 * @example
 * const analysis = await analyzeSnapshots(files);
 * const model = withAnalysis(reportModelFromMessages(messages), analysis);
 */
export function withAnalysis(model: ReportModel, analysis: AnalysisResult): ReportModel {
  return {
    ...model,
    classes: classesFromAnalysis(analysis),
    suspects: analysis.suspects,
    analyzedSnapshots: analysis.snapshots.length,
  };
}

/** The engine's class summary joined with its first → last diff (by class name and type). */
export function classesFromAnalysis(analysis: AnalysisResult): ClassGrowth[] {
  const diffByClass = new Map(
    (analysis.diff ?? []).map((entry) => [`${entry.type}\u0000${entry.name}`, entry]),
  );
  const several = analysis.snapshots.length >= 2 && analysis.diff !== undefined;
  return analysis.summary.map((entry) => {
    const change = diffByClass.get(`${entry.type}\u0000${entry.name}`);
    return {
      name: entry.name,
      type: entry.type,
      count: entry.count,
      selfSize: entry.selfSize,
      retainedSize: entry.retainedSize,
      // A class missing from the diff's top list changed less than the listed ones, not "unknown":
      // but how much is not known, so say null rather than 0.
      countDelta: several && change !== undefined ? change.countDelta : null,
      selfSizeDelta: several && change !== undefined ? change.sizeDelta : null,
    };
  });
}
