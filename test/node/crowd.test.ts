/**
 * The large-room crowd (test/backend/crowd.ts) against the real local backend: 20 members request the
 * conference, join with Jitsi-style presence, answer disco#info, update their presence, churn, and leave.
 * An independent xmpp.js observer in the room checks what any other occupant (the client under test) sees.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from '../backend/xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import { startBackend, type Backend } from '../backend/launcher.js';
import { CROWD_CAPS_VER, CROWD_FEATURES, startCrowd, type Crowd } from '../backend/crowd.js';

const NS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  nick: 'http://jabber.org/protocol/nick',
  caps: 'http://jabber.org/protocol/caps',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
} as const;

const SIZE = 20;

/** An anonymous occupant that records every presence it gets from the room. */
class Observer {
  readonly client: XmppEntity;
  /** Last available presence per occupant nick. */
  readonly present = new Map<string, XmlElement>();
  /** Every unavailable presence, by nick, in arrival order. */
  readonly left: string[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly backend: Backend,
    readonly roomJid: string,
  ) {
    this.client = xmppClient({ service: `xmpp://127.0.0.1:${backend.endpoints.c2sPort}`, domain: backend.endpoints.domain });
    this.client.reconnect.stop();
    this.client.on('error', () => undefined);
    this.client.on('stanza', (stanza) => {
      const from = stanza.attrs.from ?? '';
      if (stanza.name !== 'presence' || !from.startsWith(`${roomJid}/`)) return;
      const nick = from.slice(roomJid.length + 1);
      if (stanza.attrs.type === 'unavailable') {
        this.present.delete(nick);
        this.left.push(nick);
      } else if (stanza.attrs.type !== 'error') {
        this.present.set(nick, stanza);
      }
      for (const wake of [...this.waiters]) wake();
    });
  }

  async join(nick: string): Promise<void> {
    await this.client.start();
    await this.client.send(xml('presence', { to: `${this.roomJid}/${nick}` }, xml('x', { xmlns: NS.muc })));
    await this.until(`own presence in ${this.roomJid}`, () => this.present.has(nick));
  }

