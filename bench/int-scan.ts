// The floor any heap snapshot parser pays: read every byte of the file and turn every run of
// decimal digits into a number. No JSON structure, no arrays kept — just the scan.
//
//   node bench/int-scan.ts <file.heapsnapshot> [--chunk-mb 16]
import { closeSync, openSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface IntegerScan {
  bytes: number;
  /** How many runs of decimal digits the file holds (numbers, and digits inside strings). */
  integers: number;
  /** Sum of all of them modulo 2^32, as int32: a checksum that keeps the loop honest. */
  checksum: number;
  ms: number;
}

/**
 * Reads `file` in chunks into one reused Buffer and parses every decimal integer in a byte loop.
 *
 * @example
 * const { integers, ms } = scanIntegers('bench/out/ts-heap-1300mb.heapsnapshot');
 */
export function scanIntegers(file: string, chunkBytes = 16 << 20): IntegerScan {
  const started = performance.now();
  const buffer = Buffer.allocUnsafe(chunkBytes);
  const fd = openSync(file, 'r');
  let bytes = 0;
  let integers = 0;
  let checksum = 0;
  // A number may straddle two chunks: its state carries over.
  let value = 0;
  let inNumber = false;
  try {
    for (;;) {
      const length = readSync(fd, buffer, 0, chunkBytes, null);
      if (length === 0) break;
      bytes += length;
      for (let i = 0; i < length; i++) {
        const digit = buffer[i]! - 48;
        if (digit >= 0 && digit <= 9) {
          value = value * 10 + digit;
          inNumber = true;
        } else if (inNumber) {
          checksum = (checksum + value) | 0;
          integers++;
          value = 0;
          inNumber = false;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  if (inNumber) {
    checksum = (checksum + value) | 0;
    integers++;
  }
  return { bytes, integers, checksum, ms: performance.now() - started };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'chunk-mb': { type: 'string', default: '16' } },
  });
  const file = positionals[0];
  if (file === undefined) {
    console.error('usage: node bench/int-scan.ts <file.heapsnapshot> [--chunk-mb 16]');
    process.exit(2);
  }
  const scan = scanIntegers(file, Number(values['chunk-mb']) * (1 << 20));
  console.log(
    `${(scan.bytes / 1e6).toFixed(1)} MB, ${scan.integers} integers (checksum ${scan.checksum}) ` +
      `in ${scan.ms.toFixed(0)} ms: ${(scan.bytes / 1e6 / (scan.ms / 1000)).toFixed(0)} MB/s`,
  );
}
