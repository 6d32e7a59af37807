/**
 * The lobby stand-in (prosody-plugins/mod_jitsi_elements_lobby*.lua) on the wire, with plain XMPP clients:
 * every duty of protocol.md 13.1 (f), so that a shortcut in it cannot hide an engine bug.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from '../backend/xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import { startBackend, type Backend } from '../backend/launcher.js';

const NS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  mucOwner: 'http://jabber.org/protocol/muc#owner',
  mucAdmin: 'http://jabber.org/protocol/muc#admin',
  data: 'jabber:x:data',
  disco: 'http://jabber.org/protocol/disco#info',
  focus: 'http://jitsi.org/protocol/focus',
  jitmeet: 'http://jitsi.org/jitmeet',
  nick: 'http://jabber.org/protocol/nick',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
} as const;

let backend: Backend;
const clients: Client[] = [];
let counter = 0;

class Client {
  readonly xmpp: XmppEntity;
  readonly stanzas: XmlElement[] = [];
  jid = '';

  constructor(readonly nick: string) {
    this.xmpp = xmppClient({ service: `xmpp://127.0.0.1:${backend.endpoints.c2sPort}`, domain: backend.endpoints.domain });
    this.xmpp.reconnect.stop();
    this.xmpp.on('error', () => undefined);
    this.xmpp.on('stanza', (stanza) => this.stanzas.push(stanza));
    clients.push(this);
  }

  async start(): Promise<void> {
    this.jid = String(await this.xmpp.start());
  }

  /** Resolves with the first stanza (already received or to come) that matches. */
  async waitFor(what: string, match: (s: XmlElement) => boolean, timeoutMs = 8_000): Promise<XmlElement> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.stanzas.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${this.nick}: no ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Conference request, then the main-room join presence (protocol.md 3.1, 4.2). */
  async requestAndJoin(room: string, password?: string): Promise<void> {
    await this.xmpp.iqCaller.request(xml('iq', { type: 'set', to: backend.endpoints.focusAddress }, xml('conference', { xmlns: NS.focus, room, 'machine-uid': this.nick.padEnd(32, '0') })), 10_000);
    await this.joinRoom(room, this.nick, password);
  }

  async joinRoom(room: string, nick: string, password?: string, displayName?: string): Promise<void> {
    const x = xml('x', { xmlns: NS.muc }, ...(password ? [xml('password', {}, password)] : []));
    await this.xmpp.send(xml('presence', { to: `${room}/${nick}` }, x, ...(displayName ? [xml('nick', { xmlns: NS.nick }, displayName)] : [])));
  }

  async ownerForm(room: string, fields: Record<string, string>): Promise<XmlElement> {
    const form = xml('x', { xmlns: NS.data, type: 'submit' }, xml('field', { var: 'FORM_TYPE' }, xml('value', {}, 'http://jabber.org/protocol/muc#roomconfig')),
      ...Object.entries(fields).map(([name, value]) => xml('field', { var: name }, xml('value', {}, value))));
    return this.xmpp.iqCaller.request(xml('iq', { type: 'set', to: room }, xml('query', { xmlns: NS.mucOwner }, form)), 10_000);
  }

  selfPresence(roomOrOccupant: string): (s: XmlElement) => boolean {
    return (s) => s.name === 'presence' && s.attrs.type !== 'error' && s.attrs.type !== 'unavailable' && (s.attrs.from ?? '').startsWith(roomOrOccupant)
      && s.getChild('x', NS.mucUser)?.getChildren('status').some((c) => c.attrs.code === '110') === true;
  }
}

const lobbyNotify = (event: string) => (s: XmlElement): boolean => {
  const text = s.name === 'message' ? s.getChildText('json-message', NS.jitmeet) : null;
  if (!text) return false;
  const payload = JSON.parse(text) as { type?: string; event?: string };
  return payload.type === 'lobby-notify' && payload.event === event;
};
const payloadOf = (s: XmlElement): Record<string, unknown> => JSON.parse(s.getChildText('json-message', NS.jitmeet) ?? '{}') as Record<string, unknown>;

