/**
 * The snapshot's `strings` section kept as raw JSON bytes and decoded on demand: most strings (every
 * string value in the heap) are never looked at, and decoding them all would cost time and a JS heap
 * that cannot hold a multi-GB snapshot's strings. The section's bytes are copied in bulk, a chunk at a
 * time, so parsing does no per-string allocation; only each string's start and length are recorded.
 */

const BLOCK_SIZE = 64 << 20;
const FIRST_BLOCK_SIZE = 64 << 10;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A string table's data, shareable with a worker thread (blocks on SharedArrayBuffers). */
export interface StringTableData {
  blocks: Uint8Array[];
  starts: Float64Array;
  lengths: Uint32Array;
  count: number;
}

export class StringTable {
  /** Raw section bytes in blocks (no single huge allocation); a string may straddle two blocks. */
  private blocks: Uint8Array[] = [];
  /** Allocate blocks on SharedArrayBuffers (see `data()`). */
  private readonly shared: boolean;
  private blockUsed = 0;
  /** Bytes appended so far: the global offset of the next appended byte. */
  private appended = 0;
  /** Per string: global byte offset of its first byte (after the opening quote), and its raw length. */
  private starts: Float64Array<ArrayBufferLike> = new Float64Array(4096);
  private lengths: Uint32Array<ArrayBufferLike> = new Uint32Array(4096);
  private count = 0;
  private readonly cache = new Map<number, string>();

  constructor(options: { shared?: boolean } = {}) {
    this.shared = options.shared === true;
  }

  /** A table over another thread's data; strings added here stay local to this copy. */
  static from(data: StringTableData): StringTable {
    const table = new StringTable();
    table.blocks = [...data.blocks];
    // Local additions go to a fresh block (shared blocks are read-only here), whose offsets start at
    // its block boundary.
    table.blockUsed = table.blocks.length === 0 ? 0 : BLOCK_SIZE;
    table.appended = table.blocks.length * BLOCK_SIZE;
    table.starts = data.starts;
    table.lengths = data.lengths;
    table.count = data.count;
    return table;
  }

  /** The table's data for `StringTable.from` in a worker (share it only when built with `shared`). */
  data(): StringTableData {
    return { blocks: this.blocks, starts: this.starts, lengths: this.lengths, count: this.count };
  }

  get size(): number {
    return this.count;
  }

  /** Global offset the next appended byte will have. */
  get appendOffset(): number {
    return this.appended;
  }

  /** Appends raw section bytes. */
  append(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      let block = this.blocks[this.blocks.length - 1];
      if (block === undefined || this.blockUsed === BLOCK_SIZE) {
        // Blocks start small and double up to BLOCK_SIZE: a tiny snapshot should not reserve 64 MB.
        block = this.newBlock(Math.min(BLOCK_SIZE, Math.max(FIRST_BLOCK_SIZE, bytes.length - done)));
        this.blocks.push(block);
        this.blockUsed = 0;
      } else if (this.blockUsed === block.length) {
        const grown = this.newBlock(Math.min(BLOCK_SIZE, block.length * 2));
        grown.set(block);
        block = grown;
        this.blocks[this.blocks.length - 1] = block;
      }
      const take = Math.min(bytes.length - done, block.length - this.blockUsed);
      block.set(bytes.subarray(done, done + take), this.blockUsed);
      this.blockUsed += take;
      done += take;
    }
    this.appended += bytes.length;
  }

  private newBlock(size: number): Uint8Array {
    return this.shared ? new Uint8Array(new SharedArrayBuffer(size)) : new Uint8Array(size);
  }

  /** Records a string whose raw bytes were (or will be) appended at `start`. */
  record(start: number, length: number): void {
    if (this.count === this.starts.length) {
      const capacity = this.count * 2;
      const starts = new Float64Array(capacity);
      starts.set(this.starts);
      this.starts = starts;
      const lengths = new Uint32Array(capacity);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.starts[this.count] = start;
    this.lengths[this.count] = length;
    this.count++;
  }

  /** Adds a string that was not in the file (names the engine makes up, such as `(system)`). */
  add(value: string): number {
    const bytes = new TextEncoder().encode(escapeLikeV8(value));
    const start = this.appended;
    this.append(bytes);
    const index = this.count;
    this.record(start, bytes.length);
    this.cache.set(index, value);
    return index;
  }

  get(index: number): string {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    const value = this.decode(index);
    // Names are looked up repeatedly (class names, edge names); values of string nodes usually once.
    if (this.cache.size < 100_000) this.cache.set(index, value);
    return value;
  }

  /** Index of the first string equal to `value`, or -1. Compares raw bytes: nothing is decoded. */
  indexOf(value: string): number {
    const wanted = new TextEncoder().encode(escapeLikeV8(value));
    const length = wanted.length;
    for (let i = 0; i < this.count; i++) {
      if (this.lengths[i] !== length) continue;
      const bytes = this.rawBytes(this.starts[i]!, length);
      let same = true;
      for (let j = 0; j < length && same; j++) same = bytes[j] === wanted[j];
      if (same) return i;
    }
    return -1;
  }

  /** First raw byte of a string (0 when empty): a cheap prefix test without decoding. */
  firstByte(index: number): number {
    if (index < 0 || index >= this.count || this.lengths[index] === 0) return 0;
    const start = this.starts[index]!;
    const blockIndex = Math.floor(start / BLOCK_SIZE);
    return this.blocks[blockIndex]![start - blockIndex * BLOCK_SIZE] ?? 0;
  }

  /** Raw (escaped) byte length: a cheap upper bound of the string's length. */
  rawLength(index: number): number {
    return this.lengths[index] ?? 0;
  }

  /** Releases the arrays' growth slack once parsing is done. */
  trim(): void {
    const keep = Math.max(this.count, 1);
    const starts = this.shared ? new Float64Array(new SharedArrayBuffer(keep * 8)) : new Float64Array(keep);
    starts.set(this.starts.subarray(0, keep));
    const lengths = this.shared ? new Uint32Array(new SharedArrayBuffer(keep * 4)) : new Uint32Array(keep);
    lengths.set(this.lengths.subarray(0, keep));
    this.starts = starts;
    this.lengths = lengths;
  }

  private decode(index: number): string {
    if (index < 0 || index >= this.count) return '';
    const bytes = this.rawBytes(this.starts[index]!, this.lengths[index]!);
    const raw = utf8.decode(bytes);
    if (!bytes.includes(0x5c)) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  }

  private rawBytes(start: number, length: number): Uint8Array {
    const blockIndex = Math.floor(start / BLOCK_SIZE);
    const offset = start - blockIndex * BLOCK_SIZE;
    const block = this.blocks[blockIndex]!;
    if (offset + length <= block.length) return block.subarray(offset, offset + length);
    const out = new Uint8Array(length);
    const first = block.length - offset;
    out.set(block.subarray(offset), 0);
    out.set(this.blocks[blockIndex + 1]!.subarray(0, length - first), first);
    return out;
  }
}

/**
 * A string as V8 writes it into a snapshot: JSON escapes for quotes, backslashes and control characters
 * (hex in upper case), and every non-ASCII UTF-16 unit as \uXXXX (upper case).
 */
function escapeLikeV8(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += '\\\\';
    else if (code === 0x08) out += '\\b';
    else if (code === 0x0c) out += '\\f';
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else if (code < 0x20 || code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += value[i];
  }
  return out;
}
