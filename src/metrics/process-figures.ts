import type { LeakVerdict } from '../agent/verdict.ts';
import type { GcPauseHistogram } from './gc-pause-histogram.ts';
import type { Labels } from './metric-family.ts';
import type { ClassObjectCount } from './top-classes.ts';

/** One V8 heap space as the metrics read it (`available` and `physical` are unknown over IPC). */
export interface HeapSpaceFigures {
  readonly name: string;
  readonly size: number;
  readonly used: number;
  readonly available?: number;
  readonly physical?: number;
}

/** The parts of a leak verdict the metrics show. */
export type VerdictFigures = Pick<
  LeakVerdict,
  'status' | 'leaking' | 'culprit' | 'timeToHeapLimitMs' | 'heap' | 'external' | 'rss' | 'native'
>;

/**
 * What the metrics know of one process at scrape time. Only `rss` is always known: a process sampled
 * from outside (through /proc, no agent inside) has nothing else until a verdict is reached.
 */
export interface ProcessFigures {
  readonly rss: number;
  readonly heapUsed?: number;
  readonly heapTotal?: number;
  readonly heapLimit?: number;
  readonly external?: number;
  readonly arrayBuffers?: number;
  readonly heapSpaces?: readonly HeapSpaceFigures[];
  readonly heapFloor?: number;
  readonly detachedContexts?: number;
  readonly verdict?: VerdictFigures;
  readonly gcPauses?: GcPauseHistogram;
  /** Already folded to the top N plus `other`. */
  readonly classes?: readonly ClassObjectCount[];
}

/** One scraped process: its figures and the labels that tell it apart (none in-process). */
export interface LabelledFigures {
  readonly labels: Labels;
  readonly figures: ProcessFigures;
}
