// Jest transform for the TypeScript workloads of the repeat bench: Node's own type stripping.
const { stripTypeScriptTypes } = require('node:module');

module.exports = {
  process(sourceText) {
    return { code: stripTypeScriptTypes(sourceText) };
  },
};
