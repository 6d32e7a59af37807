/**
 * Jicofo's session handling for the focus STAND-IN (protocol.md 5.1-5.6), with the bridge stand-in
 * (bridge-stand-in.ts) in place of a Jitsi Videobridge. Behaves like a Jicofo configured with:
 * - min-participants 2; transport-cc OFF (backend.md: with werift, offering it made Chromium's send bitrate
 *   collapse), so REMB is offered to clients that support it; RED off; codecs restricted to VP8 (+RTX 96) and
 *   opus (+telephone-event); strip-simulcast on; SSRC rewriting off (endpoint sources are signalled);
 *   reinvite-method RestartJingle; single-participant-timeout 20 s (configurable for tests).
 *
 * Flow: once a room has >= 2 participants (the focus not counted), every participant without a session gets
 * disco#info (to its occupant JID; no answer in 5 s = Jicofo's defaults), a bridge allocation, and a
 * `session-initiate` sent to its occupant JID (so it arrives `from` room/focus, `to` its real full JID, as
 * protocol.md 5.1 says) carrying the sources of every other participant (stripped of simulcast layers) and
 * the bridge's feedback sources, JSON-encoded when the client supports it. Its `session-accept` is validated
 * (5.6), its sources go to the bridge and, as `source-add`, to the others; updates for a participant whose
 * session is not accepted yet are queued and sent after its accept (as Jicofo does). `source-add` /
 * `source-remove` from a client are validated and relayed. `session-terminate` from a client frees its bridge
 * endpoint and removes its sources (source-remove to the others); with `<bridge-session restart="true"/>` a
 * brand-new session-initiate follows. An in-place ICE restart request (`session-info` ice-restart) is refused
 * with feature-not-implemented, except in `standin-icerestart` rooms (a Jicofo with in-place restarts enabled),
 * where it is answered by a `transport-info` carrying the bridge's new ICE credentials and `ice-generation`
 * (protocol.md 5.2); so is the launcher's `ice-restart <room>` test control. The client's transport-info reply
 * gives the bridge its new credentials.
 *
 * Choices where protocol.md leaves room:
 * - On leave, the others get a `source-remove` for the leaver's sources (current Jicofo skips it and relies on
 *   the MUC leave; a client must cope with both), and its bridge endpoint is expired.
 * - Back to one participant: its session is kept for the single-participant timeout, then Jicofo's
 *   `session-terminate` reason `expired` "Idle session timeout" is sent and the bridge endpoint freed; when a
 *   second participant joins again, both are invited afresh.
 * - A bridge restart (test control) re-invites like Jicofo: source-remove to the others, session-terminate
 *   reason `success` "moving", then a new session-initiate.
 * - A session-accept whose sources fail validation is refused with bad-request as a whole (the transport is
 *   not used either); the session stays pending.
 */
import { randomBytes } from 'node:crypto';
import { xml } from '@xmpp/client';
import type { XmlElement, XmppEntity } from '@xmpp/xml';
import type { Source, SourceGroup } from '../../src/jingle/model.js';
import type { BridgeStandIn } from './bridge-stand-in.js';
import {
  DEFAULT_FEATURES,
  FEATURE,
  NS_JINGLE,
  iceRestartTransportInfo,
  emptySources,
  isEmptySources,
  parseContents,
  sessionInitiate,
  sourceUpdate,
  ssrcsOf,
  stripSimulcast,
  type EndpointSources,
} from './jingle-xml.js';

const NS_DISCO = 'http://jabber.org/protocol/disco#info';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const MAX_SSRCS = 20;
const MAX_GROUPS = 20;
export const DISCO_TIMEOUT_MS = 5000;
export const SINGLE_PARTICIPANT_TIMEOUT_MS = 20_000;
/** TEST CONTROL `standin-icerestart`: a Jicofo with in-place ICE restarts enabled (session-info is honoured). */
const ICE_RESTART_ROOM = /^standin-icerestart(-|@)/;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

interface Session {
  sid: string;
  bridgeSessionId: string;
  features: Set<string>;
  json: boolean;
  accepted: boolean;
  /** `ice-generation` of the last in-place ICE restart sent (0: none). */
  iceGeneration: number;
  queue: { action: 'source-add' | 'source-remove'; sources: Map<string, EndpointSources> }[];
}

