// Compile-time guard, checked by `tsc`: the agent's copy of the engine's worker shapes
// (src/agent/analysis-types.ts, duplicated because the layering lint forbids importing src/heap)
// must keep matching src/heap/types.ts. Each alias stops compiling when they drift apart.
import type * as Agent from '../../src/agent/analysis-types.ts';
import type * as Heap from '../../src/heap/types.ts';

type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export type RetainerPathStepIsTheSame = Assert<Same<Agent.RetainerPathStep, Heap.RetainerPathStep>>;
export type EngineResultFitsTheAgentView = Assert<
  Heap.AnalysisResult extends Agent.AnalysisResult ? true : false
>;
export type EngineSummaryFits = Assert<Heap.ClassSummaryEntry extends Agent.ClassSummaryEntry ? true : false>;
export type EngineProgressFits = Assert<Heap.AnalysisProgress extends Agent.AnalysisProgress ? true : false>;
