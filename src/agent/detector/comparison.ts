import type { Census, ClassCount } from './census.ts';

/** How one class changed between two censuses. */
export interface ClassChange {
  readonly name: string;
  readonly before: number;
  readonly after: number;
  readonly countDelta: number;
  /** Change of the class' retained size, bytes, when both censuses measured it (`heapSnapshot`). */
  readonly bytesDelta?: number;
}

export interface CensusComparison {
  readonly from: string;
  readonly to: string;
  readonly elapsedMs: number;
  /** After minus before, bytes, from the figures read after each census' forced GC. */
  readonly memoryDelta: {
    readonly heapUsed: number;
    readonly rss: number;
    readonly external: number;
    readonly arrayBuffers: number;
  };
  /** Classes known in both censuses (or known to be absent from one), largest growth first. */
  readonly classes: readonly ClassChange[];
}

/** A class that grew across the censuses. Matches the watcher's `GrowingClass` (alerts name it). */
export interface LeakingClass {
  readonly name: string;
  /** Live objects in the last census. */
  readonly count: number;
  /** Objects gained from the first census to the last. */
  readonly countDelta: number;
  /** Retained bytes gained, when both censuses measured them. */
  readonly bytesDelta?: number;
  /** The count in each census from the first to the last; `null` where the class was not counted. */
  readonly counts: readonly (number | null)[];
  /** True when the count never went down from one census to the next: a steady climb, not a spike. */
  readonly steady: boolean;
}

export function compareCensuses(before: Census, after: Census): CensusComparison {
  const beforeClasses = indexByName(before.classes);
  const afterClasses = indexByName(after.classes);
  const names = new Set([...beforeClasses.keys(), ...afterClasses.keys()]);
  const classes: ClassChange[] = [];
  for (const name of names) {
    const a = entryIn(before, beforeClasses, name);
    const b = entryIn(after, afterClasses, name);
    if (a === undefined || b === undefined) continue;
    classes.push(change(name, a, b));
  }
  return {
    from: before.label,
    to: after.label,
    elapsedMs: after.time - before.time,
    memoryDelta: {
      heapUsed: after.memory.heapUsed - before.memory.heapUsed,
      rss: after.memory.rss - before.memory.rss,
      external: after.memory.external - before.memory.external,
      arrayBuffers: after.memory.arrayBuffers - before.memory.arrayBuffers,
    },
    classes: classes.sort(byGrowth),
  };
}

/** Classes that gained more than `threshold` objects from the first census to the last. */
export function findGrowingClasses(censuses: readonly Census[], threshold: number): LeakingClass[] {
  const first = censuses[0];
  const last = censuses.at(-1);
  if (first === undefined || last === undefined || first === last) return [];
  const indexes = censuses.map((census) => indexByName(census.classes));
  const leaking: LeakingClass[] = [];
  for (const growth of compareCensuses(first, last).classes) {
    if (growth.countDelta <= threshold) continue;
    const counts = censuses.map(
      (census, index) => entryIn(census, indexes[index]!, growth.name)?.count ?? null,
    );
    let steady = true;
    let previous: number | undefined;
    for (const count of counts) {
      if (count === null) continue;
      if (previous !== undefined && count < previous) steady = false;
      previous = count;
    }
    const { name, after: count, countDelta, bytesDelta } = growth;
    leaking.push({
      name,
      count,
      countDelta,
      ...(bytesDelta === undefined ? {} : { bytesDelta }),
      counts,
      steady,
    });
  }
  return leaking;
}

function indexByName(classes: readonly ClassCount[]): Map<string, ClassCount> {
  return new Map(classes.map((entry) => [entry.name, entry]));
}

/** The class' entry, a zero when the census is complete and lacks it, `undefined` when unknown. */
function entryIn(census: Census, index: Map<string, ClassCount>, name: string): ClassCount | undefined {
  return index.get(name) ?? (census.complete ? { name, count: 0, selfSize: 0, retainedSize: 0 } : undefined);
}

function change(name: string, before: ClassCount, after: ClassCount): ClassChange {
  const base = { name, before: before.count, after: after.count, countDelta: after.count - before.count };
  if (before.retainedSize === undefined || after.retainedSize === undefined) return base;
  return { ...base, bytesDelta: after.retainedSize - before.retainedSize };
}

function byGrowth(a: ClassChange, b: ClassChange): number {
  return b.countDelta - a.countDelta || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
