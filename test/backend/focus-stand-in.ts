/**
 * Focus STAND-IN for Jicofo (which cannot be installed on these machines).
 *
 * It does only what protocol.md says Jicofo does for a conference without media:
 * - answers the conference request IQ sent to `focus.<domain>` (section 3.1-3.2) after it has created the
 *   room by joining it as occupant `focus`;
 * - publishes the focus presence content (section 4.16);
 * - grants owner to the first participant, and to the next one when the owner leaves (section 4.6,
 *   Jicofo's `enable-auto-owner`);
 * - leaves rooms that become empty, so Prosody destroys them.
 *
 * When a connection drops (a Prosody restart in the fault tests), it reconnects every 250 ms for up to
 * 20 s and rejoins nothing: rooms die with the server, so its room state is cleared when the client
 * connection drops. Each time both connections are back it prints `FOCUS_STAND_IN_ONLINE` (the launcher
 * waits for it).
 *
 * It is reached two ways, as with Jicofo behind Prosody's client_proxy: an XEP-0114 component for the
 * `focus.<domain>` address, and a client login `focus@auth.<domain>/focus` that sits in the rooms.
 * Nothing in the engine may depend on behaviour specific to this stand-in.
 *
 * MEDIA (option `jvb`, off by default until the engine handles JVB sessions): with it, the stand-in also
 * plays Jicofo's Jingle session handling (focus-sessions.ts, protocol.md 5.1-5.6) and hosts the bridge
 * stand-in in this process (bridge-stand-in.ts, werift; protocol.md 5.3, 8). Without it, no Jingle is sent
 * and Jingle IQs to the focus are refused as before. Two more test controls then exist, as lines on stdin
 * from the launcher: `restart-bridge` (answered by `BRIDGE_RESTARTED` on stdout) and `cut-bridge-websockets`
 * (answered by `BRIDGE_WEBSOCKETS_CUT <n>`).
 *
 * Breakout rooms (protocol.md 13.3): conference requests for rooms on the breakout MUC (COMPONENTS'
 * `breakout_rooms`) are accepted like those for the main MUC, as Jicofo joins any MUC room it is asked for;
 * after joining, the focus reads the room's configuration form, and a room whose form names a main room
 * (`muc#roominfo_breakout_main_room`) gets no auto-owner, as Jicofo does ("We do not use auto-owner in
 * breakout rooms"): its moderators are those of the main room (prosody-plugins/mod_jitsi_elements_breakout_rooms.lua).
 *
 * The result of the conference request carries `room`, `ready`, `focusjid`, a `session-id` (the request's
 * own when it sent one, else a fresh random one, as Jicofo hands one out) and the properties
 * `authentication=false` and `visitors-supported=false`.
 *
 * TEST CONTROLS. Real Jicofo has nothing like them and engine code never relies on them: they exist only so
 * that engine tests can drive the conference-request error and retry paths (protocol.md 3.1-3.2) and the
 * focus-presence failures (4.4, 4.16) against this stand-in. A control is chosen by the node of the request's
 * `room` attribute, which starts with `standin-<control>` followed by `-` and free text (so that tests can
 * make names unique, e.g. `standin-notready2-abc123`), or by nothing. Rooms whose node does not start with
 * `standin-` are never affected; a `standin-` node that names no control below is refused with `bad-request`
 * so that a misspelt control cannot pass for normal behaviour. Counts are kept per room JID for the life of
 * the stand-in process. Every control that fires is logged (`test control <name>: ...`).
 *
 * - `standin-notready<N>`: the first N requests get the usual result with `ready="false"`, and the room is
 *   not created; from request N+1 on, normal (room created, `ready="true"`).
 * - `standin-silent`: the request is never answered (no result, no error); the client must time out.
 * - `standin-notauthorized`: IQ error `<error type="cancel"><not-authorized xmlns="…xmpp-stanzas"/>`
 *   (the client maps it to AUTHENTICATION_REQUIRED).
 * - `standin-reservation`: IQ error `<error type="cancel">` holding `<not-acceptable xmlns="…xmpp-stanzas"/>`,
 *   `<text xmlns="…xmpp-stanzas">reservation refused by the stand-in</text>` and
 *   `<reservation-error xmlns="http://jitsi.org/protocol/focus" error-code="403"/>` (a child of `<error>`, where
 *   Jicofo puts it; the client maps it to RESERVATION_ERROR).
 * - `standin-sessioninvalid<N>`: the first N requests get IQ error `<error type="cancel"><not-acceptable
 *   xmlns="…xmpp-stanzas"/><session-invalid xmlns="http://jitsi.org/protocol/focus"/>` (the client forgets its
 *   session id and retries); from request N+1 on, normal.
 * - `standin-nobridge`: normal, but the focus presence in the room carries
 *   `<bridgeNotAvailable xmlns="http://jitsi.org/protocol/focus"/>` (-> CONFERENCE_FAILED(VIDEOBRIDGE_NOT_AVAILABLE)).
 * - `standin-leavefocus`: normal, but 1.5 s after the first participant joins, the focus leaves the room with an
 *   unavailable presence (-> CONFERENCE_FAILED(FOCUS_LEFT)); nothing else is touched and the room lives on
 *   with its participants. Once per room JID: a later request for it brings a focus that stays.
 * - `standin-hostilejingle` (option `jvb`): normal, but 300 ms after each participant's session-accept the focus
 *   sends it hostile Jingle once (focus-sessions.ts, `sendHostile`): a json-message that is not JSON, a source
 *   that reuses another endpoint's SSRC under the owner `ghost`, an SSRC 0 with a broken group, a source-add
 *   for an unknown sid, a source-remove of an SSRC never announced, and a transport-info without a transport.
 * - `standin-vp8only` (option `jvb`): normal, but the offer has VP8 as its only video codec, as from a Jicofo
 *   configured with `jicofo.codec.video.{av1,vp9,h264}.enabled = false`.
 * - `standin-icerestart` (option `jvb`): normal, but a client's in-place ICE restart request (`session-info`
 *   ice-restart) is honoured with a transport-info restart (focus-sessions.ts), as by a Jicofo with it enabled.
 *
 * Launcher control `ice-restart <room JID>` (option `jvb`): an in-place ICE restart of every accepted session
 * of the room (transport-info with new ICE credentials, protocol.md 5.2); answered `JVB_ICE_RESTARTED <n>`.
 */