interface Participant {
  nick: string;
  occupantJid: string;
  realJid: string;
  session: Session | undefined;
  inviting: boolean;
  gone: boolean;
}

interface Conference {
  room: string;
  participants: Map<string, Participant>;
  /** The conference source map: what each endpoint sends (protocol.md 5.6). */
  sources: Map<string, EndpointSources>;
  singleTimer: ReturnType<typeof setTimeout> | undefined;
}

export interface SessionsOptions {
  client: XmppEntity;
  /** Jicofo's real full JID, the `initiator` of its offers (protocol.md 5.1). */
  focusFullJid: string;
  bridge: BridgeStandIn;
  log: (message: string) => void;
  singleParticipantTimeoutMs?: number;
  region?: string;
  /** protocol.md 13.2 (e): whether a feature (AV moderation) lets the participant add a source of this kind. */
  sourceAddAllowed?(roomJid: string, nick: string, mediaType: 'audio' | 'video'): boolean;
}

const stanzaError = (type: string, condition: string, text?: string, extra?: XmlElement): XmlElement =>
  xml('error', { type }, xml(condition, { xmlns: NS_STANZAS }), ...(text ? [xml('text', { xmlns: NS_STANZAS }, text)] : []), ...(extra ? [extra] : []));

/** `bad-request` with a reason (protocol.md 5.6: source validation failures). */
const badRequest = (text: string): XmlElement => stanzaError('modify', 'bad-request', text);

const cloneSources = (s: EndpointSources): EndpointSources => ({
  audio: s.audio.map((x) => ({ ...x })),
  video: s.video.map((x) => ({ ...x })),
  audioGroups: s.audioGroups.map((g) => ({ ...g, ssrcs: [...g.ssrcs] })),
  videoGroups: s.videoGroups.map((g) => ({ ...g, ssrcs: [...g.ssrcs] })),
});

/**
 * Jicofo's ValidatingConferenceSourceMap rules (protocol.md 5.6) for the full source set `s` an endpoint would
 * have. Returns the violation, or undefined when valid.
 */
export function validateSources(owner: string, s: EndpointSources, conference: ReadonlyMap<string, EndpointSources>): string | undefined {
  const all: Source[] = [...s.audio, ...s.video];
  const groups: SourceGroup[] = [...s.audioGroups, ...s.videoGroups];
  if (all.length > MAX_SSRCS) return `too many SSRCs (${all.length} > ${MAX_SSRCS})`;
  if (groups.length > MAX_GROUPS) return `too many groups (${groups.length} > ${MAX_GROUPS})`;
  const bySsrc = new Map<number, Source>();
  for (const source of all) {
    if (!Number.isInteger(source.ssrc) || source.ssrc <= 0 || source.ssrc >= 2 ** 32) return `invalid ssrc ${source.ssrc}`;
    if (bySsrc.has(source.ssrc)) return `duplicate ssrc ${source.ssrc}`;
    bySsrc.set(source.ssrc, source);
  }
  const otherMsids = new Map<string, string>();
  for (const [endpoint, other] of conference) {
    if (endpoint === owner) continue;
    for (const source of [...other.audio, ...other.video]) {
      if (bySsrc.has(source.ssrc)) return `ssrc ${source.ssrc} is already used by ${endpoint}`;
      if (source.msid) otherMsids.set(source.msid, endpoint);
    }
  }
  // Families: SSRCs tied by groups share one msid; two families must not.
  const parent = new Map<number, number>(all.map((x) => [x.ssrc, x.ssrc]));
  const find = (x: number): number => {
    while (parent.get(x) !== x) x = parent.get(x) ?? x;
    return x;
  };
  for (const [kind, list] of [['audio', s.audioGroups], ['video', s.videoGroups]] as const) {
    for (const group of list) {
      if (group.semantics === 'FID' && group.ssrcs.length !== 2) return `FID group with ${group.ssrcs.length} SSRCs`;
      if (group.ssrcs.length < 2) return `${group.semantics} group with ${group.ssrcs.length} SSRC`;
      const members = group.ssrcs.map((ssrc) => s[kind].find((x) => x.ssrc === ssrc));
      const missing = group.ssrcs.find((_, i) => !members[i]);
      if (missing !== undefined) return `${group.semantics} group refers to ssrc ${missing}, which is not a ${kind} source`;
      const msids = new Set(members.map((m) => m?.msid));
      if (msids.has(undefined)) return `grouped ssrc without msid in a ${group.semantics} group`;
      if (msids.size > 1) return `SSRCs of a ${group.semantics} group have different msids`;
      const [first, ...rest] = group.ssrcs;
      for (const ssrc of rest) parent.set(find(ssrc), find(first ?? ssrc));
    }
  }
  const familyOfMsid = new Map<string, number>();
  for (const source of all) {
    if (!source.msid) continue;
    const root = find(source.ssrc);
    const known = familyOfMsid.get(source.msid);
    if (known !== undefined && known !== root) return `msid "${source.msid}" is used by two sources`;
    familyOfMsid.set(source.msid, root);
    const other = otherMsids.get(source.msid);
    if (other) return `msid "${source.msid}" is already used by ${other}`;
  }
  return undefined;
}