  /** Resolves once `condition` holds, re-checked on every presence from the room. */
  until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`observer: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    await this.client.stop().catch(() => undefined);
  }
}

const property = (presence: XmlElement | undefined, key: string): string | null =>
  presence?.getChildText(`jitsi_participant_${key}`) ?? null;

describe('crowd: simulated members in a real Prosody room', () => {
  let backend: Backend;
  let crowd: Crowd | undefined;
  let observer: Observer | undefined;

  before(async () => {
    // Signalling only: the simulated members have no media, so the Jicofo and bridge stand-ins stay off.
    backend = await startBackend({ focusLog: false, jvb: false });
  });

  after(async () => {
    await crowd?.stop();
    await observer?.stop();
    await backend?.stop();
  });

  it(`fills a room with ${SIZE} members that an observer sees with real JIDs and Jitsi presence`, async () => {
    crowd = await startCrowd({ endpoints: backend.endpoints, roomName: 'crowdtest', size: SIZE, concurrency: 10 });
    assert.equal(crowd.roomJid, `crowdtest@${backend.endpoints.mucDomain}`);
    assert.equal(crowd.members.length, SIZE);
    assert.equal(new Set(crowd.members).size, SIZE, 'nicks are unique');
    for (const nick of crowd.members) assert.match(nick, /^[0-9a-f]{8}$/);
    for (const jid of crowd.jids) assert.match(jid, new RegExp(`@${backend.endpoints.domain.replace('.', '\\.')}/`));

    observer = new Observer(backend, crowd.roomJid);
    await observer.join('0b5e7e70');
    assert.ok(observer.present.has('focus'), 'the focus is in the room');
    const members = crowd.members;
    await observer.until(`${SIZE} members`, () => members.every((nick) => observer?.present.has(nick)));
    members.forEach((nick, index) => {
      const presence = observer?.present.get(nick);
      assert.ok(presence, nick);
      const item = presence.getChild('x', NS.mucUser)?.getChild('item');
      assert.equal(item?.attrs.jid, crowd?.jids[index], `${nick}: item@jid is the member's real JID`);
      assert.equal(presence.getChildText('nick', NS.nick), `Crowd member ${index + 1}`);
      assert.match(presence.getChildText('stats-id') ?? '', /^[A-Z][a-z]+-[A-Z][a-z]{2}$/);
      const caps = presence.getChild('c', NS.caps);
      assert.deepEqual(
        { hash: caps?.attrs.hash, node: caps?.attrs.node, ver: caps?.attrs.ver },
        { hash: 'sha-1', node: 'https://jitsi.org/jitsi-meet', ver: CROWD_CAPS_VER },
      );
      assert.deepEqual(JSON.parse(presence.getChildText('SourceInfo') ?? 'null'), {
        [`${nick}-a0`]: { muted: true },
        [`${nick}-v0`]: { muted: true },
      });
      assert.equal(property(presence, 'codecList'), 'vp9,vp8,h264');
      assert.equal(presence.getChild('features')?.getChild('feature')?.attrs.var, 'https://jitsi.org/meet/e2ee');
      assert.equal(presence.getChild('x', NS.muc), undefined, 'the muc join element is not repeated');
    });
  });

  it('members answer disco#info (node echoed) and refuse other IQs with service-unavailable', async () => {
    assert.ok(crowd && observer);
    const to = `${crowd.roomJid}/${crowd.members[2] ?? ''}`;
    const node = `https://jitsi.org/jitsi-meet#${CROWD_CAPS_VER}`;
    const info = await observer.client.iqCaller.request(xml('iq', { type: 'get', to }, xml('query', { xmlns: NS.discoInfo, node })), 5000);
    const query = info.getChild('query', NS.discoInfo);
    assert.equal(query?.attrs.node, node);
    assert.deepEqual(query?.getChildren('feature').map((feature) => feature.attrs.var).sort(), [...CROWD_FEATURES].sort());
    await assert.rejects(
      observer.client.iqCaller.request(xml('iq', { type: 'get', to }, xml('query', { xmlns: 'jabber:iq:version' })), 5000),
      (error: Error & { condition?: string }) => error.condition === 'service-unavailable',
    );
  });

  it('updatePresence re-sends the full presence with the change', async () => {
    assert.ok(crowd && observer);
    const watcher = observer;
    const nick = crowd.members[3] ?? '';
    const raised = String(Date.now());
    await crowd.updatePresence(3, { properties: { raisedHand: raised }, displayName: 'Renamed member' });
    await watcher.until('raised hand and new name', () => property(watcher.present.get(nick), 'raisedHand') === raised);
    const presence = watcher.present.get(nick);
    assert.equal(presence?.getChildText('nick', NS.nick), 'Renamed member');
    assert.equal(property(presence, 'codecList'), 'vp9,vp8,h264', 'the full extension set is repeated');
    assert.ok(presence?.getChildText('SourceInfo') && presence.getChild('c', NS.caps) && presence.getChildText('stats-id'));

    await crowd.updatePresence(3, { properties: { raisedHand: null }, audioMuted: false });
    await watcher.until('hand lowered', () => property(watcher.present.get(nick), 'raisedHand') === null);
    assert.deepEqual(JSON.parse(watcher.present.get(nick)?.getChildText('SourceInfo') ?? 'null'), {
      [`${nick}-a0`]: { muted: false },
      [`${nick}-v0`]: { muted: true },
    });
    assert.equal(watcher.present.get(nick)?.getChildText('nick', NS.nick), 'Renamed member', 'earlier changes persist');
  });

  it('churn replaces members: the old ones leave, new ones join', async () => {
    assert.ok(crowd && observer);
    const watcher = observer;
    const before = crowd.members;
    const { left, joined } = await crowd.churn(2);
    assert.deepEqual(left, before.slice(0, 2));
    assert.equal(joined.length, 2);
    assert.deepEqual(crowd.members.slice(0, 2).sort(), [...joined].sort());
    assert.deepEqual(crowd.members.slice(2), before.slice(2));
    await watcher.until('churn seen', () => left.every((nick) => watcher.left.includes(nick)) && joined.every((nick) => watcher.present.has(nick)));
    assert.equal([...watcher.present.keys()].filter((nick) => nick !== 'focus' && nick !== '0b5e7e70').length, SIZE);
  });

  it('stop() makes every member leave and closes every connection', async () => {
    assert.ok(crowd && observer);
    const watcher = observer;
    const members = crowd.members;
    const leftBefore = watcher.left.length;
    const started = performance.now();
    await crowd.stop();
    assert.ok(performance.now() - started < 5000, 'stop is quick');
    await watcher.until(`${SIZE} unavailable`, () => members.every((nick) => !watcher.present.has(nick)));
    assert.equal(watcher.left.length - leftBefore, SIZE);
    await assert.rejects(crowd.updatePresence(0), /stopped/);
    await crowd.stop(); // idempotent

    await watcher.stop();
    observer = undefined;
    crowd = undefined;
    // Closed sockets leave the handle list within a few event-loop turns.
    const openSockets = (): string[] => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap');
    for (let i = 0; i < 50 && openSockets().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(openSockets(), [], 'no client socket is left open');
  });
});
