import { runInThisContext } from 'node:vm';

/**
 * The global object of Node's main context, where the inspector's `Runtime.evaluate` runs. Code may
 * itself run in another context — Jest runs every test file in a `vm` context whose `globalThis` is a
 * sandbox — so a value handed to the inspector through a global must be put on this one.
 */
export function mainContextGlobal(): Record<PropertyKey, unknown> {
  return runInThisContext('globalThis') as Record<PropertyKey, unknown>;
}
