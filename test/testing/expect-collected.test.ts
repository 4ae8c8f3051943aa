/**
 * expectCollected / trackForCollection on real objects (node:test, in this process): dropped objects
 * and a closed HTTP server are collected; an object kept in a registry and a server kept by a process
 * listener are not, and the error says what holds them.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { isInspectorSessionOpen } from '../../src/agent/inspector-session.ts';
import { InvalidOptionError } from '../../src/errors.ts';
import { expectCollected, LeakAssertionError, trackForCollection } from '../../src/testing/index.ts';

class Session {
  readonly id: number;
  readonly scopes = ['read', 'write'];
  constructor(id: number) {
    this.id = id;
  }
}

const registry: Session[] = [];

async function listeningServer(): Promise<Server> {
  const server = createServer((_, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function rejection(promise: Promise<unknown>): Promise<LeakAssertionError> {
  const error = await promise.then(
    () => assert.fail('expectCollected resolved'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof LeakAssertionError, String(error));
  assert.equal(error.code, 'ERR_NOT_COLLECTED');
  return error;
}

test('passes: an object nothing holds any more', async () => {
  let session: Session | undefined = new Session(1);
  const tracked = trackForCollection(session);
  assert.equal(tracked.name, 'Session', 'named after its class by default');
  session = undefined;
  await expectCollected(tracked);
  assert.equal(isInspectorSessionOpen(), false);
});

test('fails: an object kept in a registry — the error carries the path through the registry', async () => {
  let session: Session | undefined = new Session(2);
  const tracked = trackForCollection(session, 'registered session');
  registry.push(session);
  session = undefined;
  const error = await rejection(expectCollected(tracked, { timeout: 100 }));
  assert.match(error.message, /registered session is still reachable/);
  const path = error.retainerPath ?? [];
  assert.equal(path.at(-1)?.node, 'Session');
  assert.ok(
    path.some((step) => step.edge === 'registry'),
    JSON.stringify(path),
  );
  assert.match(error.message, /\.registry → Array\[0\] → Session @\d+/);
  registry.length = 0;
});

test('passes: a closed HTTP server', async () => {
  let server: Server | undefined = await listeningServer();
  const tracked = trackForCollection(server, 'server');
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  await expectCollected(tracked);
});

test('fails: a closed server still referenced by a process listener — path through the listener', async () => {
  let server: Server | undefined = await listeningServer();
  const tracked = trackForCollection(server, 'server');
  const held = server;
  const onExit = (): void => {
    held.closeAllConnections();
  };
  process.on('exit', onExit);
  try {
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const error = await rejection(expectCollected(tracked, { timeout: 100 }));
    assert.equal(error.retainerPath?.at(-1)?.node, 'Server');
    assert.ok(
      error.retainerPath?.some((step) => step.node === 'onExit'),
      `the path goes through the listener: ${error.message}`,
    );
  } finally {
    process.off('exit', onExit);
  }
});

test('waits for objects released a little later (a close callback, a timer)', async () => {
  const holder: { session?: Session } = { session: new Session(3) };
  const tracked = trackForCollection(holder.session!, 'late session');
  setTimeout(() => delete holder.session, 100);
  await expectCollected(tracked, { timeout: 3000 });
});

test('several handles: only the ones still alive are named; a plain object that nothing holds passes', async () => {
  let dropped: Session | undefined = new Session(4);
  const kept = new Session(5);
  registry.push(kept);
  const handles = [trackForCollection(dropped, 'dropped'), trackForCollection(kept, 'kept')];
  dropped = undefined;
  const error = await rejection(expectCollected(handles, { timeout: 100 }));
  assert.match(error.message, /^expectCollected: kept is still reachable/);
  registry.length = 0;

  await expectCollected(new Session(6));
});

test('bad arguments are InvalidOptionErrors', async () => {
  assert.throws(() => trackForCollection(null as unknown as object), InvalidOptionError);
  assert.throws(() => trackForCollection({}, ''), InvalidOptionError);
  await assert.rejects(expectCollected(42 as unknown as object), InvalidOptionError);
  await assert.rejects(expectCollected({}, { timeout: -1 }), InvalidOptionError);
});
