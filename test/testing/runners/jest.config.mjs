// Run by test/testing/runners.test.ts against the compiled package it built into a temporary
// directory (MEMWATCHER_PACKAGE_DIR): Jest loads ESM only with --experimental-vm-modules and no
// transform, and does not resolve a package's self-reference, hence the mapping.
const packageDir = process.env.MEMWATCHER_PACKAGE_DIR;
if (packageDir === undefined) throw new Error('Set MEMWATCHER_PACKAGE_DIR to a built memwatcher package.');

export default {
  rootDir: import.meta.dirname,
  testMatch: ['<rootDir>/*.jest.mjs'],
  testEnvironment: 'node',
  transform: {},
  moduleNameMapper: { '^memwatcher/testing$': `${packageDir}/dist/testing/index.js` },
  // A failing leak assertion takes three heap snapshots and their analysis: more than the default 5 s.
  testTimeout: 60_000,
};
