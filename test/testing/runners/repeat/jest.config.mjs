// By hand, not in CI: build the package (`tsc -p tsconfig.build.json --outDir <dir>/dist`, copy
// package.json), then `MEMWATCHER_PACKAGE_DIR=<dir> NODE_OPTIONS=--experimental-vm-modules
// node node_modules/jest/bin/jest.js --config test/testing/runners/repeat/jest.config.mjs`
// (REPEAT_RUNS=200 by default). Repeats every healthy workload inside one Jest worker.
const packageDir = process.env.MEMWATCHER_PACKAGE_DIR;
if (packageDir === undefined) throw new Error('Set MEMWATCHER_PACKAGE_DIR to a built memwatcher package.');

export default {
  rootDir: import.meta.dirname,
  roots: [import.meta.dirname, `${import.meta.dirname}/../../fixtures`],
  testMatch: ['<rootDir>/repeat.jest.mjs'],
  testEnvironment: 'node',
  transform: { '\\.ts$': '<rootDir>/strip-types.cjs' },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^memwatcher/testing$': `${packageDir}/dist/testing/index.js` },
  testTimeout: 3_600_000,
};
