/**
 * Media through the videobridge (protocol.md 5, 7.3, 8): accepts the focus's session-initiate, runs the
 * bridge session and the bridge channel, surfaces the bridge's remote tracks unless a P2P session carries
 * the media, pauses our bridge senders while P2P is up, and turns bridge messages into conference events.
 */
import { JitsiConferenceErrors } from '../errors/JitsiConferenceErrors.js';
import { ConnectionQualityEvents } from '../events/ConnectionQualityEvents.js';
import { JitsiConferenceEvents as E } from '../events/JitsiConferenceEvents.js';
import type { IncomingJingle } from '../jingle/JingleIqHandler.js';
import { JvbSession } from '../jingle/JvbSession.js';
import { JingleSessionError, type RemoteMedia } from '../jingle/P2PSession.js';
import { JINGLE_NS } from '../jingle/parseJingle.js';
import { jingleIq } from '../jingle/toJingle.js';
import { selectVideoCodecs, type VideoCodec } from '../rtc/codecs.js';
import { DESKTOP_DEFAULT_FRAME_RATE } from '../rtc/constraints.js';
import { getLogger } from '../util/logger.js';
import { trace } from '../util/trace.js';
import { BridgeChannel, type ColibriMessage } from './BridgeChannel.js';
import { offerWebSocketUrls, pickWebSocketUrl } from './bridgeChannelOptions.js';
import { applyTrackChange, type ConferenceMedia, type LocalTrackChange } from './ConferenceMedia.js';
import type { P2PController, P2PHost } from './P2PController.js';
import { codecSettings, localCodecOrder, participantCodecs } from './videoCodecs.js';

const logger = getLogger('conference/JvbController');

/** protocol.md 5.2: after this many ICE failures the conference fails with ICE_FAILED. */
const MAX_ICE_RESTARTS = 3;
/** protocol.md 5.2: an in-place ICE restart not connected this long after the request becomes a new session. */
const IN_PLACE_RESTART_TIMEOUT_MS = 15_000;
/** lib-jitsi-meet re-selects the codec this long after the first of a burst of joins and leaves. */
const CODEC_DEBOUNCE_MS = 1_000;
/** The longest a bridge offer waits for a P2P session being negotiated (issue 15; then both proceed at once). */
export const BRIDGE_OFFER_WAIT_MS = 1_000;

export interface JvbHost extends P2PHost {
  /** The conference cannot go on (CONFERENCE_FAILED). */
  fail(error: string, ...details: unknown[]): void;
  /** The `bridgeChannel` options in effect (protocol.md 8.1). */
  bridgeChannel(): { preferSctp: boolean; ignoreDomain: string | undefined };
}

/** What we ask the bridge to send us (protocol.md 8.2 ReceiverVideoConstraints). */
export interface ReceiverConstraints {
  lastN?: number;
  assumedBandwidthBps?: number;
  selectedSources?: string[];
  onStageSources?: string[];
  defaultConstraints?: { maxHeight?: number; maxFrameRate?: number };
  constraints?: Record<string, { maxHeight?: number; maxFrameRate?: number }>;
}

