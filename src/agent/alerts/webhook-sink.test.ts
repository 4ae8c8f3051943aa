import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { backoffDelay, type DeliveryFault } from './delivery-queue.ts';
import { sampleAlert } from './sample-alert.fixture.ts';
import { createWebhookSink, WEBHOOK_DEFAULTS } from './webhook-sink.ts';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

/** A real HTTP server on 127.0.0.1 answering with `respond(n)` for the n-th request (0-based). */
async function startServer(respond: (n: number, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
      respond(received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/SECRET-TOKEN`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fast = { ...WEBHOOK_DEFAULTS, headers: {}, backoffMs: 5, timeoutMs: 2000 };

describe('webhook sink against a real HTTP server', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  it('POSTs the alert as JSON with a chat-friendly text field and the configured headers', async () => {
    const server = await startServer((_, res) => res.writeHead(204).end());
    servers.push(server);
    const faults: DeliveryFault[] = [];
    const sink = createWebhookSink(
      { ...fast, url: server.url, headers: { authorization: 'Bearer abc' } },
      (f) => faults.push(f),
    );
    sink.push(sampleAlert());
    await sink.idle();
    assert.equal(server.received.length, 1);
    const { headers, body } = server.received[0]!;
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers.authorization, 'Bearer abc');
    assert.equal(body.rule, 'rssAbove');
    assert.equal(body.text, '[memwatcher] RSS 812 MB is above 768 MB');
    assert.deepEqual(body.topGrowingClasses, [
      { name: 'Session', count: 120000, countDelta: 40000, bytesDelta: 12582912 },
    ]);
    assert.deepEqual(sink.counts(), { delivered: 1, failed: 0, dropped: 0, pending: 0 });
    assert.deepEqual(faults, []);
    sink.close();
  });

  it('retries 500s with backoff until the server recovers', async () => {
    const server = await startServer((n, res) => res.writeHead(n < 2 ? 500 : 200).end('ok'));
    servers.push(server);
    const faults: DeliveryFault[] = [];
    const sink = createWebhookSink({ ...fast, url: server.url, retries: 3 }, (f) => faults.push(f));
    sink.push(sampleAlert());
    await sink.idle();
    assert.equal(server.received.length, 3);
    assert.deepEqual(sink.counts(), { delivered: 1, failed: 0, dropped: 0, pending: 0 });
    assert.deepEqual(faults, []);
    sink.close();
  });

  it('gives up after the retries and reports it, without the secret part of the URL', async () => {
    const server = await startServer((_, res) => res.writeHead(503).end());
    servers.push(server);
    const faults: DeliveryFault[] = [];
    const sink = createWebhookSink({ ...fast, url: server.url, retries: 2 }, (f) => faults.push(f));
    sink.push(sampleAlert());
    await sink.idle();
    assert.equal(server.received.length, 3);
    assert.equal(sink.counts().failed, 1);
    assert.equal(faults.length, 1);
    assert.equal(faults[0]!.kind, 'failed');
    assert.match(faults[0]!.message, /after 3 attempt\(s\).*HTTP 503/);
    assert.doesNotMatch(faults[0]!.message, /SECRET-TOKEN/);
    sink.close();
  });

  it('does not retry a 4xx (the request itself is wrong)', async () => {
    const server = await startServer((_, res) => res.writeHead(400).end());
    servers.push(server);
    const faults: DeliveryFault[] = [];
    const sink = createWebhookSink({ ...fast, url: server.url, retries: 5 }, (f) => faults.push(f));
    sink.push(sampleAlert());
    await sink.idle();
    assert.equal(server.received.length, 1);
    assert.match(faults[0]!.message, /HTTP 400/);
    sink.close();
  });

  it('drops the oldest alerts when the server is down and the queue is full', async () => {
    const server = await startServer((_, res) => res.end());
    const { url } = server;
    await server.close(); // nothing listens on that port any more: connection refused
    const faults: DeliveryFault[] = [];
    const sink = createWebhookSink({ ...fast, url, retries: 1, queueSize: 2 }, (f) => faults.push(f));
    for (let i = 0; i < 10; i++) sink.push(sampleAlert({ value: i }));
    // One in flight, two waiting, seven dropped — decided synchronously, before any network I/O.
    assert.deepEqual(sink.counts(), { delivered: 0, failed: 0, dropped: 7, pending: 3 });
    await sink.idle();
    assert.deepEqual(sink.counts(), { delivered: 0, failed: 3, dropped: 7, pending: 0 });
    assert.equal(faults.filter((f) => f.kind === 'dropped').length, 7);
    assert.match(faults.find((f) => f.kind === 'failed')!.message, /failed: fetch failed \(.*ECONNREFUSED/);
    sink.close();
  });

  it('never blocks the host while a server hangs: the event loop keeps turning, the attempt times out', async () => {
    const hanging: ServerResponse[] = [];
    const server = await startServer((_, res) => hanging.push(res));
    servers.push(server);
    const faults: DeliveryFault[] = [];
    const sink = createWebhookSink({ ...fast, url: server.url, retries: 0, timeoutMs: 300 }, (f) =>
      faults.push(f),
    );
    sink.push(sampleAlert());
    let turns = 0;
    const spin = setInterval(() => turns++, 5);
    await sink.idle();
    clearInterval(spin);
    assert.ok(turns > 0, 'the event loop turned while the request hung');
    assert.equal(hanging.length, 1);
    assert.match(faults[0]!.message, /timed out/);
    sink.close();
  });

  it('close() abandons queued alerts and stops retrying', async () => {
    const server = await startServer((_, res) => res.writeHead(500).end());
    servers.push(server);
    const sink = createWebhookSink({ ...fast, url: server.url, retries: 10, backoffMs: 60_000 }, () => {});
    sink.push(sampleAlert());
    sink.push(sampleAlert());
    while (server.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    sink.close();
    await sink.idle();
    assert.equal(server.received.length, 1);
    assert.equal(sink.counts().pending, 0);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt, is capped, and jitters by ±50 %', () => {
    assert.equal(backoffDelay(0, 1000, 60_000, 0.5), 1000);
    assert.equal(backoffDelay(3, 1000, 60_000, 0.5), 8000);
    assert.equal(backoffDelay(10, 1000, 60_000, 0.5), 60_000);
    assert.equal(backoffDelay(1, 1000, 60_000, 0), 1000);
    assert.equal(backoffDelay(1, 1000, 60_000, 0.999), 2000 * 1.499);
  });
});