/** An owner (the first joiner, made owner by the focus) in a fresh room. */
async function ownedRoom(): Promise<{ room: string; owner: Client }> {
  const room = `lobby-stand-in-${++counter}-${Date.now()}@${backend.endpoints.mucDomain}`;
  const owner = new Client(`owner${counter}`);
  await owner.start();
  await owner.requestAndJoin(room);
  await owner.waitFor('owner affiliation', (s) => s.name === 'presence' && s.attrs.from === `${room}/${owner.nick}` && s.getChild('x', NS.mucUser)?.getChild('item')?.attrs.affiliation === 'owner');
  return { room, owner };
}

async function roomInfo(client: Client, room: string): Promise<{ features: string[]; fields: Map<string, string> }> {
  const result = await client.xmpp.iqCaller.request(xml('iq', { type: 'get', to: room }, xml('query', { xmlns: NS.disco })), 10_000);
  const query = result.getChild('query', NS.disco);
  const features = (query?.getChildren('feature') ?? []).map((f) => f.attrs.var ?? '');
  const fields = new Map<string, string>();
  for (const field of query?.getChild('x', NS.data)?.getChildren('field') ?? []) fields.set(field.attrs.var ?? '', field.getChildText('value') ?? '');
  return { features, fields };
}

before(async () => {
  backend = await startBackend({ focusLog: false, jvb: false });
});

after(async () => {
  await Promise.all(clients.map((c) => c.xmpp.stop().catch(() => undefined)));
  await backend.stop();
});

