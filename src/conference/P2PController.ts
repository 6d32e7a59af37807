/**
 * Direct 1:1 media (protocol.md 7): decides when a P2P session should run, who offers, answers or refuses
 * offers, moves remote tracks in and out, and reports P2P_STATUS and ICE interruptions.
 */
import { JitsiConferenceEvents as E } from '../events/JitsiConferenceEvents.js';
import type { JingleIqHandler} from '../jingle/JingleIqHandler.js';
import { type IncomingJingle } from '../jingle/JingleIqHandler.js';
import { newSid } from '../jingle/model.js';
import { JingleSessionError, P2PSession, type RemoteMedia } from '../jingle/P2PSession.js';
import { selectVideoCodecs, type VideoCodec } from '../rtc/codecs.js';
import { getLogger } from '../util/logger.js';
import { applyTrackChange, type ConferenceMedia, type LocalTrackChange, type MediaHost } from './ConferenceMedia.js';
import type { JitsiParticipant } from './JitsiParticipant.js';
import type { ConferenceOptions } from './types.js';
import { codecSettings, localCodecOrder, participantCodecs } from './videoCodecs.js';
import { trace } from '../util/trace.js';

const logger = getLogger('conference/P2PController');

const JIGASI_FEATURE = 'http://jitsi.org/protocol/jigasi';

export interface P2PHost extends MediaHost {
  readonly config: ConferenceOptions;
  participants(): JitsiParticipant[];
  isJoined(): boolean;
  focusProperty(name: string): string | undefined;
  /** The peer connection's ICE configuration (iceConfig.ts). */
  iceConfig(kind: 'p2p' | 'jvb'): RTCConfiguration;
  /** Room metadata `recording.isTranscribingEnabled` (protocol.md 13.8): no P2P while it is true. */
  isTranscribing?(): boolean;
}

interface P2POptions {
  enabled?: boolean;
  backToP2PDelay?: number;
  /** Seconds our session-initiate may wait for the peer's session-accept before P2P is given up. */
  sessionAcceptTimeout?: number;
}

/** Default of `p2p.sessionAcceptTimeout` (seconds): media flows through the bridge meanwhile. */
export const DEFAULT_P2P_ACCEPT_TIMEOUT_S = 15;
/** How often, and how long at most, the first decoded P2P frame is waited for (isSettingUp). */
const FIRST_FRAME_POLL_MS = 10;
const FIRST_FRAME_WAIT_MS = 1000;


export class P2PController {
  private session: P2PSession | undefined;
  private active = false;
  private startTimer: ReturnType<typeof setTimeout> | undefined;
  /** Runs from our session-initiate until the peer's session-accept. */
  private acceptTimer: ReturnType<typeof setTimeout> | undefined;
  private stopLevels: (() => void) | undefined;
  /** Remote media of the session that waits for ICE to connect. */
  private pendingMedia: RemoteMedia[] = [];
  /** Called when a session starts, connects or ends (the bridge side follows it, protocol.md 7.3). */
  onChange: (() => void) | undefined;
  /** The peer's first video frame has been decoded in the current session (isSettingUp). */
  private videoFlowing = false;
  /** After an ICE failure, P2P waits for the next membership change (protocol.md 7.1). */
  private suspended = false;
  private disposed = false;

  constructor(private readonly host: P2PHost, private readonly media: ConferenceMedia, private readonly jingle: Pick<JingleIqHandler, 'refuse'>) {}

  hasSession(sid: string): boolean {
    return this.session?.sid === sid;
  }

  private get options(): P2POptions {
    return (this.host.config.p2p ?? {});
  }

  /**
   * protocol.md 7.1: sessions start and stop by themselves unless `p2p.enabled` is false or in
   * `testing.p2pTestMode`, where only startP2PSession() starts one (and test mode still accepts offers).
   */
  private get automatic(): boolean {
    return this.options.enabled !== false && this.host.config.testing?.p2pTestMode !== true;
  }

  isActive(): boolean {
    return this.active;
  }

