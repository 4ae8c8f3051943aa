import { closeSync, openSync, readSync } from 'node:fs';

export interface SnapshotHeader {
  nodeCount: number;
  edgeCount: number;
  nodeFields: string[];
  edgeFields: string[];
}

/**
 * Reads the `snapshot` object at the head of a `.heapsnapshot` file (meta, node and edge
 * counts) without reading the rest: the header is a few KB, the file may be gigabytes.
 *
 * @example
 * const { nodeCount, edgeCount } = readSnapshotHeader('bench/out/ts-heap-230mb.heapsnapshot');
 */
export function readSnapshotHeader(file: string): SnapshotHeader {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(1 << 20);
    const length = readSync(fd, head, 0, head.length, 0);
    const text = head.toString('latin1', 0, length);
    const nodesAt = text.indexOf('"nodes"');
    if (!text.startsWith('{"snapshot":') || nodesAt < 0) {
      throw new Error(`${file}: no heap snapshot header in its first MB; is it a .heapsnapshot file?`);
    }
    const json = `${text.slice(0, nodesAt).trimEnd().replace(/,$/, '')}}`;
    const { snapshot } = JSON.parse(json) as {
      snapshot: {
        node_count: number;
        edge_count: number;
        meta: { node_fields: string[]; edge_fields: string[] };
      };
    };
    return {
      nodeCount: snapshot.node_count,
      edgeCount: snapshot.edge_count,
      nodeFields: snapshot.meta.node_fields,
      edgeFields: snapshot.meta.edge_fields,
    };
  } finally {
    closeSync(fd);
  }
}
