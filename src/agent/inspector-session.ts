import type { Session } from 'node:inspector/promises';
import { InspectorError } from '../errors.ts';

/** A use of the agent's inspector session; `release()` once done (idempotent). */
export interface InspectorLease {
  readonly session: Session;
  release(): void;
}

let inspectorModule: Promise<typeof import('node:inspector/promises')> | undefined;
let shared: { session: Session; users: number } | undefined;

/**
 * The agent's one inspector session on this thread, shared and reference-counted: connected on the
 * first `acquire`, disconnected when the last lease is released. Through it the agent forces a full GC
 * without `--expose-gc`, takes heap snapshots and samples allocations.
 *
 * Why one shared session: when ANY inspector session disconnects, V8 clears the heap profiler's object
 * ids (`HeapProfiler::ClearObjectIds` in the heap profiler agent's `disable()`), so snapshot ids would
 * restart and two snapshots could no longer be matched by object id, and an id looked up after a
 * snapshot would no longer name the same object. Hold a lease for as long as ids must stay stable,
 * and no longer: once a snapshot was taken, V8 tracks object moves at every GC until the session
 * disconnects (allocation-heavy code ran about a third slower in our measurements).
 *
 * `node:inspector` is loaded on demand because a Node built `--without-inspector` throws when the
 * module is loaded: a static import would break `import 'memwatcher'` for such hosts.
 *
 * @example
 * const lease = await acquireInspectorSession();
 * try { await collectGarbage(lease.session); } finally { lease.release(); }
 */
export async function acquireInspectorSession(): Promise<InspectorLease> {
  inspectorModule ??= import('node:inspector/promises');
  let inspector: typeof import('node:inspector/promises');
  try {
    inspector = await inspectorModule;
  } catch (cause) {
    throw new InspectorError(
      'This Node.js has no inspector (built --without-inspector?); memwatcher needs it to force a GC, take heap snapshots and sample allocations.',
      { cause },
    );
  }
  // Synchronous from here on: no other acquire or release can interleave.
  if (shared === undefined) {
    const session = new inspector.Session();
    try {
      session.connect();
    } catch (cause) {
      throw new InspectorError(`Could not connect an inspector session to this thread: ${describe(cause)}.`, {
        cause,
      });
    }
    shared = { session, users: 0 };
  }
  const current = shared;
  current.users += 1;
  let released = false;
  return {
    session: current.session,
    release() {
      if (released) return;
      released = true;
      current.users -= 1;
      if (current.users === 0 && shared === current) {
        shared = undefined;
        current.session.disconnect();
      }
    },
  };
}

/** Whether the shared session is connected (for tests of the guest rules). */
export function isInspectorSessionOpen(): boolean {
  return shared !== undefined;
}

/**
 * Runs one inspector command, turning the protocol's plain errors into a coded `InspectorError`.
 *
 * @example
 * await inspectorCall('HeapProfiler.collectGarbage', () => session.post('HeapProfiler.collectGarbage'));
 */
export async function inspectorCall<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new InspectorError(`The inspector command ${method} failed: ${describe(cause)}.`, { cause });
  }
}

/**
 * Full, precise garbage collection through the inspector (`HeapProfiler.collectGarbage`): V8 runs it
 * as a task with no JS on the stack, so nothing is kept alive by conservative stack scanning.
 */
export function collectGarbage(session: Session): Promise<void> {
  return inspectorCall('HeapProfiler.collectGarbage', () => session.post('HeapProfiler.collectGarbage'));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