  /**
   * Issue 15: a P2P session is being set up, until the peer's first video frame is decoded (at most
   * FIRST_FRAME_WAIT_MS after its track unmutes), or one is about to be (the P2P rule holds and the peer is the
   * one to offer). The bridge's offer waits meanwhile.
   */
  isSettingUp(): boolean {
    if (this.session) return !this.videoFlowing;
    if (this.disposed || !this.automatic || this.suspended || !this.host.isJoined()) return false;
    const peer = this.eligiblePeer();
    return peer !== undefined && !this.isInitiatorFor(peer);
  }

  private isInitiatorFor(peer: JitsiParticipant): boolean {
    const testing = this.host.config.testing;
    return testing?.forceInitiator === true || (testing?.forceResponder !== true && this.host.myUserId() < peer.getId());
  }

  get currentSession(): P2PSession | undefined {
    return this.session;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // The bridge side is disposed with us: it must not take this end as a cue (a waiting offer, paused senders).
    this.onChange = undefined;
    this.stop('success', 'Turning off P2P session', true);
    clearTimeout(this.startTimer);
  }

  /** Drops the session without signalling (our occupant is gone: the peer has already ended it). */
  reset(): void {
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    this.stop('success', undefined, false);
  }

  /** protocol.md 7.1: re-evaluated on our join, member join/leave, bot type and visitor changes. */
  evaluate(trigger: 'joined' | 'memberJoined' | 'memberLeft' | 'other'): void {
    if (this.disposed || !this.host.isJoined()) return;
    if (!this.automatic) {
      // A session started by hand ends with its peer's departure only.
      const session = this.session;
      if (session && !this.host.participant(session.peerJid.slice(session.peerJid.lastIndexOf('/') + 1))) this.stop('success', undefined, false);
      return;
    }
    if (trigger === 'memberJoined' || trigger === 'memberLeft') this.suspended = false;
    const peer = this.eligiblePeer();
    if (!peer) {
      clearTimeout(this.startTimer);
      this.startTimer = undefined;
      if (this.session) {
        const stillHere = this.host.participant(this.session.peerJid.slice(this.session.peerJid.lastIndexOf('/') + 1)) !== undefined;
        this.stop('success', 'Turning off P2P session', stillHere);
      }
      return;
    }
    if (this.session || this.startTimer || this.suspended) return;
    if (!this.isInitiatorFor(peer)) return;
    const delay = trigger === 'memberLeft' ? (this.options.backToP2PDelay ?? 5) * 1000 : 0;
    if (delay === 0) {
      this.startSession(peer);
      return;
    }
    this.startTimer = setTimeout(() => {
      this.startTimer = undefined;
      const again = this.eligiblePeer();
      if (again && !this.session && !this.disposed) this.startSession(again);
    }, delay);
  }

  /** The one other participant when the P2P rule holds (protocol.md 7.1), else undefined. */
  private eligiblePeer(): JitsiParticipant | undefined {
    const others = this.host.participants();
    if (others.length !== 1) return undefined;
    const [peer] = others;
    if (!peer || peer.getBotType() === 'poltergeist' || peer.hasFeature(JIGASI_FEATURE)) return undefined;
    if (Number(this.host.focusProperty('visitor-count') ?? '0') > 0) return undefined;
    if (this.host.isTranscribing?.()) return undefined;
    return peer;
  }

  /**
   * lib-jitsi-meet's startP2PSession() (meant for tests): offers P2P to the one other participant, whatever the
   * automatic rules say. Throws unless there is exactly one; does nothing while a session exists.
   */
  startManually(): void {
    const others = this.host.participants();
    const [peer] = others;
    if (others.length !== 1 || !peer) throw new Error('There must be exactly 1 participant to start the P2P session !');
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    if (this.session) {
      logger.error('P2P session already started!');
      return;
    }
    this.startSession(peer);
  }

