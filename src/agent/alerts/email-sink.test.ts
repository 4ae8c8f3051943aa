import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { DeliveryFault } from './delivery-queue.ts';
import { createEmailSink, EMAIL_DEFAULTS, nodemailerInstalled } from './email-sink.ts';
import { sampleAlert } from './sample-alert.fixture.ts';

interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

describe('email sink through nodemailer against a real SMTP server', () => {
  const received: ReceivedMail[] = [];
  let server: SMTPServer;
  let port = 0;

  before(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => {
          raw += chunk.toString('utf8');
        });
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('finds the optional peer', () => {
    assert.equal(nodemailerInstalled(), true);
  });

  it('sends one email per alert with the figures and the growing classes', async () => {
    const faults: DeliveryFault[] = [];
    const sink = createEmailSink(
      {
        ...EMAIL_DEFAULTS,
        from: 'memwatcher@example.com',
        to: ['oncall@example.com', 'dev@example.com'],
        smtp: { host: '127.0.0.1', port, secure: false },
      },
      (f) => faults.push(f),
    );
    sink.queue.push(sampleAlert());
    await sink.queue.idle();
    sink.close();
    assert.deepEqual(faults, []);
    assert.equal(received.length, 1);
    const mail = received[0]!;
    assert.equal(mail.from, 'memwatcher@example.com');
    assert.deepEqual(mail.to, ['oncall@example.com', 'dev@example.com']);
    assert.match(mail.raw, /Subject: \[memwatcher\] warning: RSS 812 MB is above 768 MB/);
    assert.match(mail.raw, /process 4242 on web-1/);
    assert.match(mail.raw, /heap floor\s+180 MB/);
    assert.match(mail.raw, /Session: 120000 live \(\+40000, \+12\.0 MB\)/);
  });

  it('accepts an smtp:// URL', async () => {
    const before = received.length;
    const sink = createEmailSink(
      { ...EMAIL_DEFAULTS, from: 'a@example.com', to: ['b@example.com'], smtp: `smtp://127.0.0.1:${port}` },
      () => {},
    );
    sink.queue.push(sampleAlert({ severity: 'critical', message: 'memory leak: test' }));
    await sink.queue.idle();
    sink.close();
    assert.equal(received.length, before + 1);
    assert.match(received.at(-1)!.raw, /Subject: \[memwatcher\] critical: memory leak: test/);
  });

  it('reports SMTP down after its retries, and does not throw', async () => {
    const probe = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const faults: DeliveryFault[] = [];
    const sink = createEmailSink(
      {
        ...EMAIL_DEFAULTS,
        from: 'a@example.com',
        to: ['b@example.com'],
        smtp: { host: '127.0.0.1', port: deadPort },
        retries: 1,
        backoffMs: 5,
        timeoutMs: 2000,
      },
      (f) => faults.push(f),
    );
    sink.queue.push(sampleAlert());
    await sink.queue.idle();
    sink.close();
    assert.equal(sink.queue.counts().failed, 1);
    assert.equal(faults.length, 1);
    assert.match(faults[0]!.message, /email: alert not delivered after 2 attempt\(s\): SMTP: .*ECONNREFUSED/);
  });
});