/** The sources of `s` whose SSRC is in `ssrcs`, with the groups made only of them. */
function subset(s: EndpointSources, ssrcs: ReadonlySet<number>): EndpointSources {
  return {
    audio: s.audio.filter((x) => ssrcs.has(x.ssrc)),
    video: s.video.filter((x) => ssrcs.has(x.ssrc)),
    audioGroups: s.audioGroups.filter((g) => g.ssrcs.every((x) => ssrcs.has(x))),
    videoGroups: s.videoGroups.filter((g) => g.ssrcs.every((x) => ssrcs.has(x))),
  };
}

function without(s: EndpointSources, ssrcs: ReadonlySet<number>): EndpointSources {
  return {
    audio: s.audio.filter((x) => !ssrcs.has(x.ssrc)),
    video: s.video.filter((x) => !ssrcs.has(x.ssrc)),
    audioGroups: s.audioGroups.filter((g) => !g.ssrcs.some((x) => ssrcs.has(x))),
    videoGroups: s.videoGroups.filter((g) => !g.ssrcs.some((x) => ssrcs.has(x))),
  };
}

function union(a: EndpointSources, b: EndpointSources): EndpointSources {
  return {
    audio: [...a.audio, ...b.audio],
    video: [...a.video, ...b.video],
    audioGroups: [...a.audioGroups, ...b.audioGroups],
    videoGroups: [...a.videoGroups, ...b.videoGroups],
  };
}

export class FocusSessions {
  private readonly conferences = new Map<string, Conference>();
  private stopped = false;

  constructor(private readonly o: SessionsOptions) {
    o.bridge.events.onRestart = (lost) => void this.onBridgeRestart(lost);
  }

  private log(message: string): void {
    this.o.log(message);
  }

  stop(): void {
    this.stopped = true;
    for (const conference of this.conferences.values()) if (conference.singleTimer) clearTimeout(conference.singleTimer);
    this.conferences.clear();
  }

  memberJoined(room: string, nick: string, realJid: string): void {
    let conference = this.conferences.get(room);
    if (!conference) {
      conference = { room, participants: new Map(), sources: new Map(), singleTimer: undefined };
      this.conferences.set(room, conference);
    }
    if (conference.participants.has(nick)) return;
    conference.participants.set(nick, { nick, occupantJid: `${room}/${nick}`, realJid, session: undefined, inviting: false, gone: false });
    this.inviteAll(conference);
  }

  memberLeft(room: string, nick: string): void {
    const conference = this.conferences.get(room);
    const participant = conference?.participants.get(nick);
    if (!conference || !participant) return;
    participant.gone = true;
    conference.participants.delete(nick);
    this.endSession(conference, participant, true);
    if (conference.participants.size === 1) this.armSingleParticipantTimeout(conference);
    if (conference.participants.size === 0) this.roomGone(room);
  }

  /** The room is destroyed or the focus left it. */
  roomGone(room: string): void {
    const conference = this.conferences.get(room);
    if (!conference) return;
    if (conference.singleTimer) clearTimeout(conference.singleTimer);
    for (const participant of conference.participants.values()) {
      participant.gone = true;
      if (participant.session) this.o.bridge.expire(room, participant.nick);
    }
    this.conferences.delete(room);
  }

  private inviteAll(conference: Conference): void {
    if (conference.participants.size < 2) return;
    if (conference.singleTimer) clearTimeout(conference.singleTimer);
    conference.singleTimer = undefined;
    for (const participant of conference.participants.values()) {
      if (!participant.session && !participant.inviting) void this.invite(conference, participant);
    }
  }

