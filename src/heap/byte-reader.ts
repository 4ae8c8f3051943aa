import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileAccessError } from '../errors.ts';

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

  /** True when every byte of the file has been read into the buffer at some point. */
  get atEnd(): boolean {
    return this.nextReadOffset >= this.fileSize;
  }

  /** Reads `size` bytes at an absolute file offset, without disturbing the sequential position. */
  readAt(offset: number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const read = readSync(this.fd, out, done, size - done, offset + done);
      if (read === 0) break;
      done += read;
    }
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
