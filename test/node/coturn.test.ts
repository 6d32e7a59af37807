/**
 * The backend's coturn (test/backend/coturn.ts) on its own, spoken to with hand-made STUN/TURN messages
 * (RFC 5389/5766): it answers STUN, refuses an Allocate without credentials (401 with its realm), accepts one
 * with time-limited credentials made from the shared secret as Prosody's mod_external_services makes them,
 * refuses expired ones, relays from its relay port range, and serves TLS on 5349 with the key it reports.
 * Runs in the tests' private network namespace (3478/5349 on 127.0.0.1).
 */
import type { X509Certificate } from 'node:crypto';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderProsodyConfig } from '../backend/prosody.js';
import { startCoturn, TURN_PORT, TURN_RELAY_PORTS, TURNS_PORT, type RunningCoturn } from '../backend/coturn.js';

const COOKIE = 0x2112a442;
const REALM = 'meet.jitsi';
const SECRET = randomBytes(12).toString('hex');

interface Attribute { type: number; value: Buffer }

function message(type: number, attributes: Attribute[], key?: Buffer): Buffer {
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const body = Buffer.concat(attributes.map((a) => {
    const header = Buffer.alloc(4);
    header.writeUInt16BE(a.type, 0);
    header.writeUInt16BE(a.value.length, 2);
    return Buffer.concat([header, pad(a.value)]);
  }));
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(COOKIE, 4);
  randomBytes(12).copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY: HMAC-SHA1 over the message with the length already counting the attribute (24 bytes).
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  const integrity = Buffer.alloc(4);
  integrity.writeUInt16BE(0x0008, 0);
  integrity.writeUInt16BE(20, 2);
  return Buffer.concat([header, body, integrity, mac]);
}

function parse(packet: Buffer): { type: number; attributes: Map<number, Buffer> } {
  const attributes = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= packet.length;) {
    const type = packet.readUInt16BE(offset);
    const length = packet.readUInt16BE(offset + 2);
    attributes.set(type, packet.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: packet.readUInt16BE(0), attributes };
}

/** A request and its answer; `socket` keeps the 5-tuple (coturn's nonces belong to one), else a new one. */
async function exchange(request: Buffer, socket?: Socket): Promise<ReturnType<typeof parse>> {
  const own = socket ?? createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from coturn')), 3000);
      own.once('message', (packet) => {
        clearTimeout(timer);
        resolve(parse(packet));
      });
      own.send(request, TURN_PORT, '127.0.0.1');
    });
  } finally {
    if (!socket) own.close();
  }
}

const udpTransport: Attribute = { type: 0x0019, value: Buffer.from([17, 0, 0, 0]) };
const text = (value: Buffer | undefined): string => value?.toString('utf8') ?? '';

/** Prosody's mod_external_services with `secret = true`: username = expiry (unix seconds), password = base64 HMAC-SHA1. */
function credentials(expiresAt: number): { username: string; password: string } {
  const username = String(expiresAt);
  return { username, password: createHmac('sha1', SECRET).update(username).digest('base64') };
}

/** Allocate with the long-term credential mechanism (RFC 5389 10.2): 401 first for realm and nonce. */
async function allocate(username: string, password: string): Promise<ReturnType<typeof parse>> {
  const socket = createSocket('udp4');
  try {
    const challenge = await exchange(message(0x0003, [udpTransport]), socket);
    const nonce = challenge.attributes.get(0x0015);
    assert.ok(nonce, 'a nonce in the 401');
    const key = createHash('md5').update(`${username}:${REALM}:${password}`).digest();
    const attributes = [udpTransport, { type: 0x0006, value: Buffer.from(username) }, { type: 0x0014, value: Buffer.from(REALM) }, { type: 0x0015, value: nonce }];
    return await exchange(message(0x0003, attributes, key), socket);
  } finally {
    socket.close();
  }
}

const errorCode = (answer: ReturnType<typeof parse>): number => {
  const value = answer.attributes.get(0x0009);
  return value ? (value[2] ?? 0) * 100 + (value[3] ?? 0) : 0;
};

describe('coturn (backend)', () => {
  let runDir = '';
  let coturn: RunningCoturn | undefined;

  before(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'jitsi-elements-coturn-'));
    coturn = await startCoturn({ runDir, realm: REALM, secret: SECRET });
  });
  after(async () => {
    await coturn?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('shares its secret with Prosody, which announces TURN over UDP, TCP and TLS', () => {
    const config = renderProsodyConfig({ runDir, domain: REALM, ports: { c2s: 1, component: 2, http: 3 }, componentSecret: 'c', accounts: [], turnSecret: SECRET, turnTtlSeconds: 600 });
    assert.match(config, new RegExp(`external_service_secret = "${SECRET}"`));
    assert.equal(config.match(/secret = true, ttl = 600/g)?.length, 3);
    assert.match(config, /type = "turn", host = "127.0.0.1", port = 3478, transport = "tcp"/);
    assert.match(config, /type = "turns", host = "127.0.0.1", port = 5349, transport = "tcp"/);
  });

  it('answers a STUN binding request', async () => {
    const answer = await exchange(message(0x0001, []));
    assert.equal(answer.type, 0x0101);
  });

  it('refuses an Allocate without credentials with 401 and its realm', async () => {
    const answer = await exchange(message(0x0003, [udpTransport]));
    assert.equal(answer.type, 0x0113);
    assert.equal(errorCode(answer), 401);
    assert.equal(text(answer.attributes.get(0x0014)), REALM);
  });

  it('allocates a relay port in its range with valid time-limited credentials; refuses expired and wrong ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = credentials(now + 600);
    const ok = await allocate(valid.username, valid.password);
    assert.equal(ok.type, 0x0103, `Allocate success, got error ${errorCode(ok)}`);
    const relayed = ok.attributes.get(0x0016);
    assert.ok(relayed);
    const port = relayed.readUInt16BE(2) ^ (COOKIE >>> 16);
    assert.ok(port >= TURN_RELAY_PORTS.min && port <= TURN_RELAY_PORTS.max, `relay port ${port}`);

    const expired = credentials(now - 60);
    const late = await allocate(expired.username, expired.password);
    assert.equal(late.type, 0x0113);
    assert.equal(errorCode(late), 401);

    const wrong = await allocate(valid.username, 'not-the-password');
    assert.equal(wrong.type, 0x0113);
    assert.equal(errorCode(wrong), 401);
  });

  it('serves TLS on 5349 with the key whose hash it reports', async () => {
    const certificate = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: TURNS_PORT, rejectUnauthorized: false }, () => {
        const peer = socket.getPeerX509Certificate();
        socket.destroy();
        if (peer) resolve(peer);
        else reject(new Error('no certificate'));
      });
      socket.once('error', reject);
    });
    const spki = createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    assert.equal(spki, coturn?.certSpki);
    assert.match(certificate.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  });
});