  private armSingleParticipantTimeout(conference: Conference): void {
    if (conference.singleTimer) clearTimeout(conference.singleTimer);
    conference.singleTimer = setTimeout(() => {
      conference.singleTimer = undefined;
      const [last] = [...conference.participants.values()];
      if (conference.participants.size !== 1 || !last?.session) return;
      this.log(`${conference.room}: single participant timeout, terminating ${last.nick}'s session`);
      void this.sendTerminate(last, last.session, 'expired', 'Idle session timeout');
      this.endSession(conference, last, false);
    }, this.o.singleParticipantTimeoutMs ?? SINGLE_PARTICIPANT_TIMEOUT_MS);
  }

  /** protocol.md 2.7: disco#info to the occupant; Jicofo's defaults when it does not answer. */
  private async features(participant: Participant): Promise<Set<string>> {
    try {
      const result = await this.o.client.iqCaller.request(xml('iq', { type: 'get', to: participant.occupantJid }, xml('query', { xmlns: NS_DISCO })), DISCO_TIMEOUT_MS);
      const query = result.getChild('query', NS_DISCO);
      return new Set((query?.getChildren('feature') ?? []).map((f) => f.attrs.var ?? ''));
    } catch (error) {
      this.log(`${participant.occupantJid}: no disco#info (${(error as Error).message}), assuming Jicofo's defaults`);
      return new Set(DEFAULT_FEATURES);
    }
  }

  /** Sources to announce to `to`: everybody else's (strip-simulcast) plus the bridge's feedback sources. */
  private offerSources(conference: Conference, to: string): Map<string, EndpointSources> {
    const map = new Map<string, EndpointSources>();
    for (const [owner, sources] of conference.sources) {
      if (owner !== to && !isEmptySources(sources)) map.set(owner, stripSimulcast(sources));
    }
    const feedback = this.o.bridge.feedbackSources(conference.room);
    map.set('jvb', { audio: [feedback.audio], video: [feedback.video], audioGroups: [], videoGroups: [] });
    return map;
  }

  private async invite(conference: Conference, participant: Participant): Promise<void> {
    participant.inviting = true;
    try {
      const features = await this.features(participant);
      if (participant.gone || this.stopped) return;
      const transport = await this.o.bridge.allocate(conference.room, participant.nick);
      if (participant.gone || this.stopped) {
        this.o.bridge.expire(conference.room, participant.nick);
        return;
      }
      const session: Session = {
        sid: hex(6),
        bridgeSessionId: hex(8),
        features,
        json: features.has(FEATURE.json),
        accepted: false,
        iceGeneration: 0,
        queue: [],
      };
      participant.session = session;
      const jingle = sessionInitiate({
        sid: session.sid,
        initiator: this.o.focusFullJid,
        features,
        transport,
        bridgeSessionId: session.bridgeSessionId,
        region: 'standin-region',
        sources: this.offerSources(conference, participant.nick),
        // Test control `standin-vp8only` (focus-stand-in.ts): a Jicofo configured with VP8 only.
        ...(/^standin-vp8only(-|@)/.test(conference.room) ? { videoCodecs: ['VP8'] as const } : {}),
      });
      this.log(`${participant.occupantJid}: session-initiate ${session.sid} (${session.json ? 'JSON' : 'XML'} sources)`);
      try {
        await this.o.client.iqCaller.request(xml('iq', { type: 'set', to: participant.occupantJid }, jingle), 10_000);
      } catch (error) {
        const message = (error as Error).message;
        // Jicofo: a missing response counts as success; an error response expires the allocation.
        if (/timeout/i.test(message) || (error as Error).name === 'TimeoutError') return;
        this.log(`${participant.occupantJid}: session-initiate refused (${message}), expiring its allocation`);
        if (participant.session === session) {
          participant.session = undefined;
          this.o.bridge.expire(conference.room, participant.nick);
        }
      }
    } catch (error) {
      this.log(`${participant.occupantJid}: invite failed: ${(error as Error).message}`);
    } finally {
      participant.inviting = false;
    }
  }

