import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost } from '../inspector-client/inspector-address.ts';
import { parseServeAddress } from './serve-options.ts';

describe('--serve', () => {
  it('takes a port, or host:port; a bare port listens on loopback only', () => {
    assert.deepEqual(parseServeAddress('8080', '--serve'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseServeAddress('0', '--serve'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseServeAddress('0.0.0.0:9000', '--serve'), { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(parseServeAddress('localhost:9000', '--serve'), { host: 'localhost', port: 9000 });
    assert.deepEqual(parseServeAddress('[::1]:9000', '--serve'), { host: '::1', port: 9000 });
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['', 'http://localhost:8080', '65536', 'host:', ':80', '[zz]:80', '80:80'])
      assert.throws(() => parseServeAddress(bad, '--serve'), { code: 'ERR_USAGE' }, bad);
  });

  it('knows which addresses only this machine reaches (the check that decides the "other machines" warning)', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('::1'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('0.0.0.0'), false);
    assert.equal(isLoopbackHost('192.168.1.4'), false);
  });
});
