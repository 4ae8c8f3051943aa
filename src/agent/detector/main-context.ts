import { randomBytes } from 'node:crypto';
import type { Session } from 'node:inspector/promises';
import { runInThisContext } from 'node:vm';

/**
 * The inspector's remote object id for `value`, in `objectGroup` (release the group once done with
 * it), or `undefined` when the inspector has none (a primitive).
 *
 * `Runtime.evaluate` can only reach the value through something global; a random, non-enumerable
 * property is the least visible way, and it lives only for this one call. It goes on the global object
 * of Node's main context, where `Runtime.evaluate` runs: code may itself run in another context — Jest
 * runs every test file in a `vm` context whose `globalThis` is a sandbox.
 */
export async function remoteObjectId(
  session: Session,
  value: unknown,
  objectGroup: string,
): Promise<string | undefined> {
  const key = `__memwatcher_${randomBytes(6).toString('hex')}`;
  const global = runInThisContext('globalThis') as Record<string, unknown>;
  Object.defineProperty(global, key, { value, configurable: true, enumerable: false });
  try {
    const evaluated = await session.post('Runtime.evaluate', {
      expression: `globalThis[${JSON.stringify(key)}]`,
      objectGroup,
      silent: true,
    });
    return evaluated.result.objectId;
  } finally {
    delete global[key];
  }
}
