import { randomBytes } from 'node:crypto';
import type { Session } from 'node:inspector/promises';
import { inspectorCall } from '../inspector-session.ts';
import { mainContextGlobal } from './main-context.ts';

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
  // `Runtime.evaluate` can only reach the object through something global; a random, non-enumerable
  // property is the least visible way, and it lives only for this synchronous dispatch.
  const key = `__memwatcher_${randomBytes(6).toString('hex')}`;
  const global = mainContextGlobal();
  Object.defineProperty(global, key, { value: target, configurable: true, enumerable: false });
  try {
    const evaluated = await inspectorCall('Runtime.evaluate', () =>
      session.post('Runtime.evaluate', {
        expression: `globalThis[${JSON.stringify(key)}]`,
        objectGroup,
        silent: true,
      }),
    );
    const objectId = evaluated.result.objectId;
    if (objectId === undefined) return undefined;
    const { heapSnapshotObjectId } = await inspectorCall('HeapProfiler.getHeapObjectId', () =>
      session.post('HeapProfiler.getHeapObjectId', { objectId }),
    );
    const id = Number(heapSnapshotObjectId);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } finally {
    delete global[key];
    await session.post('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
  }
}
