import type { Session } from 'node:inspector/promises';
import { InspectorError } from '../errors.ts';

/**
 * Opens an inspector session on the current thread: the way to force a full GC without
 * `--expose-gc`, take a heap snapshot or run the sampling heap profiler from inside the process.
 * The caller must `disconnect()` it (a connected session keeps its agents' state, e.g. sampling).
 *
 * `node:inspector` is loaded on demand because a Node built `--without-inspector` throws when the
 * module is loaded: a static import would break `import 'memwatcher'` for such hosts.
 */
export async function openInspectorSession(): Promise<Session> {
  let inspector: typeof import('node:inspector/promises');
  try {
    inspector = await import('node:inspector/promises');
  } catch (cause) {
    throw new InspectorError(
      'This Node.js has no inspector (built --without-inspector?); memwatcher needs it to force a GC, take heap snapshots and sample allocations.',
      { cause },
    );
  }
  const session = new inspector.Session();
  try {
    session.connect();
  } catch (cause) {
    throw new InspectorError(`Could not connect an inspector session to this thread: ${describe(cause)}.`, {
      cause,
    });
  }
  return session;
}

/**
 * Runs one inspector command, turning the protocol's plain errors into a coded `InspectorError`.
 *
 * @example
 * const session = await openInspectorSession();
 * try { await inspectorCall('HeapProfiler.collectGarbage', () => session.post('HeapProfiler.collectGarbage')); }
 * finally { session.disconnect(); }
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
