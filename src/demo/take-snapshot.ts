/**
 * Preloaded into the demo's leaky program with `--import`: writes a heap snapshot when the parent
 * asks, and answers with the file and the heap size. It lives apart from the program on purpose:
 * while it runs, only this module's frame is on the stack, so retainer paths in the snapshot show
 * how the program really holds its objects, not "the code that happened to be running".
 */
import { writeHeapSnapshot } from 'node:v8';

/** Sent by `memwatcher demo`. */
export interface TakeSnapshot {
  type: 'take-snapshot';
  file: string;
}

/** The reply once the file is complete. */
export interface SnapshotWritten {
  type: 'snapshot-written';
  file: string;
  heapUsed: number;
}

process.on('message', (message: TakeSnapshot) => {
  if (message.type !== 'take-snapshot') return;
  // Not inside this listener: EventEmitter.emit holds a copy of the listener array on the stack,
  // which would make every listener (and everything it closes over) look retained by the stack.
  setImmediate(() => {
    writeHeapSnapshot(message.file);
    const written: SnapshotWritten = {
      type: 'snapshot-written',
      file: message.file,
      heapUsed: process.memoryUsage().heapUsed,
    };
    process.send?.(written);
  });
});
