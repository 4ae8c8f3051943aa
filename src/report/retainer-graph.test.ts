import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeakSuspect, RetainerPathStep } from './report-model.ts';
import { layoutRetainerGraph, retainerGraph } from './retainer-graph.ts';
import { retainerGraphDot } from './retainer-graph-dot.ts';
import { retainerGraphSvg } from './retainer-graph-svg.ts';
import { SECRET_KEY, SECRET_VALUE, sessionSuspect, tokenSuspect } from './sample-model.fixture.ts';

describe('retainer graph', () => {
  it('is the path from the root to one node for all the leaked objects, the accumulation point marked', () => {
    const graph = retainerGraph([sessionSuspect()]);
    assert.deepEqual(
      graph.nodes.map((node) => [node.kind, node.label]),
      [
        ['root', 'global'],
        ['holder', 'ModuleWrap'],
        ['holder', 'system / Context'],
        ['accumulation', 'Map'],
        ['holder', '(array)'],
        ['leaked', '4,500 × Session'],
      ],
    );
    assert.equal(graph.nodes[3]?.detail, 'holds 500 → 2,500 → 4,500');
    assert.equal(graph.nodes[5]?.detail, 'retaining 239.2 kB → 1.2 MB → 2.2 MB');
    assert.deepEqual(
      graph.edges.map((edge) => edge.label),
      ['[Symbol(node:entry_point_module)]', '.context', '.sessions', '.table', '[5600]'],
    );
  });

  it('merges the paths of several suspects where they pass through the same object', () => {
    const graph = retainerGraph([sessionSuspect(), tokenSuspect()]);
    const shared = graph.nodes.filter((node) => node.suspects.length === 2).map((node) => node.label);
    assert.deepEqual(shared, ['global', 'ModuleWrap', 'system / Context']);
    assert.equal(graph.nodes.filter((node) => node.kind === 'leaked').length, 2);
    assert.equal(graph.nodes.filter((node) => node.kind === 'accumulation').length, 2);
    // 5 edges of the first path, 2 of the second beyond the shared prefix, no duplicates.
    assert.equal(graph.edges.length, 7);
  });

  it('never shows string values or data-like keys', () => {
    const graph = retainerGraph([tokenSuspect()]);
    const text =
      JSON.stringify(graph) + retainerGraphDot(graph) + retainerGraphSvg(layoutRetainerGraph(graph));
    assert.equal(text.includes(SECRET_VALUE), false);
    assert.equal(text.includes(SECRET_KEY), false);
    assert.ok(text.includes(`‹key, ${SECRET_KEY.length} chars›`));
  });

  it('leaves out the middle of a very long path and says how much', () => {
    const steps: RetainerPathStep[] = Array.from({ length: 30 }, (_, i) => ({
      edge: i === 0 ? '' : `link${i}`,
      edgeType: 'property',
      node: `Node${i}`,
      nodeType: 'object',
      nodeId: 1000 + i,
    }));
    const suspect: LeakSuspect = {
      name: 'Node29',
      type: 'object',
      count: 10,
      retainedSize: 100,
      growth: [1, 5, 10],
      retainerPath: steps,
    };
    const graph = retainerGraph([suspect]);
    const elided = graph.nodes.find((node) => node.kind === 'elided');
    assert.ok(elided !== undefined);
    // 29 holders (the last step is the leaked node), 14 kept: 4 first, 9 last, 1 elision node.
    assert.equal(elided.label, '… 16 more steps');
    assert.equal(graph.nodes.length, 4 + 1 + 9 + 1);
    assert.equal(graph.nodes[0]?.label, 'Node0');
    assert.equal(graph.nodes.at(-2)?.label, 'Node28');
  });

  it('lays out top to bottom along the path, without overlapping nodes, inside the drawing', () => {
    const layout = layoutRetainerGraph(retainerGraph([sessionSuspect(), tokenSuspect()]));
    const byLabel = new Map(layout.nodes.map((node) => [node.label, node]));
    const chain = ['global', 'ModuleWrap', 'system / Context', 'Map', '(array)', '4,500 × Session'];
    for (let i = 1; i < chain.length; i++) {
      assert.ok(
        byLabel.get(chain[i]!)!.y > byLabel.get(chain[i - 1]!)!.y,
        `${chain[i]} below ${chain[i - 1]}`,
      );
    }
    for (const a of layout.nodes) {
      assert.ok(
        a.x - a.width / 2 >= 0 && a.x + a.width / 2 <= layout.width,
        `${a.label} inside horizontally`,
      );
      assert.ok(
        a.y - a.height / 2 >= 0 && a.y + a.height / 2 <= layout.height,
        `${a.label} inside vertically`,
      );
      // Monospace text: the box is wide enough for its label.
      assert.ok(a.width >= a.label.length * 12 * 0.6, `${a.label} fits`);
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        assert.ok(apart, `${a.label} and ${b.label} overlap`);
      }
    }
    for (const edge of layout.edges) {
      assert.ok(edge.points.length >= 2);
      const to = layout.nodes.find((node) => node.id === edge.to)!;
      const last = edge.points.at(-1)!;
      // Edges end at the target's border (where the arrowhead goes).
      assert.ok(Math.abs(last.y - (to.y - to.height / 2)) < 1.5, `${edge.label} ends at ${to.label}`);
    }
  });

  it('draws every node and edge as SVG, escaping names', () => {
    const suspect = { ...sessionSuspect(), name: 'Cache<K, "V">' };
    const graph = retainerGraph([suspect]);
    const svg = retainerGraphSvg(layoutRetainerGraph(graph), { idPrefix: 'g1', title: 'a & b' });
    assert.equal((svg.match(/<g class="node /g) ?? []).length, graph.nodes.length);
    assert.equal((svg.match(/<path class="edge" d="M[\d.]+,[\d.]+ [LQ]/g) ?? []).length, graph.edges.length);
    assert.ok(svg.includes('4,500 × Cache&lt;K, &quot;V&quot;&gt;'));
    assert.ok(svg.includes('<title>a &amp; b</title>'));
    assert.ok(svg.includes('marker-end="url(#g1-arrow)"'));
    assert.equal(svg.includes('Cache<K'), false);
  });
});

describe('retainer graph as Graphviz DOT', () => {
  it('lists every node with its label and style, and every edge', () => {
    const dot = retainerGraphDot(retainerGraph([sessionSuspect()]));
    assert.match(dot, /^digraph "retainers" \{\n/);
    assert.match(dot, /\n}\n$/);
    assert.ok(dot.includes('"node-125239" [label="Map\\nholds 500 → 2,500 → 4,500", fillcolor="#fff5e0"'));
    assert.ok(dot.includes('"leaked-0" [label="4,500 × Session\\nretaining'));
    assert.ok(dot.includes('"node-122889" -> "node-125239" [label=".sessions"];'));
    assert.equal((dot.match(/ -> /g) ?? []).length, 5);
  });

  it('escapes quotes, backslashes and newlines so a name cannot break out of its string', () => {
    const suspect = { ...sessionSuspect(), name: 'Evil"] ; x -> y [label="\\\nz' };
    const dot = retainerGraphDot(retainerGraph([suspect]));
    const line = dot.split('\n').find((entry) => entry.includes('"leaked-0" ['))!;
    // Inside the quoted label every quote is escaped, so the statement ends where it should.
    const label = /label="((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
    assert.equal(
      label,
      '4,500 × Evil\\"] ; x -> y [label=\\"\\\\\\nz\\nretaining 239.2 kB → 1.2 MB → 2.2 MB',
    );
    assert.ok(line.endsWith('];'));
  });
});
