import type { MemoryWatcher } from './watcher.ts';

// A global symbol, not a module variable: `memwatcher/register` and the app's `import 'memwatcher'`
// may be two instances of this module (source vs. build, or two copies in node_modules).
const REGISTERED = Symbol.for('memwatcher.registered-watcher');

/**
 * The watcher started by `node --import memwatcher/register`, if this process is watched that way.
 * Use it to listen to its events or attach a census without a second watcher.
 * @example
 * import { registeredWatcher } from 'memwatcher';
 * registeredWatcher()?.on('leak', (verdict) => logger.error(verdict.summary));
 */
export function registeredWatcher(): MemoryWatcher | undefined {
  return (globalThis as { [REGISTERED]?: MemoryWatcher })[REGISTERED];
}

export function setRegisteredWatcher(watcher: MemoryWatcher): void {
  (globalThis as { [REGISTERED]?: MemoryWatcher })[REGISTERED] = watcher;
}
