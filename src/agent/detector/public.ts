/**
 * The LeakDetector's public API (and the heap snapshot capture it shares with the watcher), re-exported
 * by `src/index.ts`. Everything else under `src/agent/detector/` is internal.
 */
export { HeapAnalysisError, InspectorError, InvalidStateError, SnapshotCaptureError } from '../../errors.ts';
export type { RetainerPathStep } from '../analysis-types.ts';
export { type CapturedSnapshot, type CaptureOptions, captureHeapSnapshot } from '../capture.ts';
export type { AllocationSite, StackFrame } from './allocation-sites.ts';
export type { Census, CensusMethod, ClassCount, MemoryFigures } from './census.ts';
export type { CensusComparison, ClassChange, LeakingClass } from './comparison.ts';
export { type CensusOptions, LeakDetector, type LeakDetectorOptions } from './leak-detector.ts';
export type { TrackedObjectStatus } from './tracking.ts';
