/**
 * The breakout-rooms stand-in (prosody-plugins/mod_jitsi_elements_breakout_rooms.lua, protocol.md 13.3) and the
 * focus stand-in's side of it, spoken to as raw XMPP over websockets with `?room=` (what the jitsi-meet app
 * sends), so that a shortcut in the stand-in cannot hide behind the engine.
 */
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from '../backend/xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startBackend, type Backend } from '../backend/launcher.js';
import { waitUntil } from './jvb-clients.js';

// xmpp.js opens websockets with the global WebSocket, which Node 20 lacks.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const NS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  disco: 'http://jabber.org/protocol/disco#info',
  focus: 'http://jitsi.org/protocol/focus',
  jitmeet: 'http://jitsi.org/jitmeet',
  data: 'jabber:x:data',
} as const;

interface BreakoutJson {
  type: string;
  event: string;
  roomCounter?: number;
  roomJid?: string;
  rooms?: Record<string, { id: string; jid: string; name?: string; isMainRoom?: boolean; participants: Record<string, { jid: string; role: string; displayName?: string }> }>;
}

class Client {
  readonly xmpp: XmppEntity;
  readonly json: { from: string; payload: BreakoutJson; at: number }[] = [];
  readonly presences: XmlElement[] = [];
  /** Room subjects received: [room, subject]. */
  readonly subjects: [string, string][] = [];
  jid = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly backend: Backend,
    readonly nick: string,
    sessionRoom: string | undefined,
  ) {
    const url = new URL(backend.endpoints.websocketUrl);
    if (sessionRoom) url.searchParams.set('room', sessionRoom);
    this.xmpp = xmppClient({ service: url.href, domain: backend.endpoints.domain });
    this.xmpp.reconnect.stop();
    this.xmpp.on('error', () => undefined);
    this.xmpp.on('stanza', (stanza) => {
      if (stanza.name === 'presence') this.presences.push(stanza);
      const text = stanza.name === 'message' ? stanza.getChildText('json-message', NS.jitmeet) : null;
      const subject = stanza.name === 'message' ? stanza.getChild('subject') : undefined;
      if (subject) this.subjects.push([(stanza.attrs.from ?? '').split('/')[0] ?? '', subject.text()]);
      if (text) this.json.push({ from: stanza.attrs.from ?? '', payload: JSON.parse(text) as BreakoutJson, at: Date.now() });
      for (const wake of [...this.waiters]) wake();
    });
  }

  get breakoutAddress(): string {
    return `breakout.${this.backend.endpoints.domain}`;
  }

  async start(): Promise<void> {
    this.jid = String(await this.xmpp.start());
  }

  until<T>(what: string, condition: () => T | undefined | false, timeoutMs = 8_000): Promise<T> {
    return waitUntil(this.waiters, `${this.nick}: ${what}`, condition, timeoutMs);
  }

  /** Conference request, then the MUC join (protocol.md 3.1, 4.2); resolves on our own presence. */
  async join(roomJid: string): Promise<XmlElement> {
    await this.xmpp.iqCaller.request(
      xml('iq', { type: 'set', to: this.backend.endpoints.focusAddress }, xml('conference', { xmlns: NS.focus, room: roomJid, 'machine-uid': this.nick.padEnd(32, '0') })),
      10_000,
    );
    const seen = this.presences.length;
    await this.xmpp.send(xml('presence', { to: `${roomJid}/${this.nick}` }, xml('x', { xmlns: NS.muc }), xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, this.nick)));
    return this.until('own presence', () => this.presences.slice(seen).find((p) => p.attrs.from === `${roomJid}/${this.nick}`));
  }

  async leave(roomJid: string, status?: string): Promise<void> {
    const seen = this.presences.length;
    await this.xmpp.send(xml('presence', { to: `${roomJid}/${this.nick}`, type: 'unavailable' }, ...(status ? [xml('status', {}, status)] : [])));
    await this.until('own leave', () => this.presences.slice(seen).find((p) => p.attrs.from === `${roomJid}/${this.nick}` && p.attrs.type === 'unavailable'));
  }

  /** Waits until our role in `roomJid` is `role` (the focus grants owner a moment after the join). */
  role(roomJid: string, role: string): Promise<XmlElement> {
    return this.until(`role ${role}`, () =>
      this.presences.find((p) => p.attrs.from === `${roomJid}/${this.nick}` && p.getChild('x', NS.mucUser)?.getChild('item')?.attrs.role === role),
    );
  }

  command(attrs: Record<string, string>): Promise<void> {
    return this.xmpp.send(xml('message', { to: this.breakoutAddress }, xml('breakout_rooms', attrs)));
  }

  updates(since = 0): BreakoutJson[] {
    return this.json.slice(since).map((j) => j.payload).filter((p) => p.type === 'breakout_rooms' && p.event === 'features/breakout-rooms/update');
  }

  nextUpdate(since: number, accept: (update: BreakoutJson) => boolean): Promise<BreakoutJson> {
    return this.until('a breakout update', () => this.updates(since).find(accept));
  }

  async stop(): Promise<void> {
    await this.xmpp.stop().catch(() => undefined);
  }
}