  private async sendTerminate(participant: Participant, session: Session, reason: string, text: string): Promise<void> {
    const jingle = xml(
      'jingle',
      { xmlns: NS_JINGLE.jingle, action: 'session-terminate', sid: session.sid },
      xml('reason', {}, xml(reason), xml('text', {}, text)),
    );
    await this.o.client.iqCaller.request(xml('iq', { type: 'set', to: participant.occupantJid }, jingle), 10_000).catch((error: Error) => {
      this.log(`${participant.occupantJid}: session-terminate not acknowledged: ${error.message}`);
    });
  }

  /** Ends a participant's session: bridge endpoint freed, its sources removed (and announced when asked). */
  private endSession(conference: Conference, participant: Participant, announce: boolean): void {
    if (participant.session || participant.inviting) this.o.bridge.expire(conference.room, participant.nick);
    participant.session = undefined;
    const sources = conference.sources.get(participant.nick);
    conference.sources.delete(participant.nick);
    if (announce && sources && !isEmptySources(sources)) this.propagate(conference, participant.nick, 'source-remove', sources);
  }

  /** Sends (or queues, for a session not accepted yet) a source update to every other participant. */
  private propagate(conference: Conference, owner: string, action: 'source-add' | 'source-remove', sources: EndpointSources): void {
    const announced = new Map([[owner, stripSimulcast(sources)]]);
    for (const other of conference.participants.values()) {
      if (other.nick === owner || !other.session) continue;
      if (other.session.accepted) this.sendUpdate(other, other.session, action, announced);
      else other.session.queue.push({ action, sources: announced });
    }
  }

  private sendUpdate(to: Participant, session: Session, action: 'source-add' | 'source-remove', sources: Map<string, EndpointSources>): void {
    const jingle = sourceUpdate(action, session.sid, sources, session.json);
    this.o.client.iqCaller.request(xml('iq', { type: 'set', to: to.occupantJid }, jingle), 10_000).catch((error: Error) => {
      this.log(`${to.occupantJid}: ${action} not acknowledged: ${error.message}`);
    });
  }

  private async onBridgeRestart(lost: Map<string, string[]>): Promise<void> {
    for (const [room, endpoints] of lost) {
      const conference = this.conferences.get(room);
      if (!conference) continue;
      const moving = endpoints.map((nick) => conference.participants.get(nick)).filter((p): p is Participant => p?.session !== undefined);
      for (const participant of moving) {
        const session = participant.session;
        this.endSession(conference, participant, true);
        if (session) await this.sendTerminate(participant, session, 'success', 'moving');
      }
      this.inviteAll(conference);
    }
  }

  /**
   * A Jingle IQ from an occupant to the focus. Returns true for an empty result, or an `<error/>` for the
   * error reply (protocol.md 5.1).
   */
  onJingle(iq: XmlElement, jingle: XmlElement): XmlElement | true {
    const from = iq.attrs.from ?? '';
    const slash = from.indexOf('/');
    const room = from.slice(0, slash);
    const nick = from.slice(slash + 1);
    const conference = this.conferences.get(room);
    const participant = conference?.participants.get(nick);
    const action = jingle.attrs.action ?? '';
    const session = participant?.session;
    const unknownSession = (): XmlElement =>
      stanzaError('cancel', 'item-not-found', undefined, xml('unknown-session', { xmlns: NS_JINGLE.errors }));
    const known = ['session-accept', 'source-add', 'source-remove', 'transport-info', 'session-terminate', 'session-info', 'transport-accept', 'transport-reject'];
    if (!known.includes(action)) return badRequest(`unsupported action ${JSON.stringify(action)}`);
    if (!conference || !participant || !session || jingle.attrs.sid !== session.sid) return unknownSession();
    switch (action) {
      case 'session-accept':
        return this.onSessionAccept(conference, participant, session, jingle);
      case 'source-add':
      case 'source-remove':
        return this.onSourceUpdate(conference, participant, action, jingle);
      case 'session-terminate': {
        const bridgeSession = jingle.getChild('bridge-session', NS_JINGLE.focus);
        if (bridgeSession?.attrs.id && bridgeSession.attrs.id !== session.bridgeSessionId) {
          return badRequest(`${bridgeSession.attrs.id} is not a currently active bridge session`);
        }
        const restart = bridgeSession?.attrs.restart === 'true';
        this.log(`${from}: session-terminate${restart ? ' with restart' : ''}`);
        this.endSession(conference, participant, true);
        if (restart) setTimeout(() => void this.invite(conference, participant), 0);
        return true;
      }
      case 'session-info':
        if (jingle.getChild('bridge-session', NS_JINGLE.focus)?.attrs['ice-restart'] === 'true') {
          if (!ICE_RESTART_ROOM.test(room)) return stanzaError('cancel', 'feature-not-implemented', 'in-place ICE restart is disabled');
          this.log(`${from}: in-place ICE restart requested`);
          setTimeout(() => void this.restartIce(conference, participant, session), 0);
        }
        return true;
      case 'transport-info':
        return this.onTransportInfo(conference, participant, session, jingle);
      default:
        // transport-accept/-reject: acknowledged.
        return true;
    }
  }