export class JvbController {
  private session: JvbSession | undefined;
  /** Where the session's IQs go (the focus occupant) and the colibri websocket its offer names (protocol.md 5.1, 8.1). */
  private focusJid = '';
  private webSocketUrl: string | undefined;
  private channel: BridgeChannel | undefined;
  /** setDesktopSharingFrameRate(): above 5 fps a screen share is `desktop_high_fps` for the bridge (protocol.md 6). */
  private desktopFrameRate: number | undefined;
  /** Remote media of the bridge session by SSRC, kept while P2P hides it. */
  private readonly remote = new Map<number, { owner: string; media: RemoteMedia }>();
  /** Whether the bridge's remote tracks are in the conference (not while P2P is active). */
  private surfaced = false;
  /** What we ask the bridge for; `lastN` is always there (-1: all). */
  private constraints: ReceiverConstraints & { lastN: number } = { assumedBandwidthBps: -1, lastN: -1 };
  private forwarded: string[] = [];
  /** Our cap on every video source, and the bridge's by source name. */
  private senderCaps = { local: undefined as number | undefined, bridge: new Map<string, number>() };
  private iceFailures = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private stopLevels: (() => void) | undefined;
  private sentVideoTypes = new Map<string, string>();
  private disposed = false;
  /** Our codec order for the bridge (`videoQuality`), published in presence as `codecList`. */
  readonly codecOrder: VideoCodec[];
  /** The last non-empty codec choice. */
  private codecs: VideoCodec[];
  private codecTimer: ReturnType<typeof setTimeout> | undefined;
  /** A bridge offer waiting for P2P (acknowledged already), with the focus's actions for it meanwhile. */
  private deferred: { incoming: IncomingJingle; actions: IncomingJingle[]; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(private readonly host: JvbHost, private readonly media: ConferenceMedia, private readonly p2p: P2PController) {
    media.onSourceInfo = () => this.sendVideoTypes();
    this.codecOrder = localCodecOrder(host.config.videoQuality);
    this.codecs = [...this.codecOrder];
  }

  get currentSession(): JvbSession | undefined {
    return this.session;
  }

  hasSession(sid: string): boolean {
    return this.session?.sid === sid || this.deferred?.incoming.sid === sid;
  }

  isBridgeChannelOpen(): boolean {
    return this.channel?.isOpen() ?? false;
  }

  dispose(notify = true): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.codecTimer);
    this.media.onSourceInfo = undefined;
    this.dropDeferred();
    this.end(notify ? 'success' : undefined, 'leaving');
  }

  /** Our occupant is gone (a rejoin): the focus has ended the session already. */
  reset(): void {
    this.dropDeferred();
    this.end(undefined, 'rejoining');
  }

  // ---- the session --------------------------------------------------------------------------------------------

  onSessionInitiate(incoming: IncomingJingle, waited = false): void {
    trace('jvb session-initiate');
    if (this.disposed) return;
    // issue 15: while a P2P session is being set up, its signalling, ICE, DTLS and first frames go first: the
    // bridge's offer (acknowledged already) waits until the peer's P2P video arrives or P2P is off the table, at
    // most BRIDGE_OFFER_WAIT_MS. While P2P carries the media the bridge session is only a standby.
    this.dropDeferred();
    if (!waited && this.p2p.isSettingUp()) {
      trace('jvb offer waits for p2p');
      this.deferred = { incoming, actions: [], timer: setTimeout(() => this.takeDeferred(), BRIDGE_OFFER_WAIT_MS) };
      return;
    }
    // Jicofo sends a fresh offer after a restart: the old session is over.
    this.end(undefined, 'replaced by a new offer');
    const { openBridgeChannel } = this.host.config;
    const bridgeChannel = this.host.bridgeChannel();
    this.focusJid = incoming.from;
    this.webSocketUrl = pickWebSocketUrl(offerWebSocketUrls(incoming.jingle), bridgeChannel.ignoreDomain);
    const session = new JvbSession({
      xmpp: this.host.xmpp,
      sid: incoming.sid,
      focusJid: incoming.from,
      localJid: this.host.xmpp.jid,
      endpointId: this.host.myUserId(),
      rtcConfig: this.host.iceConfig('jvb'),
      preferSctp: bridgeChannel.preferSctp && openBridgeChannel !== 'websocket' && openBridgeChannel !== false,
      simulcast: this.host.config.disableSimulcast !== true,
      codecs: this.selectCodecs(),
      codecSettings: codecSettings(this.host.config.videoQuality),
    });
    this.session = session;
    session.on('remoteMedia', (media) => this.onRemoteMedia(media));
    session.on('remoteRemoved', (ssrc, owner) => this.onRemoteRemoved(ssrc, owner));
    session.on('ice', (state) => this.onIce(session, state));
    // lib-jitsi-meet: a refused source-add is TRACK_UNMUTE_REJECTED for each of our tracks of that kind.
    session.on('sourcesRejected', (kinds) => {
      if (this.session !== session) return;
      for (const track of this.media.getLocalTracks()) if (kinds.includes(track.getType())) this.host.emit(E.TRACK_UNMUTE_REJECTED, track);
    });
    session.on('failed', (reason) => {
      if (this.session !== session) return;
      logger.warn(`bridge session failed: ${reason}`);
      this.end('general-error', reason);
      this.host.fail(JitsiConferenceErrors.OFFER_ANSWER_FAILED, reason);
    });
    session
      .accept(incoming.jingle, this.media.getLocalTracks())
      .then(() => {
        trace('jvb session-accept sent');
        if (this.session !== session) return;
        if (openBridgeChannel !== false) this.openChannel(session);
        this.onP2PChange();
        this.stopLevels = this.media.pollLevels(session.pc, false);
      })
      .catch((error: unknown) => {
        if (this.session !== session) return;
        const condition = error instanceof JingleSessionError ? error.condition : 'general-error';
        logger.warn('the bridge offer was not accepted', String(error));
        this.end(condition, String((error as Error).message ?? error));
        this.host.fail(JitsiConferenceErrors.OFFER_ANSWER_FAILED, String((error as Error).message ?? error));
      });
  }

  // ---- codec selection (lib-jitsi-meet's CodecSelection, src/rtc/codecs.ts) --------------------------------------

  /** Our order minus what some participant cannot decode; the previous choice when nothing is common. */
  private selectCodecs(): VideoCodec[] {
    const selected = selectVideoCodecs(this.codecOrder, this.host.participants().map(participantCodecs));
    if (selected.length === 0) logger.warn('no video codec is common to every participant; keeping the current one');
    else this.codecs = selected;
    return [...this.codecs];
  }

  /** A participant joined or left: choose again once the burst is over (lib-jitsi-meet waits 1 s, not reset by more). */
  onMembersChanged(): void {
    // A waiting bridge offer goes ahead once the membership rules P2P out (a third participant, the peer left).
    if (this.deferred && !this.p2p.isSettingUp()) this.takeDeferred();
    if (this.disposed || this.codecTimer) return;
    this.codecTimer = setTimeout(() => {
      this.codecTimer = undefined;
      const session = this.session;
      if (!session) return;
      // lib-jitsi-meet emits VIDEO_CODEC_CHANGED for P2P sessions only; the bridge's change is just logged.
      void session.setVideoCodecs(this.selectCodecs()).then((changed) => {
        if (changed) logger.info(`bridge video codec now ${session.currentVideoCodec() ?? 'none'}`);
      });
    }, CODEC_DEBOUNCE_MS);
  }

  onAction(incoming: IncomingJingle): void {
    const deferred = this.deferred;
    if (deferred && incoming.sid === deferred.incoming.sid) {
      if (incoming.action === 'session-terminate') this.dropDeferred();
      else deferred.actions.push(incoming);
      return;
    }
    const session = this.session;
    if (!session || incoming.sid !== session.sid) return;
    if (incoming.action === 'session-terminate') {
      logger.info('the focus ended the bridge session');
      this.end(undefined, 'terminated by the focus');
      return;
    }
    session.handle(incoming.action, incoming.jingle);
  }

  /** The bridge offer that waited for P2P: accepted now, then the focus's actions that came meanwhile. */
  private takeDeferred(): void {
    const deferred = this.deferred;
    if (!deferred) return;
    this.deferred = undefined;
    clearTimeout(deferred.timer);
    this.onSessionInitiate(deferred.incoming, true);
    for (const action of deferred.actions) this.onAction(action);
  }

  private dropDeferred(): void {
    if (this.deferred) clearTimeout(this.deferred.timer);
    this.deferred = undefined;
  }

  /** Ends the session: session-terminate when `reason` is given, channel closed, bridge tracks removed. */
  private end(reason: string | undefined, text: string, restart = false): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.stopLevels?.();
    this.stopLevels = undefined;
    this.channel?.close();
    this.channel = undefined;
    const session = this.session;
    this.session = undefined;
    if (session) session.terminate(reason ?? 'success', text, reason !== undefined, restart);
    for (const [ssrc, entry] of [...this.remote]) {
      this.remote.delete(ssrc);
      this.media.removeRemoteTracks(entry.owner, (track) => !track.isP2P && track.getSSRC() === ssrc);
    }
    this.surfaced = false;
    this.sentVideoTypes.clear();
    this.forwarded = [];
  }

  private onIce(session: JvbSession, state: 'connected' | 'interrupted' | 'restored' | 'failed'): void {
    if (this.session !== session) return;
    switch (state) {
      case 'connected':
        this.iceFailures = 0;
        this.host.emit(E.CONNECTION_ESTABLISHED);
        return;
      case 'interrupted':
        if (!this.p2p.isActive()) this.host.emit(E.CONNECTION_INTERRUPTED);
        return;
      case 'restored':
        clearTimeout(this.restartTimer);
        this.restartTimer = undefined;
        if (!this.p2p.isActive()) this.host.emit(E.CONNECTION_RESTORED);
        return;
      case 'failed':
        this.onIceFailed(session);
    }
  }

  /** protocol.md 5.2: after a jittered delay, session-terminate with restart=true; after 3 tries, ICE_FAILED. */
  private onIceFailed(session: JvbSession): void {
    this.iceFailures++;
    if (this.iceFailures > MAX_ICE_RESTARTS) {
      this.end('connectivity-error', 'ICE FAILED');
      this.host.fail(JitsiConferenceErrors.ICE_FAILED);
      return;
    }
    const delay = 1_000 + Math.random() * 1_000;
    // With enableIceRestart, lib-jitsi-meet first asks for an in-place restart and falls back to a new session
    // when the focus refuses or ICE is not back 15 s later (protocol.md 5.2).
    const inPlace = this.host.config.enableIceRestart === true && session.bridgeSessionId !== undefined;
    logger.warn(`bridge ICE failed; asking the focus for ${inPlace ? 'an in-place ICE restart' : 'a new session'} in ${Math.round(delay)} ms`);
    clearTimeout(this.restartTimer);
    const newSession = (): void => {
      // The new session's RTC configuration is built from XEP-0215 credentials: renewed first when expired.
      void this.host.xmpp.discovery.refreshIfExpired().then(() => {
        if (this.session !== session || this.host.xmpp.state !== 'connected') return;
        this.end('connectivity-error', 'ICE FAILED', true);
      });
    };
    this.restartTimer = setTimeout(() => {
      if (!inPlace || this.session !== session) {
        newSession();
        return;
      }
      this.restartTimer = setTimeout(newSession, IN_PLACE_RESTART_TIMEOUT_MS);
      this.requestIceRestart().catch((error: unknown) => {
        logger.warn('in-place ICE restart refused; asking for a new session', String(error));
        clearTimeout(this.restartTimer);
        newSession();
      });
    }, delay);
  }

  // ---- remote tracks and P2P (protocol.md 7.3) ----------------------------------------------------------------

  private onRemoteMedia(media: RemoteMedia): void {
    const owner = media.source.owner;
    if (!owner) return;
    this.remote.set(media.source.ssrc, { owner, media });
    if (this.surfaced) this.media.addRemoteMedia(owner, media, false);
  }

  /** A participant left: its bridge media is gone with it, whether or not the focus sends source-remove. */
  onMemberLeft(id: string): void {
    for (const [ssrc, entry] of [...this.remote]) if (entry.owner === id) this.remote.delete(ssrc);
  }

  private onRemoteRemoved(ssrc: number, owner: string | undefined): void {
    const entry = this.remote.get(ssrc);
    this.remote.delete(ssrc);
    const id = entry?.owner ?? owner;
    if (id) this.media.removeRemoteTracks(id, (track) => !track.isP2P && track.getSSRC() === ssrc);
  }

  /**
   * protocol.md 7.3: while P2P carries the media (its ICE connected) the bridge's remote tracks are removed
   * from the conference and our bridge senders are paused; when P2P ends both come back.
   */
  onP2PChange(): void {
    if (this.deferred && !this.p2p.isSettingUp()) this.takeDeferred();
    const session = this.session;
    if (!session) return;
    void session.setSendingPaused(this.p2p.isActive());
    const surface = !this.p2p.isActive();
    if (surface === this.surfaced) return;
    this.surfaced = surface;
    if (surface) {
      for (const { owner, media } of this.remote.values()) this.media.addRemoteMedia(owner, media, false);
    } else {
      for (const [ssrc, { owner }] of this.remote) this.media.removeRemoteTracks(owner, (track) => !track.isP2P && track.getSSRC() === ssrc);
    }
    this.media.setDominantSpeakerSource(this.p2p.isActive() || !this.isBridgeChannelOpen() ? 'local' : 'bridge');
  }

  /** A removed track is source-removed on the bridge (protocol.md 5.6). */
  async onLocalTrackChange(change: LocalTrackChange): Promise<void> {
    if (!this.session) return;
    await applyTrackChange(this.session, change);
    this.sendVideoTypes();
  }

  // ---- the bridge channel (protocol.md 8) ---------------------------------------------------------------------

  private openChannel(session: JvbSession): void {
    const url = this.webSocketUrl ?? session.webSocketUrl;
    const channel = session.dataChannel ? new BridgeChannel({ dataChannel: session.dataChannel }) : url ? new BridgeChannel({ url }) : undefined;
    if (!channel) {
      logger.warn('the bridge offer has neither a data content nor a websocket: no bridge channel');
      return;
    }
    this.channel = channel;
    channel.on('open', () => {
      this.host.emit(E.DATA_CHANNEL_OPENED);
      this.sentVideoTypes.clear();
      channel.send({ colibriClass: 'ReceiverVideoConstraints', ...this.constraints });
      if (this.constraints.lastN !== -1) channel.send({ colibriClass: 'LastNChangedEvent', lastN: this.constraints.lastN });
      this.sendVideoTypes();
      this.media.setDominantSpeakerSource(this.p2p.isActive() ? 'local' : 'bridge');
    });
    channel.on('closed', () => {
      this.host.emit(E.DATA_CHANNEL_CLOSED);
      this.media.setDominantSpeakerSource('local');
    });
    channel.on('message', (message) => this.onMessage(message));
  }

  /** Sends over the bridge channel; false when it is not open. */
  send(message: ColibriMessage): boolean {
    return this.channel?.send(message) ?? false;
  }

  private onMessage(message: ColibriMessage): void {
    const text = (key: string): string | undefined => (typeof message[key] === 'string' ? (message[key]) : undefined);
    switch (message.colibriClass) {
      case 'ServerHello':
        logger.info(`bridge channel: ServerHello ${text('version') ?? ''}`);
        return;
      case 'EndpointMessage': {
        const from = text('from') ?? '';
        const payload = (message.msgPayload && typeof message.msgPayload === 'object' ? message.msgPayload : {}) as Record<string, unknown>;
        const participant = this.host.participant(from);
        if (participant) this.host.emit(E.ENDPOINT_MESSAGE_RECEIVED, participant, payload);
        else this.host.emit(E.NON_PARTICIPANT_MESSAGE_RECEIVED, from, payload);
        return;
      }
      case 'EndpointStats': {
        const participant = this.host.participant(text('from') ?? '');
        if (!participant) return;
        this.host.emit(E.ENDPOINT_STATS_RECEIVED, participant, message);
        this.host.emit(ConnectionQualityEvents.REMOTE_STATS_UPDATED, participant.getId(), message);
        return;
      }
      case 'DominantSpeakerEndpointChangeEvent': {
        const id = text('dominantSpeakerEndpoint');
        const previous = Array.isArray(message.previousSpeakers) ? message.previousSpeakers.filter((p): p is string => typeof p === 'string') : [];
        if (id && !this.p2p.isActive()) this.media.bridgeDominantSpeaker(id, previous, message.silence === true);
        return;
      }
      case 'ForwardedSources': {
        const now = Array.isArray(message.forwardedSources) ? message.forwardedSources.filter((s): s is string => typeof s === 'string') : [];
        const leaving = this.forwarded.filter((s) => !now.includes(s));
        const entering = now.filter((s) => !this.forwarded.includes(s));
        this.forwarded = now;
        for (const track of this.media.getRemoteTracks()) {
          if (!track.isP2P && track.getType() === 'video' && track.getSourceName()) track.setTrackStreamingStatus(now.includes(track.getSourceName() ?? '') ? 'active' : 'inactive');
        }
        if (leaving.length > 0 || entering.length > 0) this.host.emit(E.FORWARDED_SOURCES_CHANGED, leaving, entering, Date.now());
        return;
      }
      case 'EndpointConnectivityStatusChangeEvent': {
        const endpoint = text('endpoint');
        const active = text('active') ?? String(message.active);
        for (const track of endpoint ? this.media.getRemoteTracks(endpoint) : []) {
          if (!track.isP2P && track.getType() === 'video') track.setTrackStreamingStatus(active === 'true' ? 'active' : 'interrupted');
        }
        return;
      }
      case 'SenderSourceConstraints': {
        const name = text('sourceName');
        const height = typeof message.maxHeight === 'number' ? message.maxHeight : undefined;
        // Per source, whatever it carries: a screen share that replaced the camera keeps the camera's source
        // name, and the bridge's wish for it changes with how the others show it (protocol.md 8.3).
        if (name && height !== undefined) {
          if (height < 0) this.senderCaps.bridge.delete(name);
          else this.senderCaps.bridge.set(name, height);
          void this.applySenderCap();
        }
        return;
      }
      case 'ConnectionStats':
        if (typeof message.estimatedDownlinkBandwidth === 'number') this.host.emit(E.BRIDGE_BWE_STATS_RECEIVED, message.estimatedDownlinkBandwidth);
        return;
      default:
        logger.debug(`bridge channel: ${String(message.colibriClass)} not handled`);
    }
  }

  /** protocol.md 6: one SourceVideoTypeMessage per local video source whose type changed (`none` when muted). */
  private sendVideoTypes(): void {
    if (!this.isBridgeChannelOpen()) return;
    for (const track of this.media.getLocalTracks('video')) {
      const name = track.getSourceName();
      if (!name) continue;
      const type = track.getVideoType() ?? 'camera';
      const highFps = type === 'desktop' && (this.desktopFrameRate ?? 0) > DESKTOP_DEFAULT_FRAME_RATE;
      const videoType = track.isMuted() ? 'none' : highFps ? 'desktop_high_fps' : type;
      if (this.sentVideoTypes.get(name) === videoType) continue;
      if (this.send({ colibriClass: 'SourceVideoTypeMessage', sourceName: name, videoType })) this.sentVideoTypes.set(name, videoType);
    }
  }

  // ---- what we receive and send -------------------------------------------------------------------------------

  /** Replaces what we ask the bridge for; lastN and assumedBandwidthBps stay as they were unless given. */
  setReceiverConstraints(constraints: ReceiverConstraints): void {
    const { lastN, assumedBandwidthBps } = this.constraints;
    this.constraints = { ...constraints, lastN: constraints.lastN ?? lastN, assumedBandwidthBps: constraints.assumedBandwidthBps ?? assumedBandwidthBps };
    this.send({ colibriClass: 'ReceiverVideoConstraints', ...this.constraints });
  }

  /** protocol.md 8.2: the bandwidth the bridge should assume for us (-1: its own estimate); sent when it changes. */
  setAssumedBandwidthBps(bps: number): void {
    if (this.constraints.assumedBandwidthBps === bps) return;
    this.setReceiverConstraints({ ...this.constraints, assumedBandwidthBps: bps });
  }

  /** Screen shares above 5 fps go to the bridge as `desktop_high_fps` (SourceVideoTypeMessage, protocol.md 6). */
  setDesktopSharingFrameRate(fps: number): void {
    this.desktopFrameRate = fps;
    this.sendVideoTypes();
  }

  /**
   * protocol.md 5.2: asks the focus for an in-place ICE restart of the bridge session (`session-info` with
   * `<bridge-session ice-restart="true"/>`). Resolves when the focus accepts; its new transport then arrives as
   * a transport-info. Rejects with the IqError of a refusal (`feature-not-implemented` when disabled,
   * `resource-constraint` when rate limited).
   */
  async requestIceRestart(): Promise<void> {
    const session = this.session;
    if (!session) throw new Error('there is no bridge session to restart');
    if (!session.bridgeSessionId) throw new Error('the bridge offer had no bridge-session id');
    // The restart gathers anew with the peer connection's TURN servers: renew expired credentials first.
    if (await this.host.xmpp.discovery.refreshIfExpired()) session.pc.setConfiguration({ ...session.pc.getConfiguration(), ...this.host.iceConfig('jvb') });
    const iq = jingleIq(this.focusJid, 'session-info', { sid: session.sid, initiator: this.focusJid });
    iq.c('bridge-session', { xmlns: JINGLE_NS.FOCUS, id: session.bridgeSessionId, 'ice-restart': 'true' }).up();
    await this.host.xmpp.sendIQ(iq, 10_000);
  }

  getReceiverConstraints(): ReceiverConstraints {
    return { ...this.constraints };
  }

  setLastN(lastN: number): void {
    this.constraints = { ...this.constraints, lastN };
    this.send({ colibriClass: 'ReceiverVideoConstraints', ...this.constraints });
  }

  getLastN(): number {
    return this.constraints.lastN;
  }

  getForwardedSources(): string[] {
    return [...this.forwarded];
  }

  /** Our own cap on the camera height (setSenderVideoConstraint); the bridge's SenderSourceConstraints caps too. */
  setSenderVideoConstraint(maxHeight: number | undefined): Promise<void> {
    this.senderCaps.local = maxHeight;
    return this.applySenderCap();
  }

  private applySenderCap(): Promise<void> {
    return this.session?.setSenderMaxHeight(this.senderCaps.local, this.senderCaps.bridge) ?? Promise.resolve();
  }
}