const breakoutRooms = (update: BreakoutJson) => Object.values(update.rooms ?? {}).filter((room) => !room.isMainRoom);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('breakout rooms stand-in', () => {
  let backend: Backend;
  const clients: Client[] = [];
  const client = async (nick: string, sessionRoom: string | undefined): Promise<Client> => {
    const c = new Client(backend, nick, sessionRoom);
    clients.push(c);
    await c.start();
    return c;
  };

  before(async () => {
    backend = await startBackend({ focusLog: false, jvb: false });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await backend.stop();
  });

  it('announces the component and its rename feature for ?room= sessions only', async () => {
    const alice = await client('alice', 'disco');
    const bob = await client('bob', undefined);
    const domain = backend.endpoints.domain;
    const info = await alice.xmpp.iqCaller.request(xml('iq', { type: 'get', to: domain }, xml('query', { xmlns: NS.disco })));
    const identity = info.getChild('query', NS.disco)?.getChildren('identity').find((i) => i.attrs.type === 'breakout_rooms');
    assert.equal(identity?.attrs.name, `breakout.${domain}`);
    const features = async (c: Client): Promise<string[]> => {
      const result = await c.xmpp.iqCaller.request(xml('iq', { type: 'get', to: `breakout.${domain}` }, xml('query', { xmlns: NS.disco, node: 'breakout_rooms' })));
      return (result.getChild('query', NS.disco)?.getChildren('feature') ?? []).map((f) => f.attrs.var ?? '');
    };
    assert.deepEqual(await features(alice), ['http://jitsi.org/protocol/breakout_rooms#rename']);
    assert.deepEqual(await features(bob), []);
  });

  it('creates, renames, relays moves and removes; refuses non-moderators and sessions without ?room=', async () => {
    const room = 'lifecycle';
    const mainJid = `${room}@${backend.endpoints.mucDomain}`;
    const alice = await client('alice', room);
    const bob = await client('bob', room);
    const stranger = await client('carol', undefined);
    await alice.join(mainJid);
    await alice.role(mainJid, 'moderator');
    await bob.join(mainJid);
    await stranger.join(mainJid);

    // Non-moderator and no-?room= commands are ignored: no update at all.
    let mark = alice.json.length;
    await bob.command({ type: 'features/breakout-rooms/add', subject: 'by bob' });
    await stranger.command({ type: 'features/breakout-rooms/add', subject: 'by carol' });
    await sleep(800);
    assert.deepEqual(alice.updates(mark), [], 'nothing created by a participant or a session without ?room=');

    // add -> one update to everyone, with the new room and the main room's occupants.
    mark = alice.json.length;
    const bobMark = bob.json.length;
    await alice.command({ type: 'features/breakout-rooms/add', subject: 'Room 1' });
    const update = await alice.nextUpdate(mark, (u) => breakoutRooms(u).length === 1);
    assert.equal(update.roomCounter, 1);
    const [created] = breakoutRooms(update);
    assert.ok(created);
    assert.equal(created.name, 'Room 1');
    assert.match(created.jid, new RegExp(`^[0-9a-f-]{36}@breakout\\.${backend.endpoints.domain.replace('.', '\\.')}$`));
    assert.deepEqual(created.participants, {});
    const main = update.rooms?.[room];
    assert.equal(main?.isMainRoom, true);
    assert.equal(main?.jid, mainJid);
    assert.deepEqual(Object.keys(main?.participants ?? {}).sort(), [`${mainJid}/alice`, `${mainJid}/bob`, `${mainJid}/carol`]);
    assert.equal(main?.participants[`${mainJid}/alice`]?.jid, alice.jid);
    assert.equal(main?.participants[`${mainJid}/alice`]?.role, 'moderator');
    assert.equal(main?.participants[`${mainJid}/bob`]?.displayName, 'bob');
    await bob.nextUpdate(bobMark, (u) => breakoutRooms(u).length === 1);
    const fromAddress = alice.json.find((j) => j.payload === update)?.from;
    assert.equal(fromAddress, `breakout.${backend.endpoints.domain}`);

    // rename
    mark = alice.json.length;
    await alice.command({ type: 'features/breakout-rooms/rename', breakoutRoomJid: created.jid, subject: 'Renamed' });
    await alice.nextUpdate(mark, (u) => breakoutRooms(u)[0]?.name === 'Renamed');

    // move-to-room: relayed to the participant only; an unknown target is refused.
    const bobJson = bob.json.length;
    await alice.command({ type: 'features/breakout-rooms/move-to-room', participantJid: bob.jid, roomJid: `nope@breakout.${backend.endpoints.domain}` });
    await alice.command({ type: 'features/breakout-rooms/move-to-room', participantJid: bob.jid, roomJid: created.jid });
    const move = await bob.until('move-to-room', () => bob.json.slice(bobJson).find((j) => j.payload.event === 'features/breakout-rooms/move-to-room'));
    assert.deepEqual(move.payload, { type: 'breakout_rooms', event: 'features/breakout-rooms/move-to-room', roomJid: created.jid });
    await sleep(300);
    assert.equal(bob.json.slice(bobJson).filter((j) => j.payload.event === 'features/breakout-rooms/move-to-room').length, 1, 'the unknown room was refused');
    assert.ok(!alice.json.some((j) => j.payload.event === 'features/breakout-rooms/move-to-room'), 'the move goes to the participant only');

    // Bob switches: leave with switch_room, conference request for the breakout room, join.
    await bob.leave(mainJid, 'switch_room');
    mark = alice.json.length;
    const self = await bob.join(created.jid);
    await bob.until('the room name as subject', () => bob.subjects.find(([r, text]) => r === created.jid && text === 'Renamed'));
    assert.equal(self.getChild('x', NS.mucUser)?.getChild('item')?.attrs.role, 'participant', 'no auto-owner in a breakout room');
    const moved = await alice.nextUpdate(mark, (u) => Object.keys(breakoutRooms(u)[0]?.participants ?? {}).includes(`${created.jid}/bob`));
    assert.ok(!Object.keys(moved.rooms?.[room]?.participants ?? {}).includes(`${mainJid}/bob`));

    // The breakout room's disco#info names its main room.
    const info = await bob.xmpp.iqCaller.request(xml('iq', { type: 'get', to: created.jid }, xml('query', { xmlns: NS.disco })));
    const fields = new Map(
      (info.getChild('query', NS.disco)?.getChild('x', NS.data)?.getChildren('field') ?? []).map((f) => [f.attrs.var ?? '', f.getChildText('value') ?? '']),
    );
    assert.equal(fields.get('muc#roominfo_isbreakout'), '1');
    assert.equal(fields.get('muc#roominfo_breakout_main_room'), mainJid);

    // A moderator of the main room is one in the breakout room too.
    await alice.leave(mainJid, 'switch_room');
    const aliceSelf = await alice.join(created.jid);
    assert.equal(aliceSelf.getChild('x', NS.mucUser)?.getChild('item')?.attrs.role, 'moderator');
    // … and can still command from there (the session's ?room= names the main room).
    mark = alice.json.length;
    await alice.command({ type: 'features/breakout-rooms/add', subject: 'Room 2' });
    const two = await alice.nextUpdate(mark, (u) => breakoutRooms(u).length === 2);
    assert.equal(two.roomCounter, 2);

    // remove: the room is destroyed with the main room as the alternate.
    const seen = bob.presences.length;
    await alice.command({ type: 'features/breakout-rooms/remove', breakoutRoomJid: created.jid });
    const destroyed = await bob.until('destroy', () =>
      bob.presences.slice(seen).find((p) => p.attrs.from === `${created.jid}/bob` && p.attrs.type === 'unavailable'),
    );
    const destroy = destroyed.getChild('x', NS.mucUser)?.getChild('destroy');
    assert.equal(destroy?.attrs.jid, mainJid);
    assert.equal(destroy?.getChildText('reason'), 'Breakout room removed.');
  });

  it('destroys the main room and its breakout rooms 5 s after everyone left, not while someone is in a breakout room', async () => {
    const room = 'closing';
    const mainJid = `${room}@${backend.endpoints.mucDomain}`;
    const erin = await client('erin', room);
    const frank = await client('frank', room);
    await erin.join(mainJid);
    await erin.role(mainJid, 'moderator');
    await frank.join(mainJid);
    const mark = erin.json.length;
    await erin.command({ type: 'features/breakout-rooms/add', subject: 'Room 1' });
    const [created] = breakoutRooms(await erin.nextUpdate(mark, (u) => breakoutRooms(u).length === 1));
    assert.ok(created);
    // Frank goes to the breakout room, Erin leaves: the main room (persistent now) stays while Frank is there.
    await frank.leave(mainJid, 'switch_room');
    await frank.join(created.jid);
    await erin.leave(mainJid);
    await sleep(6_000);
    const probe = async (jid: string): Promise<boolean> =>
      erin.xmpp.iqCaller.request(xml('iq', { type: 'get', to: jid }, xml('query', { xmlns: NS.disco }))).then(
        () => true,
        () => false,
      );
    assert.equal(await probe(mainJid), true, 'the main room lives while its breakout room is occupied');
    // Frank leaves too: 5 s later both rooms are gone.
    await frank.leave(created.jid);
    await sleep(1_000);
    assert.equal(await probe(mainJid), true, 'not at once');
    await sleep(5_500);
    assert.equal(await probe(mainJid), false, 'the main room is destroyed');
    assert.equal(await probe(created.jid), false, 'its breakout room too');
  });

  it('destroys a breakout room nobody registered', async () => {
    const alice = await client('dave', 'invalid');
    const bogus = `00000000-0000-0000-0000-000000000000@breakout.${backend.endpoints.domain}`;
    const seen = alice.presences.length;
    await alice.xmpp.send(xml('presence', { to: `${bogus}/dave` }, xml('x', { xmlns: NS.muc })));
    await sleep(800);
    assert.ok(!alice.presences.slice(seen).some((p) => p.attrs.from === `${bogus}/dave` && p.attrs.type !== 'error'), 'no join in an unregistered room');
  });
});
