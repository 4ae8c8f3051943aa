import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocationSitesFrom, type SampledProfile } from './allocation-sites.ts';

const frame = (functionName: string, url = 'file:///app.js', lineNumber = 0, columnNumber = 0) => ({
  functionName,
  scriptId: '1',
  url,
  lineNumber,
  columnNumber,
});

// (root) → main → handle → makeSession (300 B), main → load → makeSession (100 B), main → parse (500 B)
const profile: SampledProfile = {
  head: {
    callFrame: frame('(root)', ''),
    selfSize: 0,
    id: 1,
    children: [
      {
        callFrame: frame('main', 'file:///app.js', 0, 0),
        selfSize: 0,
        id: 2,
        children: [
          {
            callFrame: frame('handle', 'file:///app.js', 9, 2),
            selfSize: 0,
            id: 3,
            children: [
              {
                callFrame: frame('makeSession', 'file:///session.js', 4, 16),
                selfSize: 300,
                id: 4,
                children: [],
              },
            ],
          },
          {
            callFrame: frame('load', 'file:///app.js', 20, 0),
            selfSize: 0,
            id: 5,
            children: [
              {
                callFrame: frame('makeSession', 'file:///session.js', 4, 16),
                selfSize: 100,
                id: 6,
                children: [],
              },
            ],
          },
          { callFrame: frame('', 'file:///parse.js', 1, 1), selfSize: 500, id: 7, children: [] },
        ],
      },
    ],
  },
  samples: [
    { size: 100, nodeId: 4, ordinal: 1 },
    { size: 100, nodeId: 4, ordinal: 2 },
    { size: 100, nodeId: 6, ordinal: 3 },
    { size: 500, nodeId: 7, ordinal: 4 },
  ],
};

test('sites group stacks by their innermost frame, largest live bytes first, lines 1-based', () => {
  const sites = allocationSitesFrom(profile, 10);
  assert.deepEqual(
    sites.map((site) => [site.functionName, site.liveBytes, site.samples, site.url, site.line, site.column]),
    [
      ['(anonymous)', 500, 1, 'file:///parse.js', 2, 2],
      ['makeSession', 400, 3, 'file:///session.js', 5, 17],
    ],
  );
});

test('each site carries its heaviest stack, innermost first, without the synthetic root', () => {
  const makeSession = allocationSitesFrom(profile, 10)[1];
  assert.deepEqual(
    makeSession?.stack.map((frame) => frame.functionName),
    ['makeSession', 'handle', 'main'],
  );
});

test('top cuts the list; a profile without samples still gives sizes', () => {
  assert.equal(allocationSitesFrom(profile, 1).length, 1);
  const { samples: _ignored, ...withoutSamples } = profile;
  assert.equal(allocationSitesFrom(withoutSamples, 10)[1]?.samples, 0);
});
