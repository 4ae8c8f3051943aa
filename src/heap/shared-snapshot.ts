import type { HeapSnapshot } from './snapshot.ts';
import { StringTable, type StringTableData } from './string-table.ts';

/**
 * A parsed snapshot as a worker thread receives it: the same columns (on SharedArrayBuffers when parsed
 * with `shared`, so posting them copies nothing) and the string table's raw data.
 */
export type SharedSnapshot = Omit<HeapSnapshot, 'strings' | 'largeSelfSizes'> & {
  stringData: StringTableData;
  largeSelfSizes: [number, number][];
};

export function toShared(snapshot: HeapSnapshot): SharedSnapshot {
  const { strings, largeSelfSizes, ...columns } = snapshot;
  return { ...columns, stringData: strings.data(), largeSelfSizes: [...largeSelfSizes] };
}

export function fromShared(shared: SharedSnapshot): HeapSnapshot {
  const { stringData, largeSelfSizes, ...columns } = shared;
  return { ...columns, strings: StringTable.from(stringData), largeSelfSizes: new Map(largeSelfSizes) };
}

/** True when every column is on shared memory (worth handing to a worker). */
export function isShared(snapshot: HeapSnapshot): boolean {
  return (
    snapshot.edgeTo.buffer instanceof SharedArrayBuffer &&
    snapshot.nodeType.buffer instanceof SharedArrayBuffer
  );
}
