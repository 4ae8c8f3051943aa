import type { HeapGraph } from './graph.ts';
import { selfSizeOf } from './snapshot.ts';
import { containsSorted } from './sort.ts';
import type { ClassDiffEntry } from './types.ts';

/**
 * Per-class difference between two snapshots of one process, by object id: objects added (in the
 * later snapshot, not the earlier) and removed (the other way round), counts and bytes. Built in two
 * halves so only one snapshot's graph is in memory at a time.
 */
export class ClassDiff {
  private readonly entries = new Map<string, ClassDiffEntry>();

  /** Later snapshot: every object with an id beyond the earlier snapshot's largest id is new. */
  addAdded(later: HeapGraph, earlierMaxObjectId: number): void {
    const { snapshot, aggregates } = later;
    for (let node = 0; node < snapshot.nodeCount; node++) {
      if (snapshot.nodeId[node]! <= earlierMaxObjectId) continue;
      const size = selfSizeOf(snapshot, node);
      if (size === 0) continue;
      const entry = this.entryFor(later, aggregates.aggregateOf[node]!);
      entry.addedCount++;
      entry.addedSize += size;
    }
  }

  /** Earlier snapshot: every object whose id the later snapshot no longer has is removed. */
  addRemoved(earlier: HeapGraph, laterSortedIds: Uint32Array): void {
    const { snapshot, aggregates } = earlier;
    for (let node = 0; node < snapshot.nodeCount; node++) {
      if (containsSorted(laterSortedIds, snapshot.nodeId[node]!)) continue;
      const size = selfSizeOf(snapshot, node);
      if (size === 0) continue;
      const entry = this.entryFor(earlier, aggregates.aggregateOf[node]!);
      entry.removedCount++;
      entry.removedSize += size;
    }
  }

  /** Classes that changed, largest byte change first. */
  result(limit: number): ClassDiffEntry[] {
    const entries = [...this.entries.values()];
    for (const entry of entries) {
      entry.countDelta = entry.addedCount - entry.removedCount;
      entry.sizeDelta = entry.addedSize - entry.removedSize;
    }
    return entries
      .filter((entry) => entry.addedCount !== 0 || entry.removedCount !== 0)
      .sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta) || b.addedSize - a.addedSize)
      .slice(0, limit);
  }

  private entryFor(graph: HeapGraph, aggregate: number): ClassDiffEntry {
    const { snapshot, aggregates } = graph;
    const name = snapshot.strings.get(aggregates.classIndex[aggregate]!);
    const type = snapshot.nodeTypeNames[aggregates.type[aggregate]!] ?? 'unknown';
    const key = `${type}\u0000${name}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = {
        name,
        type,
        addedCount: 0,
        removedCount: 0,
        addedSize: 0,
        removedSize: 0,
        countDelta: 0,
        sizeDelta: 0,
      };
      this.entries.set(key, entry);
    }
    return entry;
  }
}
