import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileAccessError } from '../errors.ts';

const SEARCH_CHUNK = 16 << 20;

/**
 * Sequential reads of a file through one reused buffer. The parser's hot loops read `buffer`,
 * `position` and `length` directly (a method call per byte would cost more than the parse itself)
 * and call `refill()` when they run off the end.
 */
export class ByteReader {
  readonly file: string;
  readonly fileSize: number;
  buffer: Uint8Array;
  /** Index of the next unread byte in `buffer`. */
  position = 0;
  /** Number of valid bytes in `buffer`. */
  length = 0;
  /** File offset of `buffer[0]`. */
  bufferOffset = 0;
  /** Called after every read that returned data (progress reporting, cancellation checks). */
  onChunk: (() => void) | undefined;
  private readonly fd: number;
  private nextReadOffset = 0;

  constructor(file: string, chunkSize = 8 << 20) {
    this.file = file;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (error) {
      throw new FileAccessError(file, `${file}: cannot open: ${describeFsError(error)}`, { cause: error });
    }
    this.fd = fd;
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw new FileAccessError(file, `${file}: is a directory, not a heap snapshot`);
      this.fileSize = stat.size;
    } catch (error) {
      closeSync(fd);
      if (error instanceof FileAccessError) throw error;
      throw new FileAccessError(file, `${file}: cannot read: ${describeFsError(error)}`, { cause: error });
    }
    this.buffer = new Uint8Array(Math.max(64, Math.min(chunkSize, this.fileSize + 1)) + 1);
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.bufferOffset + this.position;
  }

  /**
   * Reads the next chunk. Unconsumed bytes (from `position` to `length`) move to the front first, so a
   * caller can leave a partial token behind and see it whole after the refill. Returns false when no
   * more bytes could be read (end of file).
   */
  refill(): boolean {
    const kept = this.length - this.position;
    if (kept > 0) this.buffer.copyWithin(0, this.position, this.length);
    this.bufferOffset += this.position;
    this.position = 0;
    this.length = kept;
    // One spare byte at the end: the number tokenizer writes a sentinel there.
    const room = this.buffer.length - 1 - kept;
    if (room <= 0) return false;
    let read: number;
    try {
      // readSync with an explicit position: files over 2 GB need it, and it never moves a shared cursor.
      read = readSync(this.fd, this.buffer, kept, room, this.nextReadOffset);
    } catch (error) {
      throw new FileAccessError(this.file, `${this.file}: read failed: ${describeFsError(error)}`, {
        cause: error,
      });
    }
    this.length = kept + read;
    this.nextReadOffset += read;
    if (read > 0) this.onChunk?.();
    return read > 0;
  }

  /** Continues reading at an absolute file offset (the buffer is emptied). */
  seek(offset: number): void {
    this.bufferOffset = offset;
    this.nextReadOffset = offset;
    this.position = 0;
    this.length = 0;
  }

  /**
   * Offset of the last occurrence of `pattern` in the file at or after `notBefore`, searching backwards
   * from the end in chunks; -1 when absent. Does not disturb sequential reading.
   */
  lastIndexOf(pattern: Uint8Array, notBefore: number): number {
    const scratch = Buffer.allocUnsafe(SEARCH_CHUNK + pattern.length);
    let end = this.fileSize;
    while (end > notBefore) {
      const start = Math.max(notBefore, end - SEARCH_CHUNK);
      // Overlap by the pattern's length so a match across the chunk boundary is seen.
      const size = this.readInto(scratch, start, Math.min(this.fileSize, end + pattern.length - 1) - start);
      const found = scratch.subarray(0, size).lastIndexOf(pattern);
      if (found >= 0) return start + found;
      end = start;
    }
    return -1;
  }

  /** Offset of the first occurrence of `pattern` at or after `from`, searching forwards; -1 when absent. */
  indexOf(pattern: Uint8Array, from: number): number {
    const scratch = Buffer.allocUnsafe(SEARCH_CHUNK + pattern.length);
    for (let start = from; start < this.fileSize; start += SEARCH_CHUNK) {
      const size = this.readInto(
        scratch,
        start,
        Math.min(this.fileSize - start, SEARCH_CHUNK + pattern.length - 1),
      );
      const found = scratch.subarray(0, size).indexOf(pattern);
      if (found >= 0) return start + found;
    }
    return -1;
  }

  private readInto(target: Uint8Array, offset: number, size: number): number {
    let done = 0;
    while (done < size) {
      const read = readSync(this.fd, target, done, size - done, offset + done);
      if (read === 0) break;
      done += read;
    }
    return done;
  }

  /** True when every byte of the file has been read into the buffer at some point. */
  get atEnd(): boolean {
    return this.nextReadOffset >= this.fileSize;
  }

  /** Reads `size` bytes at an absolute file offset, without disturbing the sequential position. */
  readAt(offset: number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    const done = this.readInto(out, offset, size);
    return done === size ? out : out.subarray(0, done);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Closing a descriptor we opened cannot meaningfully fail; nothing to report.
    }
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'I/O error';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
