// Contender "int-scan": the bare integer scan of bench/int-scan.ts, the floor of any parser.
import { scanIntegers } from '../int-scan.ts';
import { contenderArgs } from './result.ts';

const { file, report } = contenderArgs('int-scan');
const scan = scanIntegers(file);
report({
  analysisMs: scan.ms,
  phases: { scan: scan.ms },
  summary: [],
  details: { bytes: scan.bytes, integers: scan.integers, checksum: scan.checksum },
});
