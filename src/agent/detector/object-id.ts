import type { Session } from 'node:inspector/promises';
import { inspectorCall } from '../inspector-session.ts';
import { remoteObjectId } from './main-context.ts';

const objectGroup = 'memwatcher-object-id';

/**
 * The heap snapshot object id of `target`, or `undefined` when V8 has none for it.
 *
 * Call it AFTER the snapshot the id is for: V8 only gives ids to objects a snapshot (or allocation
 * tracking) has seen, so before the first snapshot that includes it, an object's id is 0. Looking it up
 * afterwards also means our handles (a temporary global, an inspector remote object) are not in the
 * snapshot to show up as retainers. Both are removed before this returns. The id stays valid as long
 * as the inspector session that took the snapshot stays connected (see `acquireInspectorSession`).
 */
export async function snapshotObjectId(session: Session, target: object): Promise<number | undefined> {
  try {
    const objectId = await inspectorCall('Runtime.evaluate', () =>
      remoteObjectId(session, target, objectGroup),
    );
    if (objectId === undefined) return undefined;
    const { heapSnapshotObjectId } = await inspectorCall('HeapProfiler.getHeapObjectId', () =>
      session.post('HeapProfiler.getHeapObjectId', { objectId }),
    );
    const id = Number(heapSnapshotObjectId);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } finally {
    await session.post('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
  }
}
