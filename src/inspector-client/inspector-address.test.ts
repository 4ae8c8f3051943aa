import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectorAddressFrom, isLoopbackHost, splitNodeOptions, urlHost } from './inspector-address.ts';

describe('inspectorAddressFrom', () => {
  it('is 127.0.0.1:9229 without --inspect options', () => {
    assert.deepEqual(inspectorAddressFrom(['node', '--max-old-space-size=512', 'app.js'], undefined), {
      host: '127.0.0.1',
      port: 9229,
      setBy: 'default',
    });
  });

  it('reads a port, a host, host:port and [ipv6]:port, the last option winning', () => {
    assert.equal(inspectorAddressFrom(['node', '--inspect=9230', 'app.js'], undefined).port, 9230);
    assert.deepEqual(inspectorAddressFrom(['node', '--inspect-port=0.0.0.0:9333', 'app.js'], undefined), {
      host: '0.0.0.0',
      port: 9333,
      setBy: '--inspect-port=0.0.0.0:9333 (command line)',
    });
    const ipv6 = inspectorAddressFrom(['node', '--inspect-brk=[::1]:9444', 'app.js'], undefined);
    assert.deepEqual([ipv6.host, ipv6.port], ['::1', 9444]);
    const hostOnly = inspectorAddressFrom(['node', '--inspect=localhost', 'app.js'], undefined);
    assert.deepEqual([hostOnly.host, hostOnly.port], ['localhost', 9229]);
    const last = inspectorAddressFrom(
      ['node', '--inspect-port=9001', '--inspect-port', '9002', 'app.js'],
      undefined,
    );
    assert.equal(last.port, 9002);
  });

  it('reads NODE_OPTIONS first and lets the command line override it', () => {
    assert.equal(
      inspectorAddressFrom(['node', 'app.js'], '--inspect-port=9555 --enable-source-maps').port,
      9555,
    );
    const both = inspectorAddressFrom(['node', '--inspect-port=9666', 'app.js'], '--inspect-port=9555');
    assert.equal(both.port, 9666);
    assert.match(both.setBy, /command line/);
  });

  it("stops at the script: the program's own arguments are not Node's", () => {
    assert.equal(inspectorAddressFrom(['node', 'app.js', '--inspect-port=9999'], undefined).port, 9229);
    assert.equal(
      inspectorAddressFrom(['node', '-r', 'dotenv/config', 'app.js', '--inspect=1'], undefined).port,
      9229,
    );
    assert.equal(inspectorAddressFrom(['node', '--', '--inspect=1'], undefined).port, 9229);
  });

  it('ignores a malformed value', () => {
    assert.equal(inspectorAddressFrom(['node', '--inspect=host:notaport', 'app.js'], undefined).port, 9229);
  });
});

describe('splitNodeOptions', () => {
  it('splits on spaces and keeps quoted values together', () => {
    assert.deepEqual(splitNodeOptions('  --require "./my dir/x.js"  --inspect-port=9230 '), [
      '--require',
      './my dir/x.js',
      '--inspect-port=9230',
    ]);
    assert.deepEqual(splitNodeOptions('--title="a \\"b\\""'), ['--title=a "b"']);
  });
});

describe('isLoopbackHost', () => {
  it('accepts loopback only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.evil.com', '']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it('writes hosts as URLs want them', () => {
    assert.equal(urlHost('::1'), '[::1]');
    assert.equal(urlHost('localhost'), '127.0.0.1');
    assert.equal(urlHost('127.0.0.1'), '127.0.0.1');
  });
});
