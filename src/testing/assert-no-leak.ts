import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { acquireInspectorSession } from '../agent/inspector-session.ts';
import { checkNumber } from '../agent/option-checks.ts';
import { InvalidOptionError, LeakAssertionError } from '../errors.ts';
import { formatBytes } from '../report/analysis-text.ts';
import { type GrowthVerdict, judgeGrowth, noiseScale } from './growth-test.ts';
import { collectLeakEvidence } from './leak-evidence.ts';
import { type LeakFacts, leakingClasses, leakMessage } from './leak-message.ts';
import { type CallUnderTest, RoundRunner } from './rounds.ts';

export interface AssertNoLeakOptions {
  /**
   * Calls per round. Default: adapted — at least enough that a leak of 200 bytes per call raises the
   * heap floor by four times the measured noise margin each round, at most what the timeout allows.
   */
  iterations?: number;
  /** Rounds measured per verdict (increments of the heap floor the sign test looks at), 8 or more. Default 12. */
  rounds?: number;
  /** Calls before anything is measured (lazy modules, JIT, caches settle). Default: 3 rounds' worth. */
  warmup?: number;
  /** Bytes per call the function may retain without failing. Default 0. */
  tolerance?: number;
  /** Milliseconds before giving up with `ERR_LEAK_ASSERTION_TIMEOUT`. Default 30 000. */
  timeout?: number;
  /** Where the heap snapshots of a detected leak go. Default: a temporary directory, removed afterwards. */
  snapshotDir?: string;
  /** Keep those snapshots (their paths are in the error's message and `snapshots`). Default false. */
  keepSnapshots?: boolean;
}

/** What a passing `assertNoLeak` measured. */
export interface LeakAssertionResult {
  /** Median growth of the heap floor per call in the last window (noise around 0 when healthy). */
  growthBytesPerCall: number;
  /** Per-call growth that would have counted in a round: (tolerance, noise margin) per round / calls per round. */
  thresholdBytesPerCall: number;
  callsPerRound: number;
  /** Rounds measured (every window), and all calls made, warm-up included. */
  rounds: number;
  calls: number;
  /** Windows measured again with 4× the calls per round because the previous one rose (0–2). */
  extensions: number;
  durationMs: number;
}

// Sign test level: with 12 increments, 11 must exceed the threshold (P = 13/4096 under no growth).
const alpha = 0.005;
const calibrationRounds = 6;
const warmupRounds = 3;
// A persistent rise must survive the calls per round being multiplied by 4, twice: a cache filling
// for longer than one window then levels off, a leak does not. (×4 rather than ×2: as many calls with
// fewer rounds, and each round costs a full GC.)
const maxExtensions = 2;
const extensionFactor = 4;
// Per-round rises below this are never growth: the runtime's own bookkeeping moves by this much.
const minMarginBytes = 1024;
const leakToCatch = 200;
// The most a function may retain during an assertion (an eighth of the heap limit if that is less;
// V8 counts the young generation in the limit, so old space runs out well before it):
// past it the verdict is a leak at once, before the process runs out of memory.
const maxGrowthBytes = 256 * 2 ** 20;
// Windows are measured again (a cache may still be filling) only while growth stays below this: it
// also keeps the heap snapshots of a failure small enough to take and analyse in seconds.
const maxExtensionGrowthBytes = 64 * 2 ** 20;
const defaultRounds = 12;
const defaultTimeoutMs = 30_000;
const maxCallsPerRound = 100;
const targetRoundMs = 50;

/**
 * Calls `fn` many times and fails when memory retained per call keeps growing. Forces full GCs
 * through the inspector (no `--expose-gc` needed), reads the heap floor after each round of calls,
 * and decides with a sign test on the round-to-round increments (robust to one-time jumps from lazy
 * modules, JIT code and caches). On a leak it rejects with `LeakAssertionError` (`ERR_LEAK_DETECTED`)
 * naming the growing classes, the bytes retained per call and the retainer path of one leaked object,
 * from three heap snapshots analysed in a worker thread. Resolves with what it measured otherwise.
 *
 * @example
 * import { assertNoLeak } from 'memwatcher/testing';
 * test('rendering does not leak', async () => {
 *   const result = await assertNoLeak(() => renderPage({ user: 'ada' }));
 *   console.log(result.growthBytesPerCall, result.calls); // e.g. 0 2227
 * });
 */