  /** lib-jitsi-meet's stopP2PSession(options): ends the session (session-terminate if the peer is still here). */
  stopManually(options: { reason?: string; reasonDescription?: string } = {}): void {
    const session = this.session;
    if (!session) {
      logger.error('No P2P session to be stopped!');
      return;
    }
    const stillHere = this.host.participant(session.peerJid.slice(session.peerJid.lastIndexOf('/') + 1)) !== undefined;
    this.stop(options.reason ?? 'success', options.reasonDescription ?? 'Turning off P2P session', stillHere);
  }

  // ---- sessions -----------------------------------------------------------------------------------------------

  private newSession(peer: JitsiParticipant, sid: string, initiator: boolean): P2PSession {
    // lib-jitsi-meet's CodecSelection for P2P: our P2P order minus what the peer cannot decode. Read when the
    // session negotiates: USER_JOINED comes before the peer's presence properties are applied.
    const order = localCodecOrder(this.host.config.p2p);
    const codecs = (): VideoCodec[] => {
      const selected = selectVideoCodecs(order, [participantCodecs(peer)]);
      return selected.length > 0 ? selected : order;
    };
    const session = new P2PSession({
      xmpp: this.host.xmpp,
      sid,
      localJid: `${this.host.roomJid}/${this.host.myUserId()}`,
      peerJid: peer.getJid(),
      initiator,
      endpointId: this.host.myUserId(),
      rtcConfig: this.host.iceConfig('p2p'),
      codecs,
      codecSettings: codecSettings(this.host.config.videoQuality),
    });
    // protocol.md 7.3: P2P remote tracks replace the bridge's once P2P ICE connects.
    session.on('remoteMedia', (media) => {
      if (this.active) this.media.addRemoteMedia(peer.getId(), media, true);
      else this.pendingMedia.push(media);
    });
    session.on('ice', (state) => this.onIce(session, state));
    session.pc.addEventListener('connectionstatechange', () => {
      if (this.session !== session || session.pc.connectionState !== 'connected') return;
      const receiver = session.pc.getReceivers().find((candidate) => candidate.track.kind === 'video');
      const flowing = (): void => {
        if (this.session !== session || this.videoFlowing) return;
        this.videoFlowing = true;
        this.onChange?.();
      };
      // The first packet unmutes the track; the first frame is decoded a keyframe later. Until then the bridge's
      // offer would compete with both pages' first encode and decode (issue 15): wait for the decoded frame.
      const since = Date.now();
      const decoded = (): void => {
        if (this.session !== session || this.videoFlowing || !receiver) return;
        if (Date.now() - since > FIRST_FRAME_WAIT_MS) return flowing();
        void receiver.getStats().then((report) => {
          let frames = 0;
          report.forEach((stats: { type: string; framesDecoded?: number }) => {
            if (stats.type === 'inbound-rtp') frames += stats.framesDecoded ?? 0;
          });
          if (frames > 0) flowing();
          else setTimeout(decoded, FIRST_FRAME_POLL_MS);
        }, flowing);
      };
      if (receiver && !receiver.track.muted) decoded();
      else receiver?.track.addEventListener('unmute', decoded, { once: true });
    });
    session.on('failed', (reason) => {
      if (this.session === session) this.stop('general-error', reason, true);
    });
    this.session = session;
    this.videoFlowing = false;
    this.onChange?.();
    return session;
  }

  private startSession(peer: JitsiParticipant): void {
    logger.info(`starting P2P with ${peer.getId()}`);
    trace('p2p start (initiator)');
    const session = this.newSession(peer, newSid(), true);
    const timeoutS = this.options.sessionAcceptTimeout ?? DEFAULT_P2P_ACCEPT_TIMEOUT_S;
    // A peer that acks our offer but never answers it: give P2P up (the bridge carries the media) until the
    // next membership change, as after an ICE failure.
    if (timeoutS > 0) {
      this.acceptTimer = setTimeout(() => {
        this.acceptTimer = undefined;
        if (this.session !== session) return;
        logger.warn(`P2P: no session-accept within ${timeoutS} s; staying on the bridge`);
        this.suspended = true;
        this.stop('timeout', 'session-accept timed out', true);
      }, timeoutS * 1000);
    }
    session.start(this.media.getLocalTracks()).catch((error: unknown) => {
      logger.error('P2P offer failed', error);
      if (this.session === session) this.stop('general-error', 'offer failed', true);
    });
  }

