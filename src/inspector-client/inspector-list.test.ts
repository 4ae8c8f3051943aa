import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { AttachError } from '../errors.ts';
import { checkedWebSocketUrl, readInspectorList } from './inspector-list.ts';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

/** An HTTP server on a loopback port answering every request with `status` and `body`. */
async function serve(status: number, body: string): Promise<number> {
  const server = createServer((_, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const isCode = (code: string) => (error: unknown) => error instanceof AttachError && error.code === code;

describe('readInspectorList', () => {
  it("reads an inspector's target list", async () => {
    const port = await serve(
      200,
      JSON.stringify([
        {
          id: 'abc',
          title: 'app.js',
          url: 'file:///app.js',
          webSocketDebuggerUrl: `ws://127.0.0.1:1234/abc`,
          type: 'node',
        },
      ]),
    );
    assert.deepEqual(await readInspectorList('127.0.0.1', port, 1), [
      { id: 'abc', title: 'app.js', url: 'file:///app.js', webSocketDebuggerUrl: 'ws://127.0.0.1:1234/abc' },
    ]);
  });

  it('says null when nothing listens', async () => {
    const port = await serve(200, '[]');
    servers.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await readInspectorList('127.0.0.1', port, 1), null);
  });

  it('calls the port busy when something else answers', async () => {
    const html = await serve(200, '<html>hello</html>');
    await assert.rejects(readInspectorList('127.0.0.1', html, 7), isCode('ERR_INSPECTOR_PORT_BUSY'));
    const missing = await serve(404, 'not found');
    await assert.rejects(
      readInspectorList('127.0.0.1', missing, 7),
      (error: unknown) =>
        isCode('ERR_INSPECTOR_PORT_BUSY')(error) && /HTTP 404/.test((error as Error).message),
    );
    const object = await serve(200, '{"hello":1}');
    await assert.rejects(readInspectorList('127.0.0.1', object, 7), isCode('ERR_INSPECTOR_PORT_BUSY'));
  });

  it('never asks a host that is not loopback', async () => {
    await assert.rejects(readInspectorList('192.0.2.1', 9229, 7), isCode('ERR_INSPECTOR_NOT_LOOPBACK'));
    await assert.rejects(readInspectorList('0.0.0.0', 9229, 7), isCode('ERR_INSPECTOR_NOT_LOOPBACK'));
  });
});

describe('checkedWebSocketUrl', () => {
  const target = (webSocketDebuggerUrl: string) => ({ id: 'x', title: '', url: '', webSocketDebuggerUrl });

  it('accepts ws:// on loopback at the port asked', () => {
    assert.equal(checkedWebSocketUrl(target('ws://127.0.0.1:9229/abc'), 9229, 1), 'ws://127.0.0.1:9229/abc');
    assert.equal(checkedWebSocketUrl(target('ws://[::1]:9230/abc'), 9230, 1), 'ws://[::1]:9230/abc');
  });

  it('refuses other hosts, ports and schemes', () => {
    for (const url of [
      'ws://10.0.0.5:9229/abc',
      'ws://127.0.0.1:9999/abc',
      'wss://127.0.0.1:9229/abc',
      'ws://evil.example:9229/',
    ]) {
      assert.throws(
        () => checkedWebSocketUrl(target(url), 9229, 1),
        isCode('ERR_INSPECTOR_NOT_LOOPBACK'),
        url,
      );
    }
    assert.throws(
      () => checkedWebSocketUrl(target('not a url'), 9229, 1),
      isCode('ERR_INSPECTOR_UNREACHABLE'),
    );
  });
});