export function assertNoLeak(
  fn: CallUnderTest,
  options: AssertNoLeakOptions = {},
): Promise<LeakAssertionResult> {
  let settings: Settings;
  try {
    settings = checkOptions(fn, options);
  } catch (error) {
    return Promise.reject(error);
  }
  // One assertion at a time per thread: another one's calls between our GCs would be measured as ours.
  const run = assertionQueue.then(() => measureLeak(fn, settings));
  assertionQueue = run.catch(() => {});
  return run;
}

let assertionQueue: Promise<unknown> = Promise.resolve();

async function measureLeak(fn: CallUnderTest, settings: Settings): Promise<LeakAssertionResult> {
  const started = performance.now();
  const lease = await acquireInspectorSession();
  try {
    const runner = new RoundRunner(fn, lease.session, settings.timeoutMs);
    const heapLimit = getHeapStatistics().heap_size_limit;
    const growthBudget = Math.min(maxGrowthBytes, heapLimit / 8);
    const extensionBudget = Math.min(maxExtensionGrowthBytes, heapLimit / 16);
    // Calls per round such that a window, at the growth seen so far, adds at most half the extension
    // budget: a big leak is found with a heap small enough to snapshot quickly.
    const withinBudget = (callsPerRound: number, growthBytesPerCall: number): number =>
      growthBytesPerCall <= 0
        ? callsPerRound
        : Math.max(
            1,
            Math.min(callsPerRound, Math.floor(extensionBudget / 2 / settings.rounds / growthBytesPerCall)),
          );

    // Growth is counted from before the first call, so that the budgets hold during the warm-up too.
    const baseline = await runner.floor();
    let tooMuch = false;
    const firstCallsPerRound = settings.iterations ?? (await pace(runner));
    let warmupLeft = settings.warmup ?? warmupRounds * firstCallsPerRound;
    while (warmupLeft > 0 && !tooMuch) {
      const count = Math.min(warmupLeft, firstCallsPerRound);
      await runner.call(count);
      warmupLeft -= count;
      // Without a GC the heap used is an upper bound of the floor: collect only when it may be over.
      if (process.memoryUsage().heapUsed - baseline > growthBudget) {
        tooMuch = (await runner.floor()) - baseline > growthBudget;
      }
    }

    const start = await runner.floor();
    let rounds = 0;
    let lastFloor = start;
    // Each window starts from the previous window's last floor: one GC less per window.
    const measure = async (count: number, callsPerRound: number): Promise<number[] | 'too much'> => {
      const floors = [lastFloor];
      for (let i = 0; i < count; i++) {
        lastFloor = await runner.round(callsPerRound);
        floors.push(lastFloor);
        rounds += 1;
        if (lastFloor - baseline > growthBudget) return 'too much';
      }
      return floors;
    };

    const calibration = tooMuch ? 'too much' : await measure(calibrationRounds, firstCallsPerRound);
    let callsPerRound = firstCallsPerRound;
    let marginBytes = minMarginBytes;
    if (calibration !== 'too much') {
      marginBytes = Math.max(minMarginBytes, 4 * noiseScale(calibration));
      if (settings.iterations === undefined) {
        const needed = Math.ceil((4 * marginBytes) / leakToCatch);
        callsPerRound = Math.max(firstCallsPerRound, Math.min(needed, affordable(runner, settings.rounds)));
        const seen = judgeGrowth(calibration, {
          callsPerRound: firstCallsPerRound,
          thresholdBytesPerRound: 0,
          alpha,
        });
        callsPerRound = withinBudget(callsPerRound, seen.growthBytesPerCall);
      }
    }

    let verdict: GrowthVerdict | undefined;
    tooMuch = calibration === 'too much';
    for (let extension = 0; !tooMuch && extension <= maxExtensions; extension++) {
      if (extension > 0) {
        // Growth this large is no cache still warming up that more calls could see level off.
        if (lastFloor - baseline > extensionBudget) break;
        if (settings.iterations === undefined) {
          callsPerRound = withinBudget(callsPerRound * extensionFactor, verdict?.growthBytesPerCall ?? 0);
        }
        if (affordable(runner, settings.rounds) < callsPerRound) break;
      }
      const floors = await measure(settings.rounds, callsPerRound);
      if (floors === 'too much') {
        tooMuch = true;
        break;
      }
      verdict = judgeGrowth(floors, {
        callsPerRound,
        thresholdBytesPerRound: Math.max(settings.tolerance * callsPerRound, marginBytes),
        alpha,
      });
      if (!verdict.growing) {
        return {
          growthBytesPerCall: verdict.growthBytesPerCall,
          thresholdBytesPerCall: verdict.thresholdBytesPerRound / callsPerRound,
          callsPerRound,
          rounds,
          calls: runner.calls,
          extensions: extension,
          durationMs: performance.now() - started,
        };
      }
    }
    let overBudget: LeakFacts['overBudget'];
    if (tooMuch) {
      const floor = await runner.floor();
      overBudget = { grownBytes: floor - baseline, calls: runner.calls, budgetBytes: growthBudget };
      verdict = judgeGrowth([baseline, floor], {
        callsPerRound: runner.calls,
        thresholdBytesPerRound: growthBudget,
        alpha,
      });
    }
    if (verdict === undefined) throw new Error('assertNoLeak: no window was measured (a bug in memwatcher).');

    const evidence = await collectLeakEvidence(runner, {
      callsPerRound: evidenceCalls(callsPerRound, verdict.growthBytesPerCall),
      snapshotDir: settings.snapshotDir,
      keepSnapshots: settings.keepSnapshots,
      // Writing a snapshot allocates on the JS heap (its chunks are strings): not near the limit.
      skip:
        lastFloor > heapLimit / 4
          ? `the heap (${formatBytes(lastFloor)}) is too close to its limit (${formatBytes(heapLimit)}) to take snapshots safely`
          : undefined,
    });
    throw new LeakAssertionError(
      'ERR_LEAK_DETECTED',
      leakMessage({
        verdict,
        overBudget,
        callsPerRound,
        calls: runner.calls,
        toleranceBytesPerCall: settings.tolerance,
        evidence,
      }),
      {
        growthBytesPerCall: verdict.growthBytesPerCall,
        classes: leakingClasses(evidence),
        ...(evidence.suspects[0] === undefined ? {} : { retainerPath: evidence.suspects[0].retainerPath }),
        snapshots: evidence.keptFiles,
      },
    );
  } finally {
    lease.release();
  }
}

