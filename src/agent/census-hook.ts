/**
 * The hook through which a census (the LeakDetector, or anything else that counts objects by class)
 * tells the watcher which classes grow, so that each alert can name them. The watcher only asks when
 * an alert is about to go out, and waits a bounded time: a slow census delays no alert for long.
 */

/** One class whose live instances grow. */
export interface GrowingClass {
  /** Constructor name as the heap reports it (`Session`, `Array`, `(closure)`). */
  readonly name: string;
  /** Live instances now. */
  readonly count: number;
  /** Instances gained since the census' baseline. */
  readonly countDelta: number;
  /** Bytes gained since the baseline, when the census measures sizes. */
  readonly bytesDelta?: number;
}

/**
 * Implemented by a census. `topGrowingClasses` returns at most `limit` classes, largest growth first.
 * It may be async; it should be cheap (answer from the last census rather than taking a new one).
 * @example
 * const watcher = new MemoryWatcher({
 *   census: { topGrowingClasses: (limit) => detector.findLeaks({ threshold: 1 }).slice(0, limit) },
 * });
 */
export interface GrowingClassesSource {
  topGrowingClasses(limit: number): readonly GrowingClass[] | Promise<readonly GrowingClass[]>;
}

/**
 * Asks `source` for its top growing classes, giving up after `timeoutMs`. Never rejects: a failure is
 * passed to `onFault` and the alert goes out without classes.
 */
export async function askTopGrowingClasses(
  source: GrowingClassesSource,
  limit: number,
  timeoutMs: number,
  onFault: (error: unknown) => void,
): Promise<readonly GrowingClass[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        onFault(new Error(`the census gave no answer within ${timeoutMs} ms`));
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
    });
    const answer = await Promise.race([
      Promise.resolve().then(() => source.topGrowingClasses(limit)),
      timeout,
    ]);
    if (answer === undefined) return undefined;
    if (!Array.isArray(answer)) {
      onFault(new Error('the census returned something other than an array of classes'));
      return undefined;
    }
    // Only the documented fields travel on (a census may return richer objects): alerts are a wire format.
    return answer
      .slice(0, limit)
      .filter(isGrowingClass)
      .map(({ name, count, countDelta, bytesDelta }) =>
        bytesDelta === undefined ? { name, count, countDelta } : { name, count, countDelta, bytesDelta },
      );
  } catch (error) {
    onFault(error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function isGrowingClass(value: unknown): value is GrowingClass {
  const entry = value as GrowingClass | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.name === 'string' &&
    typeof entry.count === 'number' &&
    typeof entry.countDelta === 'number'
  );
}
