import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { SECRET_KEY, tokenSuspect } from '../report/sample-model.fixture.ts';
import { sample } from '../store/history.fixture.ts';
import type { DashboardAction, DashboardInfo } from './api-types.ts';
import { type DashboardServer, startDashboardServer } from './dashboard-server.ts';
import { LiveSource } from './live-source.ts';
import { SnapshotActions } from './snapshot-actions.ts';

const TOKEN = 'test-token-0123456789abcdef';
const PID = 777;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const bearer = { Authorization: `Bearer ${TOKEN}` };

describe('dashboard server', () => {
  let webDir: string;
  let server: DashboardServer;
  let live: LiveSource;
  let capture: (() => Promise<string[]>) | undefined;

  before(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'memwatcher-web-'));
    writeFileSync(
      join(webDir, 'index.html'),
      '<!doctype html><title>memwatcher</title><script src="/app.js"></script>',
    );
    writeFileSync(join(webDir, 'app.js'), `console.log(${JSON.stringify('x'.repeat(5000))});`);
    live = new LiveSource({
      mode: 'live',
      runMode: 'run',
      command: ['node', 'app.js'],
      canSnapshot: () => true,
    });
    live.accept(sample(PID, T0));
    // Suspects with a secret key in their path, for the redaction checks.
    live.accept({
      type: 'analysis',
      source: 'collector',
      time: T0,
      pid: PID,
      files: ['/tmp/a', '/tmp/b'],
      durationMs: 5,
      suspectCount: 1,
      result: {
        snapshots: [
          { file: '/tmp/a', nodeCount: 1, edgeCount: 1, totalSize: 1 },
          { file: '/tmp/b', nodeCount: 1, edgeCount: 1, totalSize: 1 },
        ],
        summary: [],
        largest: [],
        suspects: [tokenSuspect()],
      },
    });
    const actions = new SnapshotActions({
      dir: join(webDir, 'snapshots'),
      captureFor: (pid) => (pid === PID && capture !== undefined ? capture : undefined),
      publish: (event) => live.accept(event),
      onChange: (action) => live.recordAction(action),
    });
    server = await startDashboardServer({
      source: live,
      actions,
      metrics: { render: async () => '# TYPE memwatcher_test gauge\nmemwatcher_test 1\n' },
      port: 0,
      token: TOKEN,
      webDir,
    });
  });

  after(async () => {
    await server?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('listens on the loopback address by default, and prints a URL with the token', () => {
    assert.equal(server.host, '127.0.0.1');
    assert.equal(server.openUrl, `http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('answers 401 to every path without the token, or with a wrong one', async () => {
    for (const path of ['/', '/app.js', '/api/runs', '/api/events', '/metrics', '/nowhere']) {
      const reply = await request(`${server.url}${path.slice(1)}`);
      assert.equal(reply.status, 401, path);
      assert.match(String(reply.headers['www-authenticate']), /^Bearer/);
      assert.equal(reply.body.toString().includes('x'.repeat(100)), false);
    }
    const wrong = await request(`${server.url}api/runs`, {
      headers: { Authorization: 'Bearer nope-nope-nope-nope' },
    });
    assert.equal(wrong.status, 401);
    const wrongCookie = await request(`${server.url}api/runs`, {
      headers: { Cookie: `memwatcher-${server.port}=nope-nope-nope-nope` },
    });
    assert.equal(wrongCookie.status, 401);
    const wrongUrl = await request(`${server.url}?token=nope-nope-nope-nope`);
    assert.equal(wrongUrl.status, 401);
    assert.equal(wrongUrl.headers['set-cookie'], undefined);
  });

  it('trades ?token= for an HttpOnly, SameSite=Strict cookie and drops it from the address', async () => {
    const reply = await request(`${server.url}?token=${TOKEN}&x=1`);
    assert.equal(reply.status, 303);
    assert.equal(reply.headers.location, '/?x=1');
    const cookie = String(reply.headers['set-cookie']);
    assert.match(
      cookie,
      new RegExp(`^memwatcher-${server.port}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict$`),
    );
    const page = await request(server.url, {
      headers: { Cookie: `other=1; memwatcher-${server.port}=${TOKEN}` },
    });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<title>memwatcher<\/title>/);
  });

  it('sends a strict Content-Security-Policy and nosniff with every response, and no CORS headers', async () => {
    for (const [path, headers] of [
      ['', bearer],
      ['app.js', bearer],
      ['api/info', bearer],
      ['api/runs', { ...bearer, Origin: 'https://evil.example' }],
      ['api/runs', {}],
    ] as const) {
      const reply = await request(`${server.url}${path}`, { headers });
      const csp = String(reply.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(reply.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(reply.headers['access-control-allow-origin'], undefined, path);
    }
    const preflight = await request(`${server.url}api/actions`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 401);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('serves the JSON API; large answers compressed for clients that accept gzip', async () => {
    const info = JSON.parse(
      (await request(`${server.url}api/info`, { headers: bearer })).body.toString(),
    ) as DashboardInfo;
    assert.deepEqual(info, {
      mode: 'live',
      title: 'node app.js',
      snapshots: true,
      stringsAllowed: false,
      metrics: true,
    });
    for (let t = 1; t < 2000; t++) live.accept(sample(PID, T0 + t * 1000));
    const plain = await request(`${server.url}api/samples?run=1&pid=${PID}&maxPoints=5000`, {
      headers: bearer,
    });
    const zipped = await request(`${server.url}api/samples?run=1&pid=${PID}&maxPoints=5000`, {
      headers: { ...bearer, 'Accept-Encoding': 'gzip' },
    });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.body.length < plain.body.length / 3, `${zipped.body.length} vs ${plain.body.length}`);
    assert.deepEqual(JSON.parse(gunzipSync(zipped.body).toString()), JSON.parse(plain.body.toString()));
    assert.equal((JSON.parse(plain.body.toString()) as { time: number[] }).time.length, 2000);
    const fewer = JSON.parse(
      (
        await request(`${server.url}api/samples?run=1&pid=${PID}&maxPoints=100`, { headers: bearer })
      ).body.toString(),
    ) as { time: number[]; bucketMs: number };
    assert.ok(fewer.time.length <= 100 && fewer.bucketMs > 1000);
    assert.equal(
      (await request(`${server.url}api/samples?run=1&maxPoints=0`, { headers: bearer })).status,
      400,
    );
    assert.equal((await request(`${server.url}api/samples?run=x`, { headers: bearer })).status, 400);
    assert.equal((await request(`${server.url}api/samples?run=9`, { headers: bearer })).status, 404);
    assert.equal((await request(`${server.url}api/state?run=1&pid=${PID}`, { headers: bearer })).status, 200);
    assert.equal((await request(`${server.url}api/nothing`, { headers: bearer })).status, 404);
  });

  it('hides heap strings, and refuses to show them unless the server allows it', async () => {
    const safe = await request(`${server.url}api/analyses/1`, { headers: bearer });
    assert.equal(safe.status, 200);
    assert.equal(safe.body.toString().includes(SECRET_KEY), false);
    const asked = await request(`${server.url}api/analyses/1?strings=1`, { headers: bearer });
    assert.equal(asked.status, 403);
    assert.match(asked.body.toString(), /--show-strings/);
  });

  it('serves /metrics behind the same token', async () => {
    const reply = await request(`${server.url}metrics`, { headers: bearer });
    assert.equal(reply.status, 200);
    assert.match(reply.body.toString(), /^memwatcher_test 1$/m);
  });

  it('streams events over SSE', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${server.url}api/events`, { headers: bearer }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('event: sample')) {
            req.destroy();
            resolve(text);
          }
        });
        // Connected: now something happens.
        live.accept(sample(PID, T0 + 5_000_000, 123_456));
      });
      req.on('error', reject);
      req.end();
    });
    const data = /event: sample\ndata: (.*)\n\n/.exec(received)?.[1];
    assert.ok(data !== undefined, received);
    const event = JSON.parse(data) as { pid: number; sample: { heapUsed: number } };
    assert.equal(event.pid, PID);
    assert.equal(event.sample.heapUsed, 123_456);
  });

  it('takes actions only from its own page, as JSON, one at a time per process', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      request(`${server.url}api/actions`, {
        method: 'POST',
        headers: { ...bearer, 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    assert.equal(
      (await post({ pid: PID, kind: 'snapshot' }, { Origin: 'https://evil.example' })).status,
      403,
    );
    assert.equal((await post({ pid: PID, kind: 'snapshot' }, { 'Content-Type': 'text/plain' })).status, 415);
    assert.equal((await post({ pid: PID, kind: 'delete' })).status, 400);
    capture = undefined;
    assert.equal((await post({ pid: PID, kind: 'snapshot' })).status, 409, 'no capture for this process');
    let fail: (error: Error) => void = () => {};
    let asked: () => void = () => {};
    const captureAsked = new Promise<void>((resolve) => (asked = resolve));
    capture = () =>
      new Promise((_resolve, reject) => {
        fail = reject;
        asked();
      });
    const first = await post({ pid: PID, kind: 'series' }, { Origin: server.url.slice(0, -1) });
    assert.equal(first.status, 202);
    assert.equal((JSON.parse(first.body.toString()) as DashboardAction).state, 'capturing');
    const second = await post({ pid: PID, kind: 'snapshot' });
    assert.equal(second.status, 409);
    assert.match(second.body.toString(), /in progress/);
    // The capture fails: the action says so and the next one may start.
    await captureAsked;
    fail(new Error('the agent could not take the heap snapshots'));
    let state: DashboardAction | undefined;
    for (let i = 0; i < 200 && state?.state !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      state = live.state(1, PID)?.actions.at(-1);
    }
    assert.equal(state?.state, 'failed');
    assert.equal(state?.message, 'the agent could not take the heap snapshots');
    assert.equal((await post({ pid: PID, kind: 'snapshot' })).status, 202, 'the next one may start');
  });

  it('refuses to start with a token too short to be safe, or a port that is taken', async () => {
    await assert.rejects(
      startDashboardServer({ source: live, port: 0, token: 'short', webDir }),
      (error: Error & { code?: string }) => error.code === 'ERR_INVALID_OPTION',
    );
    await assert.rejects(
      startDashboardServer({ source: live, port: server.port, token: TOKEN, webDir }),
      (error: Error & { code?: string }) =>
        error.code === 'ERR_DASHBOARD_LISTEN' && /taken/.test(error.message),
    );
    await assert.rejects(
      startDashboardServer({ source: live, port: 0, token: TOKEN, webDir: join(webDir, 'missing') }),
      (error: Error & { code?: string }) => error.code === 'ERR_DASHBOARD_ASSETS',
    );
  });
});
