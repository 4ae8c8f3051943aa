/**
 * Sorts unsigned 32-bit integers: LSD radix sort, two passes of 16 bits. Linear time and no comparator
 * calls — `TypedArray.prototype.sort` is fine for thousands of ids, radix is for tens of millions.
 */
export function sortedUint32(values: Uint32Array): Uint32Array {
  const length = values.length;
  let source = values.slice();
  let target = new Uint32Array(length);
  const counts = new Uint32Array(65536);
  for (let shift = 0; shift < 32; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < length; i++) counts[(source[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let bucket = 0; bucket < 65536; bucket++) {
      const count = counts[bucket]!;
      counts[bucket] = sum;
      sum += count;
    }
    for (let i = 0; i < length; i++) {
      const value = source[i]!;
      target[counts[(value >>> shift) & 0xffff]!++] = value;
    }
    [source, target] = [target, source];
  }
  return source;
}

/** Binary search in a sorted array. */
export function containsSorted(sorted: Uint32Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const item = sorted[mid]!;
    if (item === value) return true;
    if (item < value) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}
