/**
 * One proxy connection (protocol.md 9): a direct RTCPeerConnection to one peer, signalled with P2P-style
 * Jingle (protocol.md 7.2: contents named by mid, trickle in transport-info) over whatever channel the
 * application provides. The initiator only sends (sendonly m-lines, no receive m-lines of its own); the
 * responder only receives, and only video, as lib-jitsi-meet's does. No XMPP here: every outgoing IQ goes to
 * `send`, and nothing waits for an ack (lib-jitsi-meet simulates acks too).
 *
 * `senders` is lib-jitsi-meet's literal copy of the writer's own SDP direction, whichever side writes
 * (protocol.md 5.5, 9): a send-only offer says `initiator`, a receive-only answer `responder`. The converters
 * in src/jingle/sdp.ts map it that way both ways; nothing here flips it.
 */
import type { Builder } from 'strophe.js';
import { watchIce } from '../jingle/iceState.js';
import { newSid, type JingleDescription } from '../jingle/model.js';
import { JINGLE_NS, parseJingle, parseTransport } from '../jingle/parseJingle.js';
import { TrickleBatcher } from '../jingle/trickle.js';
import { fromLocalSdp, toRemoteSdp } from '../jingle/sdp.js';
import { appendContents, appendReason, candidateToSdpLine, jingleIq } from '../jingle/toJingle.js';
import type { JitsiLocalTrack } from '../rtc/JitsiLocalTrack.js';
import { getLogger } from '../util/logger.js';
import { ProxyActions, ProxyErrorDetails } from './constants.js';

const logger = getLogger('proxyconnection/ProxyConnectionPC');

/** What the responder receives: lib-jitsi-meet creates it with receiveVideo true, receiveAudio false (protocol.md 9). */
const RECEIVED_KINDS: readonly string[] = ['video'];

export interface ProxyConnectionPCOptions {
  peerJid: string;
  /** Our JID, for `jingle@initiator` / `@responder`; left out when unknown (no XMPP connection). */
  localJid?: string;
  isInitiator: boolean;
  rtcConfig: RTCConfiguration;
  /** Sends a Jingle IQ to the peer. */
  send(iq: Builder): void;
  /** A track the peer sends (responder). */
  onRemoteTrack(track: MediaStreamTrack): void;
  /** A local failure (ICE, a description that cannot be applied): the owner closes the connection. */
  onFailure(details: string, cause?: unknown): void;
  /** Milliseconds from creation until ICE must have connected, else onFailure('timeout'); 0: no bound. */
  connectTimeoutMs: number;
}

