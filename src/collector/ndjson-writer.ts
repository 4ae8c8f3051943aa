import type { WriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { CollectorFaultError, FileAccessError } from '../errors.ts';
import type { CollectorEvent } from './events.ts';

/**
 * `--events <file>`: every event as one JSON line, in the order the collector published them. The file
 * is created (or truncated) with mode 0600 when it opens, so a bad path fails before anything runs;
 * later write failures (a full disk) are reported once through `onFault` and the watch goes on.
 *
 * @example
 * const events = await NdjsonWriter.open('run.ndjson', (error) => console.error(error.message));
 * collector.subscribe(events.write);
 * // …
 * await events.close();
 */
export class NdjsonWriter {
  readonly file: string;
  private readonly stream: WriteStream;
  private failed = false;
  private closing: Promise<void> | undefined;

  private constructor(file: string, stream: WriteStream, onFault: (error: CollectorFaultError) => void) {
    this.file = file;
    this.stream = stream;
    stream.on('error', (cause) => {
      if (this.failed) return;
      this.failed = true;
      onFault(
        new CollectorFaultError('ERR_EVENTS_WRITE', `writing events to ${file} failed: ${cause.message}`, {
          cause,
        }),
      );
    });
  }

  /** @throws {FileAccessError} when the file cannot be created or written. */
  static async open(file: string, onFault: (error: CollectorFaultError) => void): Promise<NdjsonWriter> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'w', 0o600);
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
      throw new FileAccessError(
        file,
        `cannot write the events file ${file} (${reason}): give a path in an existing, writable directory.`,
        { cause },
      );
    }
    // The stream owns the handle from here and closes it at the end.
    return new NdjsonWriter(file, handle.createWriteStream({ flush: true }), onFault);
  }

  /** A sink: bound, so it can be passed to `collector.subscribe` as it is. */
  readonly write = (event: CollectorEvent): void => {
    if (this.failed || this.closing !== undefined) return;
    this.stream.write(`${JSON.stringify(event)}\n`);
  };

  /** Writes what is buffered and closes the file. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.stream.end(() => resolve());
      // A stream that failed may never call back from end().
      this.stream.once('error', () => resolve());
      this.stream.once('close', () => resolve());
    });
    return this.closing;
  }
}