interface Settings {
  iterations: number | undefined;
  rounds: number;
  warmup: number | undefined;
  tolerance: number;
  timeoutMs: number;
  snapshotDir: string | undefined;
  keepSnapshots: boolean;
}

function checkOptions(fn: unknown, options: AssertNoLeakOptions): Settings {
  if (typeof fn !== 'function') {
    throw new InvalidOptionError(
      'fn',
      'assertNoLeak needs the function to call, e.g. assertNoLeak(() => work()).',
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'must be an object of assertNoLeak options.');
  }
  const snapshotDir = options.snapshotDir;
  if (snapshotDir !== undefined && (typeof snapshotDir !== 'string' || snapshotDir === '')) {
    throw new InvalidOptionError('snapshotDir', 'must be the path of an existing directory.');
  }
  return {
    iterations: checkNumber('iterations', options.iterations, { min: 1, integer: true }),
    rounds: checkNumber('rounds', options.rounds, { min: 8, integer: true }) ?? defaultRounds,
    warmup: checkNumber('warmup', options.warmup, { min: 0, integer: true }),
    tolerance: checkNumber('tolerance', options.tolerance, { min: 0 }) ?? 0,
    timeoutMs: checkNumber('timeout', options.timeout, { min: 1, unit: 'ms' }) ?? defaultTimeoutMs,
    snapshotDir,
    keepSnapshots: options.keepSnapshots === true,
  };
}

/**
 * First calls, in doubling batches until about `targetRoundMs` has passed: they tell how long a call
 * takes, so that a round of a slow function stays short.
 */
async function pace(runner: RoundRunner): Promise<number> {
  let batch = 1;
  const started = performance.now();
  while (runner.calls < maxCallsPerRound && performance.now() - started < targetRoundMs) {
    await runner.call(batch);
    batch *= 2;
  }
  const perCall = runner.msPerCall;
  return perCall <= 0
    ? maxCallsPerRound
    : Math.max(1, Math.min(maxCallsPerRound, Math.floor(targetRoundMs / perCall)));
}

/**
 * Calls per round that still let the remaining windows finish in time: a third of the time left,
 * spread over the rounds of every window the extensions may add (1 + 4 + 16 windows' worth).
 */
function affordable(runner: RoundRunner, rounds: number): number {
  const perCall = Math.max(runner.msPerCall, 1e-4);
  const windows = (extensionFactor ** (maxExtensions + 1) - 1) / (extensionFactor - 1);
  return Math.max(1, Math.floor(runner.remainingMs / 3 / (windows * rounds) / perCall));
}

/** Calls between snapshots: a round's worth, fewer for a big leak (snapshots of a huge heap are slow). */
function evidenceCalls(callsPerRound: number, growthBytesPerCall: number): number {
  if (growthBytesPerCall <= 0) return callsPerRound;
  return Math.max(1, Math.min(callsPerRound, Math.floor((8 * 2 ** 20) / growthBytesPerCall)));
}
