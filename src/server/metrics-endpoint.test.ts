import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { MetricsError } from '../errors.ts';
import { type MetricsServer, metricsRequestHandler, serveMetrics } from './metrics-endpoint.ts';

const text = '# HELP up Up.\n# TYPE up gauge\nup 1\n';
const fixed = { render: () => Promise.resolve(text) };

describe('metrics endpoint', () => {
  const servers: MetricsServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (options: Parameters<typeof serveMetrics>[1], metrics = fixed) => {
    const server = await serveMetrics(metrics, options);
    servers.push(server);
    return server;
  };

  it('serves the text format on 127.0.0.1 by default, GET and HEAD only', async () => {
    const server = await start({ port: 0 });
    assert.equal(server.host, '127.0.0.1');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(await response.text(), text);
    const head = await fetch(server.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.equal(await head.text(), '');
    const post = await fetch(server.url, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal((await fetch(server.url.replace('/metrics', '/other'))).status, 404);
    assert.equal((await fetch(`${server.url}?x=1`)).status, 200, 'a query string is not another path');
  });

  it('asks for the bearer token when one is set', async () => {
    const server = await start({ port: 0, token: 'Zm9vYmFyLXNlY3JldA' });
    const status = async (authorization?: string) =>
      (await fetch(server.url, authorization === undefined ? {} : { headers: { authorization } })).status;
    assert.equal(await status(), 401);
    assert.equal(await status('Bearer wrong'), 401);
    assert.equal(await status('Bearer Zm9vYmFyLXNlY3JldA-and-more'), 401);
    assert.equal(await status('Basic Zm9vYmFyLXNlY3JldA'), 401);
    assert.equal(await status('Bearer Zm9vYmFyLXNlY3JldA'), 200);
    assert.equal(await status('bearer Zm9vYmFyLXNlY3JldA'), 200, 'the scheme is case-insensitive');
    const denied = await fetch(server.url);
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer realm="memwatcher"');
    assert.doesNotMatch(await denied.text(), /up 1/);
  });

  it('answers 500 when the metrics cannot be read, and keeps serving', async () => {
    let fail = true;
    const server = await start(
      { port: 0 },
      { render: () => (fail ? Promise.reject(new Error('census gone')) : Promise.resolve(text)) },
    );
    const failed = await fetch(server.url);
    assert.equal(failed.status, 500);
    assert.match(await failed.text(), /census gone/);
    fail = false;
    assert.equal((await fetch(server.url)).status, 200);
  });

  it('says clearly when the port is taken', async () => {
    const first = await start({ port: 0 });
    await assert.rejects(
      serveMetrics(fixed, { port: first.port }),
      (error: MetricsError) => error.code === 'ERR_METRICS_LISTEN' && /port is taken/.test(error.message),
    );
  });

  it('rejects bad options before listening', async () => {
    await assert.rejects(serveMetrics(fixed, { port: 70_000 }), /port/);
    await assert.rejects(serveMetrics(fixed, { port: 0, token: 'has space' }), /token/);
    await assert.rejects(serveMetrics(fixed, { port: 0, token: '' }), /token/);
    await assert.rejects(serveMetrics(fixed, { port: 0, path: 'metrics' }), /path/);
    assert.throws(() => metricsRequestHandler({} as typeof fixed), /render/);
  });

  it('mounts on another server: other paths are left to it', async () => {
    const handle = metricsRequestHandler(fixed, { path: '/custom/metrics' });
    const server = createServer((request, response) => {
      if (!handle(request, response)) response.end('dashboard');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal(await (await fetch(`${base}/custom/metrics`)).text(), text);
      assert.equal(await (await fetch(`${base}/`)).text(), 'dashboard');
    } finally {
      server.close();
    }
  });
});