export class ProxyConnectionPC {
  readonly peerJid: string;
  readonly isInitiator: boolean;
  readonly pc: RTCPeerConnection;
  sid: string;
  private remote: JingleDescription | undefined;
  private readonly sending = new Map<RTCRtpTransceiver, JitsiLocalTrack>();
  private queue: Promise<void> = Promise.resolve();
  private readonly trickle: TrickleBatcher;
  private closed = false;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ProxyConnectionPCOptions) {
    this.peerJid = options.peerJid;
    this.isInitiator = options.isInitiator;
    this.sid = newSid();
    this.pc = new RTCPeerConnection({ ...options.rtcConfig, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.trickle = new TrickleBatcher(this.pc, (contents) => {
      const iq = jingleIq(this.peerJid, ProxyActions.TRANSPORT_INFO, { sid: this.sid, initiator: this.isInitiator ? this.options.localJid : this.peerJid });
      appendContents(iq, { contents, bundle: [] }, { parts: 'transport', group: false });
      this.options.send(iq);
    });
    this.pc.addEventListener('track', (event) => {
      // The offer's other m-lines raise a track too (at setRemoteDescription), but are answered inactive.
      if (!this.closed && RECEIVED_KINDS.includes(event.track.kind)) this.options.onRemoteTrack(event.track);
    });
    watchIce(this.pc, (state) => {
      if (state === 'connected') this.clearConnectTimer();
      if (state === 'failed' && !this.closed) this.options.onFailure(ProxyErrorDetails.ICE_FAILED);
    });
    // A peer that never answers (or whose answer never connects) must not leave the connection pending forever.
    if (options.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = undefined;
        if (this.closed) return;
        logger.warn(`proxy connection with ${this.peerJid}: not connected after ${options.connectTimeoutMs} ms`);
        this.options.onFailure(ProxyErrorDetails.TIMEOUT);
      }, options.connectTimeoutMs);
    }
  }

  /** lib-jitsi-meet's accessor. */
  getPeerJid(): string {
    return this.peerJid;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Initiator: offer `tracks` (sendonly, one m-line each) in session-initiate. */
  start(tracks: JitsiLocalTrack[]): void {
    this.run(async () => {
      for (const track of tracks) {
        const transceiver = this.pc.addTransceiver(track.getTrack(), { direction: 'sendonly', streams: [track.getOriginalStream()] });
        this.sending.set(transceiver, track);
      }
      await this.pc.setLocalDescription(await this.pc.createOffer());
      const iq = jingleIq(this.peerJid, ProxyActions.INITIATE, { sid: this.sid, initiator: this.options.localJid });
      appendContents(iq, this.localDescription());
      this.options.send(iq);
      this.trickle.start();
    });
  }

  /** A Jingle action from the peer for this connection. */
  processMessage(action: string, jingle: Element): void {
    switch (action) {
      case ProxyActions.INITIATE:
        this.run(() => this.onInitiate(jingle));
        return;
      case ProxyActions.ACCEPT:
        this.run(() => this.onAccept(jingle));
        return;
      case ProxyActions.TRANSPORT_INFO:
        this.run(() => this.onTransportInfo(jingle));
        return;
      default:
        logger.debug(`ignoring ${action} from the proxy peer`);
    }
  }

  /** Sends session-terminate (when `notify`) and closes the peer connection. */
  close(notify: boolean): void {
    if (this.closed) return;
    if (notify) {
      const iq = jingleIq(this.peerJid, ProxyActions.TERMINATE, { sid: this.sid, initiator: this.isInitiator ? this.options.localJid : this.peerJid });
      appendReason(iq, 'success');
      this.options.send(iq);
    }
    this.closed = true;
    this.clearConnectTimer();
    this.trickle.stop();
    this.pc.close();
  }

  // ---- signalling in ------------------------------------------------------------------------------------------

  /** Responder: apply the offer, receive the offered video, answer with session-accept. */
  private async onInitiate(jingle: Element): Promise<void> {
    if (this.isInitiator || this.remote) throw new Error('unexpected session-initiate');
    const offer = parseJingle(jingle);
    if (offer.contents.length === 0) throw new Error('an offer without contents');
    if (offer.contents.some((c) => !c.transport.ufrag || c.transport.fingerprints.length === 0)) {
      throw new Error('an offer without ICE credentials or DTLS fingerprint');
    }
    this.sid = jingle.getAttribute('sid') || this.sid;
    this.remote = offer;
    await this.pc.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(offer, 'p2p') });
    for (const transceiver of this.pc.getTransceivers()) {
      // protocol.md 9: recvonly for video, inactive for the rest; nothing is sent back. An answer that claimed
      // more than the offer allows would be rejected by the peer's browser.
      if (transceiver.direction !== 'stopped') transceiver.direction = RECEIVED_KINDS.includes(transceiver.receiver.track.kind) ? 'recvonly' : 'inactive';
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const iq = jingleIq(this.peerJid, ProxyActions.ACCEPT, { sid: this.sid, initiator: this.peerJid, responder: this.options.localJid });
    appendContents(iq, this.localDescription());
    this.options.send(iq);
    this.trickle.start();
  }

  private async onAccept(jingle: Element): Promise<void> {
    if (!this.isInitiator || this.remote) throw new Error('unexpected session-accept');
    const answer = parseJingle(jingle);
    if (answer.contents.some((c) => !c.transport.ufrag || c.transport.fingerprints.length === 0)) {
      throw new Error('an answer without ICE credentials or DTLS fingerprint');
    }
    this.remote = answer;
    // protocol.md 9: the answer's senders are the answerer's own directions (`responder` = its a=recvonly).
    await this.pc.setRemoteDescription({ type: 'answer', sdp: toRemoteSdp(answer, 'p2p') });
  }

  private async onTransportInfo(jingle: Element): Promise<void> {
    for (const content of Array.from(jingle.children).filter((c) => c.localName === 'content')) {
      const mid = content.getAttribute('name') ?? '';
      const transport = parseTransport(Array.from(content.children).find((c) => c.localName === 'transport' && c.namespaceURI === JINGLE_NS.ICE_UDP));
      const known = this.remote?.contents.some((c) => c.name === mid);
      for (const candidate of transport.candidates) {
        try {
          await this.pc.addIceCandidate({ candidate: candidateToSdpLine(candidate), sdpMid: known ? mid : (this.pc.getTransceivers()[0]?.mid ?? '0'), sdpMLineIndex: null });
        } catch (error) {
          // One bad candidate is not fatal: ICE may succeed with the others.
          logger.warn('remote candidate rejected', String(error));
        }
      }
    }
  }

  // ---- signalling out ----------------------------------------------------------------------------------------

  /**
   * Our description as Jingle contents by mid (protocol.md 7.2), senders = our own directions (protocol.md 9).
   * The initiator names its sources as the tracks are named (`peer-a<i>` / `peer-v<i>`) with their video type;
   * the responder sends none.
   */
  private localDescription(): JingleDescription {
    const description = fromLocalSdp(this.pc.localDescription?.sdp ?? '', 'p2p', 'initiator');
    const byMid = new Map<string, JitsiLocalTrack>();
    for (const [transceiver, track] of this.sending) if (transceiver.mid !== null) byMid.set(transceiver.mid, track);
    for (const content of description.contents) {
      if (!this.isInitiator) {
        content.sources = [];
        content.groups = [];
        continue;
      }
      const track = byMid.get(content.name);
      for (const source of content.sources) {
        source.name = track?.getSourceName();
        if (track?.getType() === 'video') source.videoType = track.getVideoType() ?? 'camera';
      }
    }
    return description;
  }

  private clearConnectTimer(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** Runs signalling steps one after another; a failing step fails the connection. */
  private run(step: () => Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.closed ? undefined : step()))
      .catch((error: unknown) => {
        if (this.closed) return;
        logger.warn(`proxy connection with ${this.peerJid} failed: ${String(error)}`);
        this.options.onFailure(ProxyErrorDetails.SETUP_FAILED, error);
      });
  }
}
