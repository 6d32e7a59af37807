/**
 * A crowd of simulated conference members for large-room tests and benchmarks: N plain XMPP clients in Node
 * (xmpp.js over Prosody's c2s TCP port, SASL ANONYMOUS on the main host) that request the conference from
 * the focus (protocol.md 3.1) and join the room with the presence the official client sends
 * (protocol.md 4.2-4.3): muc `<x/>` on the join only, `stats-id`, caps, `SourceInfo`, the codec list, the
 * display name and the presence `<features>`. Every later presence repeats the full extension set.
 *
 * Members answer disco#info from anyone (a small feature list, the `node` echoed) and XMPP ping; every
 * other IQ get/set gets `service-unavailable` (xmpp.js' default). They do not enable XEP-0198: nothing is
 * resumed on loopback, Prosody's ack requests would double the stanza count of a presence flood, and a
 * member whose socket is cut must leave the room at once instead of hibernating in it.
 *
 * Every member receives every other member's presence (N^2/2 stanzas for a full room), so the crowd keeps
 * its own per-stanza work minimal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { xml } from '@xmpp/client';
import { createXmppClient as xmppClient } from './xmpp-client.js';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import type { BackendEndpoints } from './endpoints.js';

const NS = {
  focus: 'http://jitsi.org/protocol/focus',
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  caps: 'http://jabber.org/protocol/caps',
  nick: 'http://jabber.org/protocol/nick',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  sm: 'urn:xmpp:sm:3',
  streams: 'http://etherx.jabber.org/streams',
} as const;

const CAPS_NODE = 'https://jitsi.org/jitsi-meet';
const E2EE_FEATURE = 'https://jitsi.org/meet/e2ee';
/** What a member answers to disco#info: a receive-only Jitsi client (no Jingle: members take no media). */
export const CROWD_FEATURES = [
  'http://jabber.org/protocol/caps',
  'http://jabber.org/protocol/disco#info',
  'urn:xmpp:ping',
  'http://jitsi.org/source-name',
  'http://jitsi.org/receive-multiple-video-streams',
  E2EE_FEATURE,
];
/** XEP-0115 `ver` of CROWD_FEATURES (no identity, as lib-jitsi-meet; protocol.md 2.7). */
export const CROWD_CAPS_VER = createHash('sha1')
  .update([...CROWD_FEATURES].sort().map((feature) => `${feature}<`).join(''))
  .digest('base64');

export interface CrowdOptions {
  endpoints: Pick<BackendEndpoints, 'domain' | 'mucDomain' | 'focusAddress' | 'c2sPort'>;
  /** Lowercase room name (the node of the room JID). */
  roomName: string;
  size: number;
  /** Members connecting and joining at the same time (default 25). */
  concurrency?: number;
  /** Per member: connect, log in and receive the own join presence within this time (default 60 s). */
  joinTimeoutMs?: number;
  /** Per member on stop(): unavailable sent and the stream closed within this time, else the socket is cut (default 5 s). */
  stopTimeoutMs?: number;
  /** Display name of member `index` (default `Crowd member <index + 1>`). */
  displayName?: (index: number) => string;
}

/** A presence change; the member's state keeps it, and every later presence repeats it (protocol.md 4.2). */
export interface PresenceChanges {
  /** `<nick xmlns="http://jabber.org/protocol/nick">`; null removes it. */
  displayName?: string | null;
  /** `jitsi_participant_<key>` values (e.g. `raisedHand`); null removes the key. */
  properties?: Record<string, string | null>;
  /** Mute state in `SourceInfo` of the member's `<nick>-a0` / `<nick>-v0` sources. */
  audioMuted?: boolean;
  videoMuted?: boolean;
  /** Raw `SourceInfo` text sent instead of the generated one (e.g. an oversized one); null: generated again. */
  sourceInfo?: string | null;
}

export interface Crowd {
  /** `<room>@<muc domain>`. */
  readonly roomJid: string;
  /** The members' nicks (occupant resources, endpoint ids), by index; churn() replaces entries. */
  readonly members: readonly string[];
  /** The members' real full JIDs, by index. */
  readonly jids: readonly string[];
  /** Milliseconds from startCrowd() to every member having its own join presence. */
  readonly fillMs: number;
  /**
   * Re-sends member `index`'s full presence with `changes` applied (none: the same presence again) and
   * resolves once the room has reflected it to the member, i.e. Prosody has broadcast it.
   */
  updatePresence(index: number, changes?: PresenceChanges): Promise<void>;
  /**
   * `count` members leave (unavailable, stream closed) and as many new ones (new nicks) join in their
   * places, round robin over the indexes; resolves once the newcomers are in.
   */
  churn(count: number): Promise<{ left: string[]; joined: string[] }>;
  /** Every member leaves and closes its connection. Never hangs: stuck sockets are cut after stopTimeoutMs. */
  stop(): Promise<void>;
}

