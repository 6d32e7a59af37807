/**
 * The fault-injecting relay (test/backend/relay.ts) in front of a local echo server: it forwards, `cut()`
 * resets open connections and later ones work, `blackhole()` drops bytes without closing anything,
 * `restore()` forwards new connections again, and `stop()` leaves nothing listening.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultRelay } from '../backend/relay.js';

interface EchoServer {
  server: Server;
  port: number;
  /** Sockets the echo server has accepted and not yet seen close. */
  open: Set<Socket>;
  /** Every byte the echo server received, in order. */
  received: () => string;
}

async function startEcho(): Promise<EchoServer> {
  const open = new Set<Socket>();
  let received = '';
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('close', () => open.delete(socket));
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return { server, port, open, received: () => received };
}

interface Client {
  socket: Socket;
  data: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
}

async function connectClient(port: number): Promise<Client> {
  const socket = createConnection({ host: '127.0.0.1', port });
  let data = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => undefined);
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, data: () => data, closed: closedPromise, isClosed: () => closed };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function echoes(client: Client, text: string): Promise<void> {
  const before = client.data().length;
  client.socket.write(text);
  await until(`echo of ${text}`, () => client.data().slice(before).includes(text));
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('FaultRelay', () => {
  let echo: EchoServer;
  let relay: FaultRelay;
  const clients: Client[] = [];
  const client = async (): Promise<Client> => {
    const c = await connectClient(relay.port);
    clients.push(c);
    return c;
  };

  before(async () => {
    echo = await startEcho();
  });
  after(async () => {
    for (const socket of echo.open) socket.destroy();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await relay.stop();
  });

  it('refuses a non-loopback target', async () => {
    relay = await FaultRelay.start(echo.port);
    await assert.rejects(FaultRelay.start(echo.port, '10.0.0.1'), /loopback only/);
  });

  it('forwards bytes both ways and counts connections', async () => {
    relay = await FaultRelay.start(echo.port);
    assert.notEqual(relay.port, echo.port);
    const a = await client();
    const b = await client();
    await echoes(a, 'hello from a');
    await echoes(b, 'hello from b');
    assert.ok(echo.received().includes('hello from a') && echo.received().includes('hello from b'));
    const stats = relay.stats();
    assert.equal(stats.accepted, 2);
    assert.equal(stats.open, 2);
    assert.equal(stats.blackholing, false);
    // An orderly close from the client is passed on, and the pair is forgotten.
    a.socket.end();
    await a.closed;
    await until('one open connection', () => relay.stats().open === 1);
  });

  it('cut() resets every open connection on both ends, and later connections work', async () => {
    relay = await FaultRelay.start(echo.port);
    const a = await client();
    const b = await client();
    await echoes(a, 'ping a');
    await echoes(b, 'ping b');
    await until('echo server sees both', () => echo.open.size >= 2);
    const serverSide = new Set(echo.open);

    assert.equal(relay.cut(), 2);
    await Promise.all([a.closed, b.closed]);
    await until('server-side sockets closed', () => [...serverSide].every((socket) => !echo.open.has(socket)));
    assert.equal(relay.stats().open, 0);
    assert.equal(relay.stats().cut, 2);

    const c = await client();
    await echoes(c, 'after the cut');
    assert.deepEqual(relay.stats(), {
      open: 1,
      accepted: 3,
      blackholed: 0,
      cut: 2,
      blackholing: false,
    });
  });

  it('blackhole() drops bytes both ways without closing, restore() forwards new connections again', async () => {
    relay = await FaultRelay.start(echo.port);
    const old = await client();
    await echoes(old, 'before');
    const receivedBefore = echo.received().length;

    relay.blackhole();
    old.socket.write('lost on an existing connection');
    const fresh = await client();
    fresh.socket.write('lost on a new connection');
    // Also nothing travels towards the client: bytes the echo server writes on the old pair vanish.
    for (const socket of echo.open) socket.write('server talks into the void');
    await sleep(300);
    assert.equal(echo.received().length, receivedBefore, 'the server received nothing');
    assert.equal(old.data(), 'before', 'the old client received nothing more');
    assert.equal(fresh.data(), '', 'the new client received nothing');
    assert.equal(old.isClosed(), false, 'the old connection stays open');
    assert.equal(fresh.isClosed(), false, 'the new connection stays open');
    assert.equal(old.socket.readyState, 'open');
    let stats = relay.stats();
    assert.equal(stats.blackholing, true);
    assert.equal(stats.open, 2);
    assert.equal(stats.blackholed, 2);

    relay.restore();
    const later = await client();
    await echoes(later, 'after restore');
    // Black-holed connections stay black-holed (documented choice): still open, still silent.
    old.socket.write('still lost');
    await sleep(200);
    assert.equal(old.data(), 'before');
    assert.equal(old.isClosed(), false);
    assert.ok(!echo.received().includes('still lost'));
    stats = relay.stats();
    assert.equal(stats.blackholing, false);
    assert.equal(stats.open, 3);
    assert.equal(stats.blackholed, 2);

    // cut() also clears black-holed connections.
    assert.equal(relay.cut(), 3);
    await Promise.all([old.closed, fresh.closed, later.closed]);
  });

  it('stop() closes every connection and leaves nothing listening', async () => {
    relay = await FaultRelay.start(echo.port);
    const a = await client();
    await echoes(a, 'x');
    const port = relay.port;
    await relay.stop();
    await a.closed;
    assert.equal(await refused(port), true, 'the relay port is closed');
    assert.equal(relay.stats().open, 0);
    await until('echo server side closed', () => echo.open.size === 0);
    // stop() is idempotent (afterEach calls it again).
  });
});