  /** A session-initiate from a participant (the focus's go to the bridge side). */
  onSessionInitiate(incoming: IncomingJingle): void {
    const peer = this.eligiblePeer();
    if (this.session) {
      this.jingle.refuse(incoming, 'busy', 'already in a P2P session');
      return;
    }
    const accepting = this.options.enabled !== false || this.host.config.testing?.p2pTestMode === true;
    if (!accepting || !peer || peer.getId() !== incoming.nick || this.suspended) {
      this.jingle.refuse(incoming, 'decline', 'P2P requirements not met');
      return;
    }
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    const session = this.newSession(peer, incoming.sid, false);
    session.accept(incoming.jingle, this.media.getLocalTracks()).catch((error: unknown) => {
      if (this.session !== session) return;
      const condition = error instanceof JingleSessionError ? error.condition : 'general-error';
      logger.warn('P2P offer not accepted', String(error));
      this.stop(condition, String((error as Error).message ?? error), true);
    });
  }

  onAction(incoming: IncomingJingle): void {
    const session = this.session;
    if (!session || incoming.from !== session.peerJid) return;
    if (incoming.action === 'session-terminate') {
      const reason = Array.from(incoming.jingle.getElementsByTagName('reason')[0]?.children ?? []).find((c) => c.localName !== 'text')?.localName;
      logger.info(`peer ended P2P: ${reason ?? 'no reason'}`);
      this.stop('success', undefined, false);
      return;
    }
    if (incoming.action === 'session-accept') this.clearAcceptTimer();
    session.handle(incoming.action, incoming.jingle);
  }

  private clearAcceptTimer(): void {
    clearTimeout(this.acceptTimer);
    this.acceptTimer = undefined;
  }

  private onIce(session: P2PSession, state: 'connected' | 'interrupted' | 'restored' | 'failed'): void {
    if (this.session !== session) return;
    switch (state) {
      case 'connected':
        trace('p2p ice connected');
        this.active = true;
        this.stopLevels?.();
        this.stopLevels = this.media.pollLevels(session.pc, true);
        this.onChange?.();
        for (const media of this.pendingMedia.splice(0)) this.media.addRemoteMedia(session.peerJid.slice(session.peerJid.lastIndexOf('/') + 1), media, true);
        this.host.emit(E.P2P_STATUS, this.host.conference, true);
        return;
      case 'interrupted':
        if (this.active) this.host.emit(E.CONNECTION_INTERRUPTED);
        return;
      case 'restored':
        if (this.active) this.host.emit(E.CONNECTION_RESTORED);
        return;
      case 'failed':
        // protocol.md 7.1: terminate and fall back to the bridge; no retry until membership changes.
        this.suspended = true;
        this.stop('connectivity-error', 'ICE FAILED', true);
        // The next P2P session is built from XEP-0215 credentials: renewed now if they have expired.
        void this.host.xmpp.discovery.refreshIfExpired();
    }
  }

  /** Ends the session, removes its remote tracks, and reports P2P_STATUS false if it was up. */
  private stop(reason: string, text: string | undefined, notify: boolean): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.clearAcceptTimer();
    this.pendingMedia = [];
    this.stopLevels?.();
    this.stopLevels = undefined;
    session.terminate(reason, text, notify);
    const peerId = session.peerJid.slice(session.peerJid.lastIndexOf('/') + 1);
    this.media.removeRemoteTracks(peerId, (track) => track.isP2P);
    this.media.forgetLevels(peerId);
    const wasActive = this.active;
    this.active = false;
    this.onChange?.();
    if (wasActive) this.host.emit(E.P2P_STATUS, this.host.conference, false);
  }

  /** protocol.md 7.2: a removed track is never source-removed in P2P; its sender just stops. */
  async onLocalTrackChange(change: LocalTrackChange): Promise<void> {
    if (this.session) await applyTrackChange(this.session, change);
  }
}