/** The slice of an xmpp.js client used here beyond test/backend/xmpp.d.ts. */
type Client = XmppEntity & {
  /** Stream open/close timeout (xmpp.js default 2 s: too short while Prosody works through a presence flood). */
  timeout: number;
  /** Feeds socket data to the stream parser; overridden to drop what arrives after the stream was torn down. */
  _onData(data: Buffer): void;
  parser: object | null;
  jid: { local: string; toString(): string } | null;
  socket: { destroy(): void } | null;
  prependListener(event: 'element', listener: (element: XmlElement) => void): void;
};

interface MemberState {
  displayName: string | null;
  properties: Map<string, string>;
  audioMuted: boolean;
  videoMuted: boolean;
  sourceInfo: string | null;
}

const STATS_WORDS = ['Garnet', 'Amber', 'Cobalt', 'Jade', 'Onyx', 'Coral', 'Ivory', 'Slate', 'Topaz', 'Umber'];
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function statsId(): string {
  const word = STATS_WORDS[(randomBytes(1)[0] ?? 0) % STATS_WORDS.length] ?? 'Crowd';
  const letters = randomBytes(3).toString('base64').replace(/[^A-Za-z]/g, '').padEnd(3, 'x').slice(0, 3);
  return `${word}-${letters[0]?.toUpperCase() ?? 'X'}${letters.slice(1).toLowerCase()}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Runs `task` for every item, at most `limit` at a time; rejects with the first failure after all settle. */
async function pooled<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error instanceof Error ? failure.error : new Error(String(failure.error));
}

class Member {
  readonly client: Client;
  nick = '';
  private readonly statsId = statsId();
  private readonly state: MemberState;
  private occupantJid = '';
  /** Waiters for the member's next own presence from the room (join confirmation, reflected updates). */
  private selfWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closed = false;

  constructor(
    private readonly crowd: CrowdContext,
    readonly index: number,
    displayName: string,
  ) {
    this.state = { displayName, properties: new Map(), audioMuted: true, videoMuted: true, sourceInfo: null };
    this.client = xmppClient({
      service: `xmpp://127.0.0.1:${crowd.endpoints.c2sPort}`,
      domain: crowd.endpoints.domain,
      // No credentials: xmpp.js picks SASL ANONYMOUS when the server offers it, even without TLS.
    }) as Client;
    this.client.reconnect.stop();
    this.client.timeout = crowd.streamTimeoutMs;
    // xmpp.js detaches the parser when a stream close times out but keeps reading the socket, and the next
    // chunk (the rest of a presence flood) would throw from the socket's 'data' listener.
    const onData = this.client._onData.bind(this.client);
    this.client._onData = (data) => {
      if (this.client.parser) onData(data);
    };
    // Stream management off (see the header): the offer is removed before xmpp.js' feature handlers see it.
    this.client.prependListener('element', (element) => {
      if (element.name === 'stream:features' || element.is('features', NS.streams)) {
        element.children = element.children.filter((child) => typeof child === 'string' || !child.is('sm', NS.sm));
      }
    });
    this.client.on('error', (error: Error) => {
      if (!this.closed && crowd.errors.length < 100) crowd.errors.push(`member ${this.index}: ${error.message}`);
    });
    this.client.on('stanza', (stanza) => this.onStanza(stanza));
    this.client.iqCallee.get(NS.discoInfo, 'query', (ctx) =>
      xml(
        'query',
        { xmlns: NS.discoInfo, node: ctx.element.attrs.node },
        ...CROWD_FEATURES.map((feature) => xml('feature', { var: feature })),
      ),
    );
  }

  get jid(): string {
    return this.client.jid?.toString() ?? '';
  }

  /** Connects and logs in; the nick follows lib-jitsi-meet's rule for anonymous logins (protocol.md 4.1). */
  async connect(): Promise<void> {
    await this.client.start();
    const local = this.client.jid?.local ?? '';
    const prefix = local.slice(0, 8);
    let nick = /^[0-9a-f]{8}$/.test(prefix) ? prefix : hex(4);
    while (this.crowd.nicks.has(nick)) nick = hex(4);
    this.nick = nick;
    this.crowd.nicks.add(nick);
    this.occupantJid = `${this.crowd.roomJid}/${nick}`;
  }

  /** protocol.md 3.1: asks the focus for the room until it answers ready="true". */
  async requestConference(deadline: number): Promise<void> {
    for (let backoff = 1000; ; backoff = Math.min(backoff * 2, 8000)) {
      const answer = await this.client.iqCaller.request(
        xml(
          'iq',
          { type: 'set', to: this.crowd.endpoints.focusAddress },
          xml('conference', { xmlns: NS.focus, room: this.crowd.roomJid, 'machine-uid': hex(16) }),
        ),
        Math.max(1000, deadline - Date.now()),
      );
      if (answer.getChild('conference', NS.focus)?.attrs.ready === 'true') return;
      if (Date.now() + backoff > deadline) throw new Error(`the focus did not make ${this.crowd.roomJid} ready`);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }

  /** Sends the join presence; resolves on the own presence (status 110), rejects on an error presence. */
  async join(): Promise<void> {
    const joined = this.nextSelfPresence();
    await this.client.send(this.presence(true));
    await joined;
  }

  async update(changes: PresenceChanges, timeoutMs: number): Promise<void> {
    if (changes.displayName !== undefined) this.state.displayName = changes.displayName;
    if (changes.audioMuted !== undefined) this.state.audioMuted = changes.audioMuted;
    if (changes.videoMuted !== undefined) this.state.videoMuted = changes.videoMuted;
    if (changes.sourceInfo !== undefined) this.state.sourceInfo = changes.sourceInfo;
    for (const [key, value] of Object.entries(changes.properties ?? {})) {
      if (value === null) this.state.properties.delete(key);
      else this.state.properties.set(key, value);
    }
    const reflected = this.nextSelfPresence();
    await this.client.send(this.presence(false));
    await withTimeout(reflected, timeoutMs, `presence update of member ${this.index}`);
  }

  /**
   * Unavailable, then a clean stream close. Each of xmpp.js' two closing steps (stream, then socket) waits at
   * most half of `timeoutMs`, so no timer outlives the call; the socket is destroyed in the end regardless
   * (a server that never closed its side, a close that timed out).
   */
  async leave(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failWaiters(new Error('member left'));
    const client = this.client;
    const socket = client.socket;
    // xmpp.js drops its socket listeners when a close times out; a late reset must not become an uncaught error.
    (socket as unknown as { on?(event: 'error', listener: () => void): void } | null)?.on?.('error', () => undefined);
    client.timeout = Math.max(1, Math.floor(timeoutMs / 2));
    const graceful = (async () => {
      if (client.status === 'online' && this.occupantJid) {
        await client.send(xml('presence', { to: this.occupantJid, type: 'unavailable' })).catch(() => undefined);
      }
      if (client.status !== 'offline') await client.stop();
    })();
    await withTimeout(graceful, timeoutMs + 500, `stopping member ${this.index}`).catch(() => undefined);
    socket?.destroy();
    client.socket?.destroy();
    this.crowd.nicks.delete(this.nick);
  }

  private presence(join: boolean): XmlElement {
    const { nick, state } = this;
    const sources = { [`${nick}-a0`]: { muted: state.audioMuted }, [`${nick}-v0`]: { muted: state.videoMuted } };
    return xml(
      'presence',
      { to: this.occupantJid },
      join ? xml('x', { xmlns: NS.muc }) : undefined,
      xml('stats-id', {}, this.statsId),
      xml('c', { xmlns: NS.caps, hash: 'sha-1', node: CAPS_NODE, ver: CROWD_CAPS_VER }),
      xml('SourceInfo', {}, state.sourceInfo ?? JSON.stringify(sources)),
      xml('jitsi_participant_codecList', {}, 'vp9,vp8,h264'),
      ...[...state.properties].map(([key, value]) => xml(`jitsi_participant_${key}`, {}, value)),
      state.displayName === null ? undefined : xml('nick', { xmlns: NS.nick }, state.displayName),
      xml('features', {}, xml('feature', { var: E2EE_FEATURE })),
    );
  }

  private nextSelfPresence(): Promise<void> {
    const next = new Promise<void>((resolve, reject) => this.selfWaiters.push({ resolve, reject }));
    // It may fail (an error presence, leave()) while its owner still awaits the send: never unhandled.
    next.catch(() => undefined);
    return next;
  }

  private failWaiters(error: Error): void {
    const waiters = this.selfWaiters;
    this.selfWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Only the member's own presence matters; the flood of the others' is dropped at the first comparison. */
  private onStanza(stanza: XmlElement): void {
    if (stanza.attrs.from !== this.occupantJid || stanza.name !== 'presence' || this.selfWaiters.length === 0) return;
    if (stanza.attrs.type === 'error') {
      const condition = stanza.getChild('error')?.children.find((child) => typeof child !== 'string');
      this.failWaiters(new Error(`member ${this.index} (${this.nick}) could not join: ${typeof condition === 'object' ? condition.name : 'error'}`));
      return;
    }
    if (stanza.attrs.type === 'unavailable') return;
    const statuses = stanza.getChild('x', NS.mucUser)?.getChildren('status') ?? [];
    if (!statuses.some((status) => status.attrs.code === '110')) return;
    const waiters = this.selfWaiters;
    this.selfWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }
}

interface CrowdContext {
  endpoints: CrowdOptions['endpoints'];
  roomJid: string;
  nicks: Set<string>;
  errors: string[];
  streamTimeoutMs: number;
}

/**
 * Fills `<roomName>@<muc>` with `size` members: the first asks the focus for the conference, then all
 * connect and join, `concurrency` at a time. Resolves once every member has its own join presence; on
 * failure every member already started is stopped before the rejection.
 */
export async function startCrowd(options: CrowdOptions): Promise<Crowd> {
  const started = performance.now();
  const { endpoints, roomName, size } = options;
  const concurrency = options.concurrency ?? 25;
  const joinTimeoutMs = options.joinTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5000;
  const displayName = options.displayName ?? ((index: number) => `Crowd member ${index + 1}`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`crowd size must be a positive integer, not ${size}`);
  if (roomName !== roomName.toLowerCase()) throw new Error(`room names are lowercase: ${roomName}`);
  const context: CrowdContext = { endpoints, roomJid: `${roomName}@${endpoints.mucDomain}`, nicks: new Set(), errors: [], streamTimeoutMs: Math.min(joinTimeoutMs, 30_000) };
  const members: Member[] = [];
  const everyMember = new Set<Member>();
  let stopping: Promise<void> | undefined;

  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled([...everyMember].map((member) => member.leave(stopTimeoutMs)));
    })());

  const admit = async (index: number, first: boolean): Promise<Member> => {
    const member = new Member(context, index, displayName(index));
    everyMember.add(member);
    const deadline = Date.now() + joinTimeoutMs;
    await withTimeout(
      (async () => {
        await member.connect();
        if (first) await member.requestConference(deadline);
        await member.join();
      })(),
      joinTimeoutMs,
      `member ${index} joining ${context.roomJid}`,
    );
    return member;
  };

  try {
    members[0] = await admit(0, true);
    const rest = Array.from({ length: size - 1 }, (_, i) => i + 1);
    await pooled(rest, concurrency, async (index) => {
      if (stopping) throw new Error('crowd stopped while filling');
      members[index] = await admit(index, false);
    });
  } catch (error) {
    await stopAll();
    const detail = context.errors.length > 0 ? ` (client errors: ${context.errors.slice(0, 5).join('; ')})` : '';
    throw new Error(`filling ${context.roomJid} with ${size} members failed: ${(error as Error).message}${detail}`, { cause: error });
  }
  const fillMs = Math.round(performance.now() - started);

  let churnCursor = 0;
  const memberAt = (index: number): Member => {
    const member = members[index];
    if (!member) throw new Error(`no crowd member ${index} (size ${size})`);
    return member;
  };

  return {
    roomJid: context.roomJid,
    get members() {
      return members.map((member) => member.nick);
    },
    get jids() {
      return members.map((member) => member.jid);
    },
    fillMs,
    updatePresence: async (index, changes = {}) => {
      if (stopping) throw new Error('the crowd is stopped');
      await memberAt(index).update(changes, joinTimeoutMs);
    },
    churn: async (count) => {
      if (stopping) throw new Error('the crowd is stopped');
      const indexes = Array.from({ length: count }, () => churnCursor++ % size);
      const left: string[] = [];
      const joined: string[] = [];
      // One worker per distinct index at a time: an index churned twice is replaced twice, in order.
      for (let batch = 0; batch < indexes.length; batch += size) {
        await pooled(indexes.slice(batch, batch + size), concurrency, async (index) => {
          const old = memberAt(index);
          left.push(old.nick);
          await old.leave(stopTimeoutMs);
          everyMember.delete(old);
          members[index] = await admit(index, false);
          joined.push(memberAt(index).nick);
        });
      }
      return { left, joined };
    },
    stop: stopAll,
  };
}