import { randomUUID } from 'node:crypto';
import { xml as clientXml } from '@xmpp/client';
import { createXmppClient as xmppClient } from './xmpp-client.js';
import { component as xmppComponent, xml as componentXml } from '@xmpp/component';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import { BridgeStandIn } from './bridge-stand-in.js';
import { FocusSessions } from './focus-sessions.js';
import { NS_JINGLE } from './jingle-xml.js';
import { ComponentHub } from './features/component-hub.js';
import { COMPONENTS, componentAddress } from './features/components.js';
import { createFeatures } from './features/index.js';
import type { FeatureHost, FeatureStandIn, StandInRoom } from './features/types.js';

export const STAND_IN_VERSION = 'jitsi-elements focus stand-in 1';

const NS = {
  focus: 'http://jitsi.org/protocol/focus',
  jitmeet: 'http://jitsi.org/jitmeet',
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  mucAdmin: 'http://jabber.org/protocol/muc#admin',
  mucOwner: 'http://jabber.org/protocol/muc#owner',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  ping: 'urn:xmpp:ping',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
} as const;

export interface FocusConfig {
  domain: string;
  c2sPort: number;
  componentPort: number;
  componentSecret: string;
  focusPassword: string;
  /** Leave a room when no participant has joined this long after the request (Jicofo's idle timeout). */
  idleTimeoutMs?: number;
  /** Media: Jicofo's Jingle sessions and the bridge stand-in, whose Colibri websockets listen on `port`. */
  jvb?: { port: number; singleParticipantTimeoutMs?: number };
}

type Element = XmlElement;

/** The test controls (see the file header), chosen by the room node's `standin-` prefix. */
export type TestControl =
  | { kind: 'notready' | 'sessioninvalid'; count: number }
  | { kind: 'silent' | 'notauthorized' | 'reservation' | 'nobridge' | 'leavefocus' | 'hostilejingle' | 'vp8only' | 'icerestart' }
  | { kind: 'unknown' };

export const TEST_CONTROL_PREFIX = 'standin-';
/** `standin-leavefocus`: how long after the first participant joins the focus leaves. */
export const LEAVE_FOCUS_DELAY_MS = 1500;
export const RESERVATION_ERROR_TEXT = 'reservation refused by the stand-in';

/** The test control a room JID selects, or undefined for ordinary rooms. */
export function testControlOf(roomJid: string): TestControl | undefined {
  const node = roomJid.slice(0, Math.max(0, roomJid.indexOf('@')));
  if (!node.startsWith(TEST_CONTROL_PREFIX)) return undefined;
  const rest = node.slice(TEST_CONTROL_PREFIX.length);
  const counted = /^(notready|sessioninvalid)(\d+)(?:-|$)/.exec(rest);
  if (counted) return { kind: counted[1] as 'notready' | 'sessioninvalid', count: Number(counted[2]) };
  const plain = /^(silent|notauthorized|reservation|nobridge|leavefocus|hostilejingle|vp8only|icerestart)(?:-|$)/.exec(rest);
  if (plain) return { kind: plain[1] as 'silent' | 'notauthorized' | 'reservation' | 'nobridge' | 'leavefocus' | 'hostilejingle' | 'vp8only' | 'icerestart' };
  return { kind: 'unknown' };
}

interface Occupant {
  nick: string;
  realJid: string;
  affiliation: string;
  role: string;
  order: number;
  displayName?: string;
}