  /**
   * TEST CONTROL (launcher `ice-restart <room>`): an in-place ICE restart of every accepted session of the room,
   * as Jicofo sends one (protocol.md 5.2). Resolves with how many were sent.
   */
  async restartRoomIce(room: string): Promise<number> {
    const conference = this.conferences.get(room);
    if (!conference) return 0;
    const sent = await Promise.all(
      [...conference.participants.values()].flatMap((p) => (p.session?.accepted ? [this.restartIce(conference, p, p.session)] : [])),
    );
    return sent.filter(Boolean).length;
  }

  /** A transport-info with the bridge's new ICE credentials; the client replies with its own in a transport-info. */
  private async restartIce(conference: Conference, participant: Participant, session: Session): Promise<boolean> {
    const transport = await this.o.bridge.restartIce(conference.room, participant.nick);
    if (!transport || participant.session !== session || this.stopped) return false;
    session.iceGeneration++;
    const jingle = iceRestartTransportInfo(session.sid, this.o.focusFullJid, transport, session.iceGeneration);
    this.log(`${participant.occupantJid}: transport-info ICE restart, generation ${session.iceGeneration}`);
    try {
      await this.o.client.iqCaller.request(xml('iq', { type: 'set', to: participant.occupantJid }, jingle), 10_000);
      return true;
    } catch (error) {
      this.log(`${participant.occupantJid}: ICE restart transport-info refused: ${(error as Error).message}`);
      return false;
    }
  }

  /** The client's reply to an ICE restart: its new credentials go to the bridge. Other transport-info: acked. */
  private onTransportInfo(conference: Conference, participant: Participant, session: Session, jingle: XmlElement): XmlElement | true {
    if (session.iceGeneration === 0) return true;
    const t = parseContents(jingle).transport;
    if (!t?.ufrag || !t.pwd) return badRequest('transport-info without ICE ufrag/pwd');
    this.log(`${participant.occupantJid}: transport-info reply, ufrag ${t.ufrag}`);
    this.o.bridge.setTransport(conference.room, participant.nick, t).catch((error: Error) => {
      this.log(`${participant.occupantJid}: the bridge refused the restarted transport: ${error.message}`);
    });
    return true;
  }

  private onSessionAccept(conference: Conference, participant: Participant, session: Session, jingle: XmlElement): XmlElement | true {
    if (session.accepted) return stanzaError('cancel', 'unexpected-request', 'session already accepted');
    const parsed = parseContents(jingle);
    if (parsed.problems.length > 0) return badRequest(parsed.problems.join('; '));
    const t = parsed.transport;
    if (!t?.ufrag || !t.pwd || t.fingerprints.length === 0) return badRequest('session-accept without ICE ufrag/pwd and DTLS fingerprint');
    const violation = validateSources(participant.nick, parsed.sources, conference.sources);
    if (violation) {
      this.log(`${participant.occupantJid}: session-accept refused: ${violation}`);
      return badRequest(violation);
    }
    session.accepted = true;
    conference.sources.set(participant.nick, parsed.sources);
    this.log(`${participant.occupantJid}: session-accept, ${ssrcsOf(parsed.sources).length} SSRCs`);
    this.o.bridge.setSources(conference.room, participant.nick, parsed.sources);
    this.o.bridge.setTransport(conference.room, participant.nick, t).catch((error: Error) => {
      this.log(`${participant.occupantJid}: the bridge refused the transport: ${error.message}`);
    });
    if (!isEmptySources(parsed.sources)) this.propagate(conference, participant.nick, 'source-add', parsed.sources);
    for (const queued of session.queue.splice(0)) this.sendUpdate(participant, session, queued.action, queued.sources);
    if (/^standin-hostilejingle(-|@)/.test(conference.room)) setTimeout(() => void this.sendHostile(conference, participant, session), 300);
    return true;
  }

