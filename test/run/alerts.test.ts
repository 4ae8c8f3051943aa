/**
 * Alerts of `memwatcher run` reach the sinks the flags name: a webhook (a real local HTTP server) and
 * email (a real local SMTP server, through nodemailer), for a program watched from outside; one alert
 * per rule within the rate-limit interval.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { runCli } from '../cli/run-cli.ts';
import { ofType, readEvents } from './events-file.ts';

const pythonWorkload = fileURLToPath(new URL('./fixtures/workload.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memwatcher-run-alerts-'));

describe('memwatcher run: alerts to a webhook and by email', () => {
  const posts: { path: string; body: Record<string, unknown> }[] = [];
  const mails: { to: string[]; raw: string }[] = [];
  let http: Server;
  let smtp: SMTPServer;
  let httpPort = 0;
  let smtpPort = 0;

  before(async () => {
    http = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        posts.push({ path: request.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpPort = (http.address() as AddressInfo).port;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => {
          raw += chunk.toString();
        });
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts and mails one RSS alert carrying the watched pid', async () => {
    const events = join(dir, 'alerts.ndjson');
    const run = await runCli(
      [
        'run',
        '--interval',
        '200ms',
        '--alert-rss',
        '1MB',
        '--webhook',
        `http://127.0.0.1:${httpPort}/hooks/memory`,
        '--smtp',
        `smtp://127.0.0.1:${smtpPort}`,
        '--mail-from',
        'memwatcher@example.com',
        '--mail-to',
        'oncall@example.com, dev@example.com',
        '--events',
        events,
        '--',
        'python3',
        pythonWorkload,
        'healthy',
        '2000',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 0, run.stderr);
    const recorded = readEvents(events);
    const start = recorded[0];
    assert.ok(start?.type === 'start');
    const alerts = ofType(recorded, 'alert');
    assert.equal(alerts.length, 1, 'one alert per rule per --alert-interval (default 15 min)');
    assert.equal(alerts[0]!.alert.rule, 'rssAbove');
    assert.equal(alerts[0]!.alert.pid, start.pid);
    assert.match(run.stderr, /memwatcher: alert \(rssAbove, warning\): RSS .* is above 1\.0 MB/);

    // memwatcher waited for the deliveries before it exited.
    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.path, '/hooks/memory');
    assert.equal(posts[0]!.body.rule, 'rssAbove');
    assert.equal(posts[0]!.body.pid, start.pid);
    assert.match(String(posts[0]!.body.text), /^\[memwatcher\] RSS .* is above/);
    assert.equal(mails.length, 1);
    assert.deepEqual(mails[0]!.to, ['oncall@example.com', 'dev@example.com']);
    assert.match(mails[0]!.raw, /Subject: \[memwatcher\] warning: RSS/);
  });
});