interface Room {
  jid: string;
  joined: Promise<void>;
  resolveJoined: () => void;
  rejectJoined: (error: Error) => void;
  occupants: Map<string, Occupant>;
  ownerGrantPending: string | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  leaving: boolean;
  /** The test control of its name, if any (see the file header). */
  control: TestControl | undefined;
  /** `standin-leavefocus`: armed when the first participant joins. */
  leaveFocusTimer: ReturnType<typeof setTimeout> | undefined;
  /** A breakout room's main room, from its configuration form (no auto-owner there). */
  mainRoomJid?: string;
}

const log = (message: string): void => {
  process.stdout.write(`[focus stand-in] ${message}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const bare = (jid: string): string => jid.split('/')[0] ?? jid;
const resourceOf = (jid: string): string => jid.slice(jid.indexOf('/') + 1);

/** A valid room JID on the MUC domain: `name@conference.<domain>`, lowercase node, no resource. */
export function validRoomJid(room: string | undefined, mucDomain: string): boolean {
  if (!room) return false;
  const at = room.indexOf('@');
  if (at <= 0 || room.includes('/')) return false;
  const node = room.slice(0, at);
  return room.slice(at + 1) === mucDomain && node === node.toLowerCase() && !/[\s"&'<>:@]/.test(node);
}

export class FocusStandIn {
  readonly focusJid: string;
  readonly focusAddress: string;
  readonly mucDomain: string;
  /** The MUCs whose rooms it accepts conference requests for: the main one and the breakout rooms'. */
  private readonly mucDomains: string[];
  private readonly rooms = new Map<string, Room>();
  private readonly client: XmppEntity;
  private readonly component: XmppEntity;
  private joinOrder = 0;
  private stopping = false;
  private readonly recovering = new Set<XmppEntity>();
  /** Test controls: conference requests seen per room JID. */
  private readonly requestCounts = new Map<string, number>();
  /** Test control `standin-leavefocus`: rooms whose focus has already left once. */
  private readonly focusLeftOnce = new Set<string>();
  /** The meeting-feature stand-ins (features/) and their component connections. */
  private readonly features: FeatureStandIn[] = createFeatures();
  private readonly hub: ComponentHub;
  private readonly extraProperties = new Map<string, string>();
  /** Children added to the focus presence per room by features (key -> element). */
  private readonly presenceExtras = new Map<string, Map<string, Element>>();
  /** With `jvb`: the bridge stand-in and Jicofo's session logic. */
  readonly bridge: BridgeStandIn | undefined;
  private readonly sessions: FocusSessions | undefined;

  constructor(private readonly config: FocusConfig) {
    this.focusJid = `focus@auth.${config.domain}`;
    this.focusAddress = `focus.${config.domain}`;
    this.mucDomain = `conference.${config.domain}`;
    this.mucDomains = [this.mucDomain, ...COMPONENTS.filter((c) => c.type === 'breakout_rooms').map((c) => componentAddress(c, config.domain))];
    this.client = xmppClient({
      service: `xmpp://127.0.0.1:${config.c2sPort}`,
      domain: `auth.${config.domain}`,
      resource: 'focus',
      // Loopback without TLS: xmpp.js refuses PLAIN unless told, and its SCRAM is slow (backend.md).
      credentials: (authenticate) =>
        authenticate({ username: 'focus', password: config.focusPassword }, 'PLAIN'),
    });
    this.component = xmppComponent({
      service: `xmpp://127.0.0.1:${config.componentPort}`,
      domain: this.focusAddress,
      password: config.componentSecret,
    });
    this.client.reconnect.stop();
    this.component.reconnect.stop();
    this.hub = new ComponentHub({
      port: config.componentPort,
      secret: config.componentSecret,
      addresses: COMPONENTS.filter((c) => c.kind === 'xep0114').map((c) => componentAddress(c, config.domain)),
      log,
    });
    if (config.jvb) {
      this.bridge = new BridgeStandIn({ port: config.jvb.port, log: (message) => process.stdout.write(`${message}\n`) });
      this.sessions = new FocusSessions({
        client: this.client,
        focusFullJid: `${this.focusJid}/focus`,
        bridge: this.bridge,
        log: (message) => log(message),
        sourceAddAllowed: (roomJid, nick, kind) => {
          const room = this.rooms.get(roomJid);
          const occupant = room?.occupants.get(nick);
          return !room || !occupant || !this.features.some((f) => f.unmuteAllowed?.(room, occupant, kind) === false);
        },
        ...(config.jvb.singleParticipantTimeoutMs !== undefined ? { singleParticipantTimeoutMs: config.jvb.singleParticipantTimeoutMs } : {}),
      });
    }
  }

  async start(): Promise<void> {
    // While reconnecting, refused connections are expected: recover() reports the outcome instead.
    this.client.on('error', (error: Error) => {
      if (!this.stopping && !this.recovering.has(this.client)) log(`client error: ${error.message}`);
    });
    this.component.on('error', (error: Error) => {
      if (!this.stopping && !this.recovering.has(this.component)) log(`component error: ${error.message}`);
    });
    this.client.on('stanza', (stanza: Element) => this.onClientStanza(stanza));
    this.component.iqCallee.set(NS.focus, 'conference', (ctx) =>
      this.onConferenceRequest(ctx.stanza, ctx.element),
    );
    this.component.iqCallee.get(NS.discoInfo, 'query', () =>
      componentXml(
        'query',
        { xmlns: NS.discoInfo },
        componentXml('identity', { category: 'component', type: 'focus', name: 'Focus stand-in' }),
        componentXml('feature', { var: NS.discoInfo }),
        componentXml('feature', { var: NS.focus }),
        componentXml('feature', { var: NS.ping }),
      ),
    );
    this.component.iqCallee.get(NS.ping, 'ping', () => true);
    for (const kind of ['audio', 'video', 'desktop']) {
      this.client.iqCallee.set(`http://jitsi.org/jitmeet/${kind}`, 'mute', (ctx) => this.onMuteRequest(ctx.stanza, ctx.element));
    }
    this.client.iqCallee.get(NS.discoInfo, 'query', () =>
      clientXml('query', { xmlns: NS.discoInfo }, clientXml('feature', { var: NS.discoInfo })),
    );
    const sessions = this.sessions;
    if (sessions) {
      this.client.iqCallee.set(NS_JINGLE.jingle, 'jingle', (ctx) => sessions.onJingle(ctx.stanza, ctx.element));
      await this.bridge?.start();
    }
    await Promise.all([this.client.start(), this.component.start(), ...this.hub.all.map((entity) => entity.start())]);
    log(`online as ${this.focusJid}/focus and component ${this.focusAddress}`);
    this.client.on('disconnect', () => void this.recover(this.client, 'client'));
    this.component.on('disconnect', () => void this.recover(this.component, 'component'));
    for (const entity of this.hub.all) entity.on('disconnect', () => void this.recover(entity, `component ${entity.options.domain}`));
    const host = this.featureHost();
    for (const feature of this.features) await feature.start(host);
  }

  /**
   * A dropped connection: reconnect every 250 ms for up to 20 s. The client's drop also took the focus out
   * of every room (and a Prosody restart destroys them), so its room state is forgotten.
   */
  private async recover(entity: XmppEntity, name: string): Promise<void> {
    if (this.stopping || this.recovering.has(entity)) return;
    this.recovering.add(entity);
    log(`${name} connection lost, reconnecting`);
    if (entity === this.client) this.forgetRooms();
    const deadline = Date.now() + 20_000;
    try {
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          if (entity.status !== 'disconnect' && entity.status !== 'offline') {
            throw new Error(`unexpected status ${entity.status}`);
          }
          await entity.connect(entity.options.service);
          await entity.open({ domain: entity.options.domain, lang: entity.options.lang });
          await this.whenOnline(entity, 5000);
          log(`${name} reconnected (attempt ${attempt})`);
          break;
        } catch (error) {
          if (this.stopping) return;
          if (Date.now() > deadline) {
            log(`${name}: giving up reconnecting after 20 s: ${(error as Error).message}`);
            process.exit(1);
          }
          await sleep(250);
        }
      }
    } finally {
      this.recovering.delete(entity);
    }
    const everyone = [this.client, this.component, ...this.hub.all];
    if (!this.stopping && this.recovering.size === 0 && everyone.every((e) => e.status === 'online')) {
      process.stdout.write('FOCUS_STAND_IN_ONLINE\n');
    }
  }

  /** Resolves when `entity` is online (SASL and bind, or the component handshake, done). */
  private async whenOnline(entity: XmppEntity, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Polled: a resumed xmpp.js session becomes online without an 'online' event.
    while (entity.status !== 'online') {
      if (entity.status === 'disconnect' || entity.status === 'offline') throw new Error(`connection ${entity.status}`);
      if (Date.now() > deadline) throw new Error(`not online after ${timeoutMs} ms (${entity.status})`);
      await sleep(20);
    }
  }

  /** The rooms are gone with the connection: drop their state, fail pending conference requests. */
  private forgetRooms(): void {
    for (const room of this.rooms.values()) {
      this.sessions?.roomGone(room.jid);
      for (const feature of this.features) feature.roomGone?.(room.jid);
      this.clearTimers(room);
      room.rejectJoined(new Error('focus connection lost'));
    }
    this.rooms.clear();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const room of this.rooms.values()) this.clearTimers(room);
    this.rooms.clear();
    this.sessions?.stop();
    for (const feature of this.features) feature.stop?.();
    await Promise.allSettled([this.client.stop(), this.component.stop(), ...this.hub.all.map((e) => e.stop()), this.bridge?.stop()]);
  }

  /** Test controls from the launcher (see the file header); each answers with a marker line on stdout. */
  async control(command: string): Promise<void> {
    if (!command) return;
    if (!this.bridge) {
      log(`test control ${command}: no bridge (option jvb is off)`);
    } else if (command === 'restart-bridge') {
      await this.bridge.restart();
    } else if (command.startsWith('ice-restart ')) {
      const sent = (await this.sessions?.restartRoomIce(command.slice('ice-restart '.length).trim())) ?? 0;
      process.stdout.write(`JVB_ICE_RESTARTED ${sent}\n`);
      return;
    } else if (command === 'cut-bridge-websockets') {
      process.stdout.write(`BRIDGE_WEBSOCKETS_CUT ${this.bridge.cutWebsockets()}\n`);
      return;
    } else {
      log(`unknown test control ${JSON.stringify(command)}`);
    }
    if (command === 'restart-bridge') process.stdout.write('BRIDGE_RESTARTED\n');
    else if (command === 'cut-bridge-websockets') process.stdout.write('BRIDGE_WEBSOCKETS_CUT 0\n');
  }

  /**
   * protocol.md 4.6: a moderator asks the focus to mute someone; the focus passes `<mute actor=…>true</mute>`
   * on to the target. A participant's own `false` (it unmuted after a remote mute) is just acknowledged.
   * xmpp.js sends a returned `<error/>` as the error reply.
   */
  private onMuteRequest(iq: Element, mute: Element): XmlElement | true {
    const from = iq.attrs.from ?? '';
    const room = this.rooms.get(bare(from));
    const target = mute.attrs.jid ?? '';
    if (!room || bare(target) !== room.jid) return clientXml('error', { type: 'cancel' }, clientXml('item-not-found', { xmlns: NS.stanzas }));
    const actor = room.occupants.get(resourceOf(from));
    const kind = (mute.attrs.xmlns ?? '').split('/').pop() ?? '';
    // protocol.md 13.2 (e): a feature (AV moderation) may refuse a participant's own unmute.
    if (mute.text() === 'false' && actor && resourceOf(target) === actor.nick && this.features.some((f) => f.unmuteAllowed?.(room, actor, kind) === false)) {
      log(`${room.jid}: ${actor.nick} may not unmute ${kind}`);
      return clientXml('error', { type: 'cancel' }, clientXml('not-allowed', { xmlns: NS.stanzas }));
    }
    if (mute.text() !== 'true' || resourceOf(target) === resourceOf(from)) return true;
    if (actor?.role !== 'moderator') return clientXml('error', { type: 'auth' }, clientXml('forbidden', { xmlns: NS.stanzas }));
    log(`${room.jid}: ${resourceOf(from)} mutes ${mute.attrs.xmlns ?? ''} of ${resourceOf(target)}`);
    this.client.iqCaller
      .request(clientXml('iq', { type: 'set', to: target }, clientXml('mute', { xmlns: mute.attrs.xmlns, actor: from }, 'true')), 5000)
      .catch((error: Error) => log(`${room.jid}: mute not delivered: ${error.message}`));
    return true;
  }

  /** protocol.md 3.1: answer only once the room exists with the focus in it. */
  private async onConferenceRequest(iq: Element, request: Element): Promise<Element> {
    const roomJid = request.attrs.room;
    if (roomJid === undefined || !this.mucDomains.some((domain) => validRoomJid(roomJid, domain))) {
      log(`conference request from ${iq.attrs.from ?? '?'} rejected: bad room ${JSON.stringify(roomJid)}`);
      return componentXml(
        'error',
        { type: 'modify' },
        componentXml('bad-request', { xmlns: NS.stanzas }),
        componentXml('text', { xmlns: NS.stanzas }, 'invalid room name'),
      );
    }
    log(`conference request from ${iq.attrs.from ?? '?'} for ${roomJid}`);
    const sessionId = request.attrs['session-id'] || randomUUID();
    const control = testControlOf(roomJid);
    if (control) {
      const answer = this.applyControl(control, roomJid, sessionId);
      if (answer) return answer;
    }
    const room = this.ensureRoom(roomJid, control);
    await room.joined;
    return this.conferenceResult(roomJid, true, sessionId);
  }

  /** protocol.md 3.1: the result, ready or not. */
  private conferenceResult(roomJid: string, ready: boolean, sessionId: string): Element {
    return componentXml(
      'conference',
      { xmlns: NS.focus, room: roomJid, ready: String(ready), focusjid: this.focusJid, 'session-id': sessionId },
      componentXml('property', { name: 'authentication', value: 'false' }),
      componentXml('property', { name: 'visitors-supported', value: 'false' }),
      ...[...this.extraProperties].map(([name, value]) => componentXml('property', { name, value })),
    );
  }

  /**
   * The test controls that change the answer to the conference request (see the file header). Returns the
   * answer (an `<error>` or a `<conference>`), or undefined to go on normally.
   */
  private applyControl(control: TestControl, roomJid: string, sessionId: string): Promise<Element> | Element | undefined {
    const nth = (this.requestCounts.get(roomJid) ?? 0) + 1;
    this.requestCounts.set(roomJid, nth);
    switch (control.kind) {
      case 'unknown':
        log(`test control: ${roomJid} names no known control, answering bad-request`);
        return componentXml(
          'error',
          { type: 'modify' },
          componentXml('bad-request', { xmlns: NS.stanzas }),
          componentXml('text', { xmlns: NS.stanzas }, 'unknown stand-in test control'),
        );
      case 'silent':
        log(`test control silent: ${roomJid}: request ${nth} left unanswered`);
        // Never settles: xmpp.js sends nothing until the handler's promise does.
        return new Promise<Element>(() => undefined);
      case 'notauthorized':
        log(`test control notauthorized: ${roomJid}: request ${nth} answered not-authorized`);
        return componentXml('error', { type: 'cancel' }, componentXml('not-authorized', { xmlns: NS.stanzas }));
      case 'reservation':
        log(`test control reservation: ${roomJid}: request ${nth} answered reservation-error 403`);
        return componentXml(
          'error',
          { type: 'cancel' },
          componentXml('not-acceptable', { xmlns: NS.stanzas }),
          componentXml('text', { xmlns: NS.stanzas }, RESERVATION_ERROR_TEXT),
          componentXml('reservation-error', { xmlns: NS.focus, 'error-code': '403' }),
        );
      case 'notready':
        if (nth > control.count) return undefined;
        log(`test control notready${control.count}: ${roomJid}: request ${nth} answered ready="false"`);
        return this.conferenceResult(roomJid, false, sessionId);
      case 'sessioninvalid':
        if (nth > control.count) return undefined;
        log(`test control sessioninvalid${control.count}: ${roomJid}: request ${nth} answered session-invalid`);
        return componentXml(
          'error',
          { type: 'cancel' },
          componentXml('not-acceptable', { xmlns: NS.stanzas }),
          componentXml('session-invalid', { xmlns: NS.focus }),
        );
      case 'nobridge':
      case 'leavefocus':
      case 'hostilejingle':
      case 'vp8only':
      case 'icerestart':
        return undefined;
    }
  }

  private ensureRoom(roomJid: string, control: TestControl | undefined): Room {
    const existing = this.rooms.get(roomJid);
    if (existing && !existing.leaving) return existing;
    let resolveJoined: () => void = () => undefined;
    let rejectJoined: (error: Error) => void = () => undefined;
    const joined = new Promise<void>((resolve, reject) => {
      resolveJoined = resolve;
      rejectJoined = reject;
    });
    // Nobody may be waiting when the connection drops.
    joined.catch(() => undefined);
    const room: Room = {
      jid: roomJid,
      joined,
      resolveJoined,
      rejectJoined,
      occupants: new Map(),
      ownerGrantPending: undefined,
      idleTimer: undefined,
      leaving: false,
      control,
      leaveFocusTimer: undefined,
    };
    this.rooms.set(roomJid, room);
    const bridgeNotAvailable = control?.kind === 'nobridge';
    if (bridgeNotAvailable) log(`test control nobridge: ${roomJid}: bridgeNotAvailable in the focus presence`);
    this.client
      .send(
        clientXml(
          'presence',
          { to: `${roomJid}/focus` },
          clientXml('x', { xmlns: NS.muc }),
          ...this.focusPresenceContent(bridgeNotAvailable),
          ...(this.presenceExtras.get(roomJid)?.values() ?? []),
        ),
      )
      .catch((error: Error) => {
        // The client connection is down (reconnecting): the request fails instead of waiting forever.
        log(`${roomJid}: could not send the join: ${error.message}`);
        this.clearTimers(room);
        if (this.rooms.get(roomJid) === room) this.rooms.delete(roomJid);
        room.rejectJoined(error);
      });
    this.armIdleTimer(room);
    return room;
  }

  /** protocol.md 4.16; `bridgeNotAvailable` only for the `standin-nobridge` test control. */
  private focusPresenceContent(bridgeNotAvailable = false): XmlElement[] {
    const properties: Record<string, string> = {
      'support-terminate-restart': 'true',
      'visitors-enabled': 'false',
      'audio-limit-reached': 'false',
      'video-limit-reached': 'false',
      'created-ms': String(Date.now()),
    };
    return [
      clientXml(
        'conference-properties',
        { xmlns: NS.focus },
        ...Object.entries(properties).map(([key, value]) => clientXml('property', { key, value })),
      ),
      clientXml('versions', { xmlns: NS.jitmeet }, clientXml('component', { name: 'focus' }, STAND_IN_VERSION)),
      ...(bridgeNotAvailable ? [clientXml('bridgeNotAvailable', { xmlns: NS.focus })] : []),
    ];
  }

  private clearTimers(room: Room): void {
    if (room.idleTimer) clearTimeout(room.idleTimer);
    if (room.leaveFocusTimer) clearTimeout(room.leaveFocusTimer);
    room.idleTimer = undefined;
    room.leaveFocusTimer = undefined;
  }

  /** Test control `standin-leavefocus`: armed by the first participant's join, fires once per room JID. */
  private armLeaveFocus(room: Room): void {
    if (room.control?.kind !== 'leavefocus' || room.leaveFocusTimer || room.leaving) return;
    if (this.focusLeftOnce.has(room.jid)) return;
    room.leaveFocusTimer = setTimeout(() => {
      room.leaveFocusTimer = undefined;
      if (this.rooms.get(room.jid) !== room || room.leaving) return;
      this.focusLeftOnce.add(room.jid);
      log(`test control leavefocus: ${room.jid}: the focus leaves ${LEAVE_FOCUS_DELAY_MS} ms after the first participant joined`);
      this.leaveRoom(room, 'test control leavefocus');
    }, LEAVE_FOCUS_DELAY_MS);
  }

  private armIdleTimer(room: Room): void {
    if (room.idleTimer) clearTimeout(room.idleTimer);
    room.idleTimer = setTimeout(() => {
      if (this.participants(room).length === 0) this.leaveRoom(room, 'no participant joined');
    }, this.config.idleTimeoutMs ?? 20_000);
  }

  private participants(room: Room): Occupant[] {
    return [...room.occupants.values()].filter((occupant) => occupant.nick !== 'focus');
  }

  private onClientStanza(stanza: Element): void {
    if (stanza.name !== 'presence') return;
    const from = stanza.attrs.from ?? '';
    const room = this.rooms.get(bare(from));
    if (!room || !from.includes('/')) return;
    const nick = resourceOf(from);
    const x = stanza.getChild('x', NS.mucUser);
    const statuses = new Set((x?.getChildren('status') ?? []).map((status) => status.attrs.code));

    if (stanza.attrs.type === 'error') {
      if (nick === 'focus') {
        log(`could not join ${room.jid}: ${stanza.getChild('error')?.children.map((c) => (typeof c === 'string' ? c : c.name)).join(',') ?? '?'}`);
        this.rooms.delete(room.jid);
      }
      return;
    }
    if (stanza.attrs.type === 'unavailable') {
      if (x?.getChild('destroy')) {
        // The room was destroyed (end conference, protocol.md 13.4): nothing is left to leave.
        if (!room.leaving) this.leaveRoom(room, 'room destroyed', false);
        this.rooms.delete(room.jid);
        return;
      }
      if (nick === 'focus' && statuses.has('110')) {
        // Our own leave confirmed. If a new request for the room came meanwhile, the record is already the
        // new one (its join went out after this leave on the same stream): keep it.
        if (room.leaving) this.rooms.delete(room.jid);
        else if (x?.getChild('destroy')) this.roomDestroyed(room);
        return;
      }
      const occupant = room.occupants.get(nick);
      room.occupants.delete(nick);
      if (occupant) log(`${room.jid}: ${nick} left`);
      if (occupant) this.sessions?.memberLeft(room.jid, nick);
      if (occupant) for (const feature of this.features) feature.occupantLeft?.(room, occupant);
      if (room.ownerGrantPending === nick) room.ownerGrantPending = undefined;
      if (this.participants(room).length === 0 && !room.leaving) {
        this.leaveRoom(room, 'room is empty');
      } else {
        this.ensureOwner(room);
      }
      return;
    }

    const item = x?.getChild('item');
    if (nick === 'focus') {
      if (statuses.has('110')) {
        log(`${room.jid}: joined as focus${statuses.has('201') ? ' (room created)' : ''}`);
        if (bare(room.jid).endsWith(`@${this.mucDomain}`)) room.resolveJoined();
        else void this.readMainRoom(room).finally(() => room.resolveJoined());
      }
      return;
    }
    const realJid = item?.attrs.jid;
    if (!realJid) return; // protocol.md 1: members without a real JID are ignored.
    const known = room.occupants.get(nick);
    const occupant: Occupant = {
      nick,
      realJid,
      affiliation: item.attrs.affiliation ?? 'none',
      role: item.attrs.role ?? 'participant',
      order: known?.order ?? ++this.joinOrder,
      displayName: stanza.getChild('nick', 'http://jabber.org/protocol/nick')?.text() ?? known?.displayName,
    };
    room.occupants.set(nick, occupant);
    if (!known) {
      log(`${room.jid}: ${nick} joined (${bare(realJid)})`);
      if (room.idleTimer) clearTimeout(room.idleTimer);
      room.idleTimer = undefined;
      this.armLeaveFocus(room);
    }
    if (!known) this.sessions?.memberJoined(room.jid, nick, realJid);
    const changed = known !== undefined && (known.role !== occupant.role || known.affiliation !== occupant.affiliation);
    if (!known || changed) for (const feature of this.features) feature.occupantJoined?.(room, occupant, changed);
    if (room.ownerGrantPending === nick && occupant.affiliation === 'owner') room.ownerGrantPending = undefined;
    this.ensureOwner(room);
  }

  /** Jicofo reads a room's configuration form on joining; a breakout room's names its main room (protocol.md 13.3). */
  private async readMainRoom(room: Room): Promise<void> {
    try {
      const result = await this.client.iqCaller.request(clientXml('iq', { type: 'get', to: room.jid }, clientXml('query', { xmlns: NS.mucOwner })), 5000);
      const form = result.getChild('query', NS.mucOwner)?.getChild('x', 'jabber:x:data');
      const field = form?.getChildren('field').find((f) => f.attrs.var === 'muc#roominfo_breakout_main_room');
      const main = field?.getChildText('value');
      if (main) {
        room.mainRoomJid = main;
        log(`${room.jid}: a breakout room of ${main}`);
      }
    } catch (error) {
      log(`${room.jid}: configuration form not read: ${(error as Error).message}`);
    }
  }

  /** protocol.md 4.6: auto-owner, the longest-present participant becomes owner when nobody is. */
  private ensureOwner(room: Room): void {
    const participants = this.participants(room);
    if (participants.some((p) => p.affiliation === 'owner') || room.ownerGrantPending || room.leaving || room.mainRoomJid) return;
    const next = participants.sort((a, b) => a.order - b.order)[0];
    if (!next) return;
    room.ownerGrantPending = next.nick;
    log(`${room.jid}: granting owner to ${next.nick}`);
    this.client.iqCaller
      .request(
        clientXml(
          'iq',
          { type: 'set', to: room.jid },
          clientXml(
            'query',
            { xmlns: NS.mucAdmin },
            clientXml('item', { affiliation: 'owner', jid: bare(next.realJid) }),
          ),
        ),
      )
      .catch((error: Error) => {
        log(`${room.jid}: granting owner to ${next.nick} failed: ${error.message}`);
        room.ownerGrantPending = undefined;
      });
  }

  /** What the feature stand-ins see of the focus (features/types.ts). */
  private featureHost(): FeatureHost {
    const view = (room: Room): StandInRoom => ({ jid: room.jid, occupants: room.occupants });
    const live = (): Room[] => [...this.rooms.values()].filter((room) => !room.leaving);
    return {
      domain: this.config.domain,
      mucDomain: this.mucDomain,
      c2sPort: this.config.c2sPort,
      log,
      room: (roomJid) => {
        const room = this.rooms.get(roomJid);
        return room && !room.leaving ? view(room) : undefined;
      },
      rooms: () => live().map(view),
      roomOfRealJid: (realJid) => {
        for (const room of live()) {
          for (const occupant of room.occupants.values()) if (occupant.realJid === realJid) return { room: view(room), occupant };
        }
        return undefined;
      },
      sendAsFocus: (stanza) => this.client.send(stanza),
      iqAsFocus: (stanza, timeoutMs) => this.client.iqCaller.request(stanza, timeoutMs),
      setFocusPresenceExtra: (roomJid, key, child) => {
        const extras = this.presenceExtras.get(roomJid) ?? new Map<string, Element>();
        if (child) extras.set(key, child);
        else extras.delete(key);
        this.presenceExtras.set(roomJid, extras);
        const room = this.rooms.get(roomJid);
        if (!room || room.leaving) return;
        this.client
          .send(clientXml('presence', { to: `${roomJid}/focus` }, ...this.focusPresenceContent(room.control?.kind === 'nobridge'), ...extras.values()))
          .catch((error: Error) => log(`${roomJid}: focus presence not sent: ${error.message}`));
      },
      forceMuteAudio: (roomJid, nick, muted) => this.bridge?.forceMuteAudio(roomJid, nick, muted),
      component: (address) => this.hub.handle(address),
      addConferenceProperty: (name, value) => {
        this.extraProperties.set(name, value);
      },
      onFocusIq: (type, xmlns, name, handler) => {
        this.client.iqCallee[type](xmlns, name, (ctx) => handler(ctx.stanza, ctx.element));
      },
    };
  }

  /** The MUC destroyed a room the focus sat in (a removed breakout room, protocol.md 13.3): it is gone. */
  private roomDestroyed(room: Room): void {
    log(`${room.jid}: destroyed`);
    this.sessions?.roomGone(room.jid);
    for (const feature of this.features) feature.roomGone?.(room.jid);
    this.presenceExtras.delete(room.jid);
    this.clearTimers(room);
    this.rooms.delete(room.jid);
  }

  private leaveRoom(room: Room, why: string, send = true): void {
    room.leaving = true;
    this.sessions?.roomGone(room.jid);
    for (const feature of this.features) feature.roomGone?.(room.jid);
    this.presenceExtras.delete(room.jid);
    this.clearTimers(room);
    log(`${room.jid}: leaving, ${why}`);
    if (!send) return;
    this.client
      .send(clientXml('presence', { to: `${room.jid}/focus`, type: 'unavailable' }))
      .catch((error: Error) => log(`${room.jid}: could not send the leave: ${error.message}`));
  }
}

async function main(): Promise<void> {
  const raw = process.env.FOCUS_STAND_IN_CONFIG;
  if (!raw) throw new Error('FOCUS_STAND_IN_CONFIG (JSON) is not set');
  const focus = new FocusStandIn(JSON.parse(raw) as FocusConfig);
  const shutdown = (): void => {
    void focus.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // The launcher owns this process: if it dies, stdin closes and so do we.
  process.stdin.on('end', shutdown);
  // Test controls from the launcher, one per line (see the file header).
  let pending = '';
  process.stdin.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) void focus.control(line.trim());
  });
  process.stdin.resume();
  await focus.start();
  process.stdout.write('FOCUS_STAND_IN_READY\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((error: unknown) => {
    log(`fatal: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}
