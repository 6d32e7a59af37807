/**
 * The room-metadata component stand-in (prosody-plugins/mod_jitsi_elements_room_metadata.lua, protocol.md
 * 13.8) against a real Prosody, with XMPP-only clients: the push before the self-presence with the TURN
 * services and their credentials, moderator-only updates, the silent refusals and the legacy startmuted shim.
 */
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import { startBackend, type Backend } from '../backend/launcher.js';
import { FeatureClient, FNS, sleep, unique } from './extras-clients.js';

/** The secret of test/backend/prosody.ts' external_services. */

describe('room-metadata component stand-in', { timeout: 60_000 }, () => {
  let backend: Backend;
  const clients: FeatureClient[] = [];
  let metadataAddress = '';

  before(async () => {
    backend = await startBackend({ focusLog: false, jvb: false });
    metadataAddress = `metadata.${backend.endpoints.domain}`;
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await backend?.stop();
  });

  const client = (room: string, nick: string): FeatureClient => {
    const c = new FeatureClient(backend, room, nick);
    clients.push(c);
    return c;
  };

  const setMetadata = (c: FeatureClient, body: unknown, roomJid = c.roomJid): Promise<void> =>
    c.xmpp.send(xml('message', { to: metadataAddress }, xml('room_metadata', { xmlns: FNS.jitmeet, room: roomJid }, JSON.stringify(body))));

  const metadata = (c: FeatureClient): Record<string, unknown>[] =>
    c.jsonFrom(metadataAddress).filter((j) => j.type === 'room_metadata').map((j) => j.metadata as Record<string, unknown>);

  it('pushes the metadata with the TURN services before the self-presence, credentials as mod_external_services computes them', async () => {
    const a = client(unique('meta'), 'aaaa0001');
    await a.join();
    const pushIndex = a.stanzas.findIndex((s) => s.name === 'message' && s.attrs.from === metadataAddress);
    assert.ok(pushIndex >= 0, 'a metadata push');
    assert.ok(pushIndex < a.selfPresenceIndex(), 'the push comes before the self-presence');
    const push = a.stanzas[pushIndex];
    assert.equal(push?.attrs.to, a.jid);
    assert.equal(push?.getChild('json-message', FNS.jitmeet)?.attrs.room, a.roomJid);
    const services = (metadata(a)[0]?.services ?? []) as { type: string; host: string; port: number; transport: string; username?: string; password?: string; expires?: number }[];
    assert.deepEqual(
      services.map((s) => `${s.type}:${s.host}:${s.port}/${s.transport}`),
      ['stun:127.0.0.1:3478/udp', 'turn:127.0.0.1:3478/udp', 'turn:127.0.0.1:3478/tcp', 'turns:127.0.0.1:5349/tcp'],
    );
    const now = Date.now() / 1000;
    for (const turn of services.filter((s) => s.type !== 'stun')) {
      assert.match(turn.username ?? '', /^\d+$/, 'username = expiry (seconds)');
      const expiry = Number(turn.username);
      assert.ok(expiry > now + 86_000 && expiry < now + 86_800, 'ttl 86400 s');
      assert.equal(turn.expires, expiry);
      assert.equal(turn.password, createHmac('sha1', backend.turnSecret).update(turn.username ?? '').digest('base64'));
    }
  });

  it('takes updates from a moderator only, refuses blocked keys and null data silently, and broadcasts only changes', async () => {
    const room = unique('meta');
    const a = client(room, 'aaaa0001');
    const b = client(room, 'bbbb0002');
    await a.join();
    await a.until('moderator', () => a.role() === 'moderator');
    await b.join();
    assert.equal(b.role(), 'participant');

    await setMetadata(b, { key: 'fromParticipant', data: { x: 1 }, type: 'room_metadata' });
    await setMetadata(a, { key: 'services', data: [], type: 'room_metadata' });
    await setMetadata(a, { key: 'nothing', data: null, type: 'room_metadata' });
    await setMetadata(a, { data: { y: 1 }, type: 'room_metadata' });
    await setMetadata(a, { key: 'recording', data: { isTranscribingEnabled: true }, type: 'room_metadata' });
    const expected = { recording: { isTranscribingEnabled: true } };
    await a.until('the update', () => metadata(a).length === 2);
    await b.until('the update', () => metadata(b).length === 2);
    assert.deepEqual(metadata(a)[1], expected, 'the refused ones changed nothing, the update is the full map');
    assert.deepEqual(metadata(b)[1], expected);

    // The same value again is no change; a later one is broadcast again.
    await setMetadata(a, { key: 'recording', data: { isTranscribingEnabled: true }, type: 'room_metadata' });
    await setMetadata(a, { key: 'other', data: 'value', type: 'room_metadata' });
    await b.until('the second update', () => metadata(b).length === 3);
    await sleep(300);
    assert.equal(metadata(b).length, 3);
    assert.deepEqual(metadata(b)[2], { ...expected, other: 'value' });

    // A joiner gets the map (with services) before its self-presence.
    const c = client(room, 'cccc0003');
    await c.join();
    const first = metadata(c)[0] ?? {};
    assert.deepEqual({ ...first, services: undefined }, { ...expected, other: 'value', services: undefined });
    assert.ok(Array.isArray(first.services));
    // Another room's metadata is not touched by a moderator of this one.
    const elsewhere = client(unique('meta'), 'dddd0004');
    await elsewhere.join();
    await setMetadata(a, { key: 'intrusion', data: 1, type: 'room_metadata' }, elsewhere.roomJid);
    await sleep(300);
    assert.equal(metadata(elsewhere).length, 1);
  });

  it("copies a moderator's legacy startmuted presence into startMuted, not a participant's", async () => {
    const room = unique('meta');
    const a = client(room, 'aaaa0001');
    const b = client(room, 'bbbb0002');
    await a.join();
    await a.until('moderator', () => a.role() === 'moderator');
    await b.join();
    const startMuted = (audio: boolean, video: boolean) =>
      xml('startmuted', { xmlns: 'http://jitsi.org/jitmeet/start-muted', audio: String(audio), video: String(video) });
    await b.xmpp.send(xml('presence', { to: b.occupantJid }, startMuted(true, true)));
    await sleep(300);
    assert.equal(metadata(a).length, 1, 'nothing from a participant');
    await a.xmpp.send(xml('presence', { to: a.occupantJid }, startMuted(true, false)));
    await b.until('startMuted', () => metadata(b)[1]);
    assert.deepEqual(metadata(b)[1], { startMuted: { audio: true, video: false } });
  });
});
