/**
 * The server under load for `agent-overhead.ts`: a small JSON API (each request builds and
 * serializes a 20-item response, so it allocates like a real handler). Prints its port on stdout,
 * runs until killed. `GET /__memory` answers this process' memory after a full GC (the bench starts
 * it with `--expose-gc`), plus the registered agent's fixed history size when one is loaded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const gc = (globalThis as { gc?: () => void }).gc;
const agent = () =>
  (globalThis as Record<symbol, { historyBytes?: number } | undefined>)[
    Symbol.for('memwatcher.registered-watcher')
  ];

const server = createServer((req, res) => {
  if (req.url === '/__memory') {
    gc?.();
    gc?.();
    const memory = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...memory, agentHistoryBytes: agent()?.historyBytes ?? 0 }));
    return;
  }
  const items = Array.from({ length: 20 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    price: i * 1.5,
    tags: ['a', 'b'],
  }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, items, at: Date.now() }));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