  /**
   * TEST CONTROL `standin-hostilejingle` (see focus-stand-in.ts): Jingle a real Jicofo never sends, to check
   * that a client answers it as protocol.md 5.1 says and keeps its call. Each reply is logged.
   */
  private async sendHostile(conference: Conference, participant: Participant, session: Session): Promise<void> {
    if (participant.session !== session || this.stopped) return;
    const otherSsrc = [...conference.sources.entries()].filter(([owner]) => owner !== participant.nick).flatMap(([, sources]) => ssrcsOf(sources))[0] ?? 4242;
    const json = (text: string, sid = session.sid, action = 'source-add'): XmlElement =>
      xml('jingle', { xmlns: NS_JINGLE.jingle, action, sid }, xml('json-message', { xmlns: 'http://jitsi.org/jitmeet' }, text));
    const cases: [string, XmlElement][] = [
      ['json-message that is not JSON', json('{"sources": {not json')],
      ['SSRC of another endpoint as owner ghost', json(JSON.stringify({ sources: { ghost: [[], [], [{ s: otherSsrc, n: 'ghost-a0', m: 'ghost-audio-0-1 g-1' }]] } }))],
      ['SSRC 0 and a broken group', json(JSON.stringify({ sources: { ghost: [[{ s: 0, n: 'ghost-v0' }], [['f', 0, 7]]] } }))],
      ['unknown sid', json(JSON.stringify({ sources: { ghost: [[], [], [{ s: 991, n: 'ghost-a0' }]] } }), 'nosuchsession')],
      ['source-remove of an SSRC never announced', json(JSON.stringify({ sources: { ghost: [[], [], [{ s: 992 }]] } }), session.sid, 'source-remove')],
      ['transport-info without a transport', xml('jingle', { xmlns: NS_JINGLE.jingle, action: 'transport-info', sid: session.sid }, xml('content', { creator: 'initiator', name: 'audio' }))],
    ];
    for (const [what, jingle] of cases) {
      try {
        await this.o.client.iqCaller.request(xml('iq', { type: 'set', to: participant.occupantJid }, jingle), 10_000);
        this.log(`test control hostilejingle: ${participant.occupantJid}: ${what}: result`);
      } catch (error) {
        this.log(`test control hostilejingle: ${participant.occupantJid}: ${what}: ${(error as Error).message}`);
      }
    }
  }

  private onSourceUpdate(conference: Conference, participant: Participant, action: 'source-add' | 'source-remove', jingle: XmlElement): XmlElement | true {
    const parsed = parseContents(jingle);
    if (parsed.problems.length > 0) return badRequest(parsed.problems.join('; '));
    const current = conference.sources.get(participant.nick) ?? emptySources();
    let next: EndpointSources;
    let changed: EndpointSources;
    if (action === 'source-add') {
      if (isEmptySources(parsed.sources)) return badRequest('source-add without sources');
      const refused = (['audio', 'video'] as const).find((kind) => parsed.sources[kind].length > 0 && this.o.sourceAddAllowed?.(conference.room, participant.nick, kind) === false);
      if (refused) {
        this.log(`${participant.occupantJid}: source-add of ${refused} refused: not allowed to unmute`);
        return stanzaError('cancel', 'not-allowed', `${refused} is moderated`);
      }
      next = union(current, parsed.sources);
      changed = parsed.sources;
    } else {
      const removing = new Set(ssrcsOf(parsed.sources));
      const owned = new Set(ssrcsOf(current));
      const foreign = [...removing].find((ssrc) => !owned.has(ssrc));
      if (foreign !== undefined) return badRequest(`ssrc ${foreign} is not a source of ${participant.nick}`);
      changed = subset(current, removing);
      next = without(current, removing);
    }
    const violation = validateSources(participant.nick, next, conference.sources);
    if (violation) {
      this.log(`${participant.occupantJid}: ${action} refused: ${violation}`);
      return badRequest(violation);
    }
    conference.sources.set(participant.nick, cloneSources(next));
    this.log(`${participant.occupantJid}: ${action} of ${ssrcsOf(changed).length} SSRCs`);
    this.o.bridge.setSources(conference.room, participant.nick, next);
    if (!isEmptySources(changed)) this.propagate(conference, participant.nick, action, changed);
    return true;
  }
}
