/** Live objects of one class, as a census counts them (`LeakDetector` censuses give these). */
export interface ClassObjectCount {
  readonly name: string;
  readonly count: number;
}

/** The label value that holds every class beyond the top N. */
const OTHER_CLASSES = 'other';

/**
 * Keeps the `limit` classes with the most live objects and adds their rest up as one `other` entry,
 * so a scrape carries at most `limit + 1` class series whatever the heap holds. A class literally named
 * `other` is counted in that entry. Entries with a non-finite or negative count are ignored.
 * @example
 * foldTopClasses([{ name: 'A', count: 5 }, { name: 'B', count: 3 }, { name: 'C', count: 1 }], 1);
 * // [{ name: 'A', count: 5 }, { name: 'other', count: 4 }]
 */
export function foldTopClasses(classes: readonly ClassObjectCount[], limit: number): ClassObjectCount[] {
  const merged = new Map<string, number>();
  for (const entry of classes) {
    if (typeof entry?.name !== 'string' || !(entry.count >= 0) || !Number.isFinite(entry.count)) continue;
    merged.set(entry.name, (merged.get(entry.name) ?? 0) + entry.count);
  }
  let other = merged.get(OTHER_CLASSES);
  merged.delete(OTHER_CLASSES);
  const sorted = [...merged].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top: ClassObjectCount[] = sorted.slice(0, limit).map(([name, count]) => ({ name, count }));
  for (const [, count] of sorted.slice(limit)) other = (other ?? 0) + count;
  if (other !== undefined) top.push({ name: OTHER_CLASSES, count: other });
  return top;
}
