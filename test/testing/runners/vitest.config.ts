import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Run by test/testing/runners.test.ts: `vitest run --config test/testing/runners/vitest.config.ts`.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.vitest.ts'],
    // A failing leak assertion takes three heap snapshots and their analysis: more than the default 5 s.
    testTimeout: 60_000,
  },
});