describe('lobby stand-in (protocol.md 13.1)', () => {
  it('members-only on: 104, the lobby room in disco#info, LOBBY-ENABLED from the owner; a non-owner submit is forbidden', async () => {
    const { room, owner } = await ownedRoom();
    const other = new Client('other1');
    await other.start();
    await other.requestAndJoin(room);
    await other.waitFor('own presence', other.selfPresence(`${room}/${other.nick}`));
    // lib-jitsi-meet makes the present occupants members first (protocol.md 4.11); Prosody would remove others.
    await owner.xmpp.iqCaller.request(xml('iq', { type: 'set', to: room }, xml('query', { xmlns: NS.mucAdmin }, xml('item', { affiliation: 'member', jid: other.jid.split('/')[0] }))), 10_000);
    await assert.rejects(other.ownerForm(room, { 'muc#roomconfig_membersonly': 'true' }), (error: Error & { condition?: string }) => error.condition === 'forbidden');
    assert.ok(!(await roomInfo(owner, room)).features.includes('muc_membersonly'));

    await owner.ownerForm(room, { 'muc#roomconfig_membersonly': 'true' });
    await owner.waitFor('status 104', (s) => s.name === 'message' && s.attrs.from === room && s.getChild('x', NS.mucUser)?.getChildren('status').some((c) => c.attrs.code === '104') === true);
    const notice = await other.waitFor('LOBBY-ENABLED', lobbyNotify('LOBBY-ENABLED'));
    assert.equal(notice.attrs.from, `${room}/${owner.nick}`);
    assert.equal(notice.attrs.type, 'groupchat');
    assert.deepEqual(payloadOf(notice), { type: 'lobby-notify', event: 'LOBBY-ENABLED', value: true });
    const info = await roomInfo(owner, room);
    assert.ok(info.features.includes('muc_membersonly'));
    assert.equal(info.fields.get('muc#roominfo_lobbyroom'), room.replace(`@${backend.endpoints.mucDomain}`, `@lobby.${backend.endpoints.domain}`));
  });

  it('refuses an unaffiliated join with 407 naming the lobby (twice); the password admits', async () => {
    const { room, owner } = await ownedRoom();
    await owner.ownerForm(room, { 'muc#roomconfig_membersonly': 'true', 'muc#roomconfig_roomsecret': 'pw', 'muc#roomconfig_passwordprotectedroom': '1' });
    const lobbyJid = (await roomInfo(owner, room)).fields.get('muc#roominfo_lobbyroom');
    assert.ok(lobbyJid);
    const knocker = new Client('knock2');
    await knocker.start();
    await knocker.requestAndJoin(room);
    const refusal = await knocker.waitFor('the join error', (s) => s.name === 'presence' && s.attrs.type === 'error');
    const error = refusal.getChild('error');
    assert.equal(refusal.attrs.from, `${room}/${knocker.nick}`);
    assert.equal(error?.attrs.type, 'auth');
    assert.equal(error?.attrs.code, '407');
    assert.ok(error?.getChild('registration-required', NS.stanzas));
    assert.equal(error?.getChildText('lobbyroom', NS.jitmeet), lobbyJid);
    assert.equal(refusal.getChildText('lobbyroom'), lobbyJid);

    const withPassword = new Client('pass2');
    await withPassword.start();
    await withPassword.requestAndJoin(room, 'pw');
    const joined = await withPassword.waitFor('own presence', withPassword.selfPresence(`${room}/${withPassword.nick}`)).catch((e: Error) => {
      throw new Error(`${e.message}: ${withPassword.stanzas.map(String).join('\n')}`);
    });
    assert.equal(joined.getChild('x', NS.mucUser)?.getChild('item')?.attrs.affiliation, 'member');
  });

  it('lobby visibility; a non-owner invite is forbidden; an owner invite admits (member, forwarded, GRANTED); a kick denies (DENIED); off destroys the lobby with the main room as alternate', async () => {
    const { room, owner } = await ownedRoom();
    const guest = new Client('guest3');
    await guest.start();
    await guest.requestAndJoin(room);
    await guest.waitFor('own presence', guest.selfPresence(`${room}/${guest.nick}`));
    // lib-jitsi-meet makes the present occupants members before switching members-only on (protocol.md 4.11).
    await owner.xmpp.iqCaller.request(xml('iq', { type: 'set', to: room }, xml('query', { xmlns: NS.mucAdmin }, xml('item', { affiliation: 'member', jid: guest.jid.split('/')[0] }))), 10_000);
    await owner.ownerForm(room, { 'muc#roomconfig_membersonly': 'true' });
    const lobby = (await roomInfo(owner, room)).fields.get('muc#roominfo_lobbyroom') ?? '';
    assert.ok(lobby);

    await owner.joinRoom(lobby, 'aaaa0001');
    await owner.waitFor('own lobby presence', owner.selfPresence(`${lobby}/aaaa0001`));
    const first = new Client('knock3a');
    const second = new Client('knock3b');
    await Promise.all([first.start(), second.start()]);
    await first.joinRoom(lobby, 'bbbb0001', undefined, 'Bob');
    await first.waitFor('own lobby presence', first.selfPresence(`${lobby}/bbbb0001`));
    await second.joinRoom(lobby, 'cccc0001', undefined, 'Carol');
    await second.waitFor('own lobby presence', second.selfPresence(`${lobby}/cccc0001`));
    const seen = await owner.waitFor('Carol in the lobby', (s) => s.name === 'presence' && s.attrs.from === `${lobby}/cccc0001`);
    assert.equal(seen.getChild('x', NS.mucUser)?.getChild('item')?.attrs.jid, second.jid, 'owners see real JIDs');
    await owner.waitFor('Bob in the lobby', (s) => s.name === 'presence' && s.attrs.from === `${lobby}/bbbb0001`);
    // A second owner in the lobby is not seen by the first, and knockers see nobody.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!first.stanzas.some((s) => s.name === 'presence' && s.attrs.type !== 'unavailable' && [`${lobby}/aaaa0001`, `${lobby}/cccc0001`].includes(s.attrs.from ?? '')));
    // Messages only to or from owners.
    await second.xmpp.send(xml('message', { to: lobby, type: 'groupchat' }, xml('json-message', { xmlns: NS.jitmeet }, '{"type":"LOBBY_CHAT_MESSAGE","message":"hi"}')));
    await owner.waitFor('Carol\'s lobby message', (s) => s.name === 'message' && s.attrs.from === `${lobby}/cccc0001`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!first.stanzas.some((s) => s.name === 'message' && s.attrs.from === `${lobby}/cccc0001`));

    // A participant that is not an admin may not invite into a members-only room.
    const guestInvite = xml('message', { to: room, id: 'g1' }, xml('x', { xmlns: NS.mucUser }, xml('invite', { to: first.jid })));
    await guest.xmpp.send(guestInvite);
    const bounced = await guest.waitFor('the invite error', (s) => s.name === 'message' && s.attrs.type === 'error' && s.attrs.id === 'g1');
    assert.ok(bounced.getChild('error')?.getChild('forbidden', NS.stanzas));

    await owner.xmpp.send(xml('message', { to: room, id: 'a1' }, xml('x', { xmlns: NS.mucUser }, xml('invite', { to: first.jid }))));
    const invite = await first.waitFor('the invite', (s) => s.name === 'message' && s.attrs.from === room && s.getChild('x', NS.mucUser)?.getChild('invite') !== undefined);
    assert.equal(invite.getChild('x', NS.mucUser)?.getChild('invite')?.attrs.from, owner.jid);
    const granted = await guest.waitFor('LOBBY-ACCESS-GRANTED', lobbyNotify('LOBBY-ACCESS-GRANTED'));
    assert.equal(granted.attrs.from, `${room}/${owner.nick}`);
    assert.deepEqual(payloadOf(granted), { type: 'lobby-notify', event: 'LOBBY-ACCESS-GRANTED', value: `${lobby}/bbbb0001`, name: 'Bob' });
    await first.requestAndJoin(room);
    await first.waitFor('own main-room presence', first.selfPresence(`${room}/${first.nick}`));

    // A knocker cannot deny another (not an owner); an owner's kick denies.
    await assert.rejects(
      second.xmpp.iqCaller.request(xml('iq', { type: 'set', to: lobby }, xml('query', { xmlns: NS.mucAdmin }, xml('item', { nick: 'bbbb0001', role: 'none' }))), 10_000),
      (error: Error & { condition?: string }) => error.condition === 'forbidden',
    );
    await owner.xmpp.iqCaller.request(xml('iq', { type: 'set', to: lobby }, xml('query', { xmlns: NS.mucAdmin }, xml('item', { nick: 'cccc0001', role: 'none' }))), 10_000);
    const kicked = await second.waitFor('the kick', (s) => s.name === 'presence' && s.attrs.type === 'unavailable' && s.attrs.from === `${lobby}/cccc0001`);
    assert.ok(kicked.getChild('x', NS.mucUser)?.getChildren('status').some((c) => c.attrs.code === '307'));
    const denied = await guest.waitFor('LOBBY-ACCESS-DENIED', lobbyNotify('LOBBY-ACCESS-DENIED'));
    assert.deepEqual(payloadOf(denied), { type: 'lobby-notify', event: 'LOBBY-ACCESS-DENIED', value: `${lobby}/cccc0001`, name: 'Carol' });

    const third = new Client('knock3c');
    await third.start();
    await third.joinRoom(lobby, 'dddd0001', undefined, 'Dan');
    await third.waitFor('own lobby presence', third.selfPresence(`${lobby}/dddd0001`));
    await owner.ownerForm(room, { 'muc#roomconfig_membersonly': 'false' });
    const destroyed = await third.waitFor('the lobby destroyed', (s) => s.name === 'presence' && s.attrs.type === 'unavailable' && s.attrs.from === `${lobby}/dddd0001`);
    assert.equal(destroyed.getChild('x', NS.mucUser)?.getChild('destroy')?.attrs.jid, room);
    const off = await guest.waitFor('LOBBY-ENABLED false', (s) => lobbyNotify('LOBBY-ENABLED')(s) && payloadOf(s).value === false);
    assert.equal(off.attrs.from, `${room}/${owner.nick}`);
    assert.equal((await roomInfo(owner, room)).fields.get('muc#roominfo_lobbyroom'), undefined);
  });
});
