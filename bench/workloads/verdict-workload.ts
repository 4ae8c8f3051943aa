/**
 * Workloads for `verdict-quality.ts`, run under `--import memwatcher/register`.
 *
 *   verdict-workload.ts <mode> [MB/min]
 *
 * Every mode runs the same sawtooth background every 100 ms: a bounded cache (a ring of 100 000
 * entries) replaces 10 000 entries, which die in the old generation (regular major GCs, flat live
 * size), plus short-lived garbage. Then:
 * - `leak <MB/min>`: retains ~1 KB objects at that rate in a module-level array;
 * - `buffer-leak <MB/min>`: retains Buffers at that rate (external memory grows, the JS heap barely);
 * - `cache-fill`: two minutes in, fills a 100 MB cache over 30 s, then keeps it (a plateau);
 * - `healthy`: nothing more.
 * Runs until killed.
 */
const mode = process.argv[2] ?? 'healthy';
const megabytesPerMinute = Number(process.argv[3] ?? 0);
const TICK_MS = 100;
const MB = 1024 * 1024;

const CACHE_CAPACITY = 100_000;
const cache: unknown[] = new Array(CACHE_CAPACITY).fill(null);
const retained: unknown[] = [];
const filled = new Map<number, string>();
const slot: unknown[] = [undefined];
const started = Date.now();
let key = 0;
let owedBytes = 0;

setInterval(() => {
  for (let i = 0; i < 10_000; i++, key++)
    cache[key % CACHE_CAPACITY] = { key, body: `v${key}`, items: [key, key, key] };
  for (let i = 0; i < 20_000; i++) slot[0] = { a: [i, i + 1], b: `y${i}` };
  // Accumulate the rate in bytes so that 1 MB/min (1.7 KB per tick) is as exact as 60 MB/min.
  owedBytes += (megabytesPerMinute * MB * TICK_MS) / 60_000;
  if (mode === 'leak') {
    for (; owedBytes >= 1024; owedBytes -= 1024)
      retained.push({ at: Date.now(), payload: new Array(124).fill(key) });
  } else if (mode === 'buffer-leak') {
    const bytes = Math.floor(owedBytes);
    if (bytes >= 64 * 1024) {
      retained.push(Buffer.alloc(bytes, 1));
      owedBytes -= bytes;
    }
  } else if (mode === 'cache-fill') {
    const elapsed = Date.now() - started;
    // 100 MB of ~1 KB strings between 120 s and 150 s, then nothing more.
    if (elapsed >= 120_000 && filled.size < 100 * 1024) {
      for (let i = 0; i < 100 * 1024 * (TICK_MS / 30_000) && filled.size < 100 * 1024; i++) {
        filled.set(filled.size, `entry-${filled.size}-`.padEnd(1000, 'x'));
      }
    }
  }
}, TICK_MS);
