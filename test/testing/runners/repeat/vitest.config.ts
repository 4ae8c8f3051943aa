import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// By hand, not in CI: `node node_modules/vitest/vitest.mjs run --config test/testing/runners/repeat/vitest.config.ts`
// (REPEAT_RUNS=200 by default). Repeats every healthy workload inside one Vitest worker.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['repeat.vitest.ts'],
    testTimeout: 3_600_000,
  },
});
