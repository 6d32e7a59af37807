/**
 * A direct 1:1 Jingle session (protocol.md 7.2): one RTCPeerConnection to one peer occupant, signalled
 * occupant-to-occupant through the MUC, DTLS-SRTP end to end.
 *
 * Both peers build the other's SDP from Jingle, so a change of sources is a local renegotiation on each
 * side (the initiator re-offers against the peer's stored answer, the responder re-answers the peer's stored
 * offer) without SDP going over the wire. Every step that touches the peer connection runs in one queue.
 */
import { orderCodecCapabilities, preferPayloadTypes, type VideoCodec } from '../rtc/codecs.js';
import { singleEncoding, type VideoQualityCodecSettings } from '../rtc/encodings.js';
import { applySenderParameters, sendCodec } from '../rtc/senderParameters.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { Content, JingleDescription, PayloadType, Source } from './model.js';
import { watchIce } from './iceState.js';
import { JINGLE_NS, parseJingle, parseTransport } from './parseJingle.js';
import { TrickleBatcher } from './trickle.js';
import { fromLocalSdp, toRemoteSdp } from './sdp.js';
import { appendContents, appendReason, candidateToSdpLine, jingleIq } from './toJingle.js';
import { trace } from '../util/trace.js';

const logger = getLogger('jingle/P2PSession');

const VIDEO_NS = 'http://jitsi.org/jitmeet/video';

/** What the session needs from a local track. */
export interface SessionTrack {
  getType(): 'audio' | 'video';
  getVideoType(): 'camera' | 'desktop' | undefined;
  getTrack(): MediaStreamTrack;
  getOriginalStream(): MediaStream;
  getSourceName(): string | undefined;
  isMuted(): boolean;
}

/** A remote source the peer sends, with the receiving MediaStreamTrack. */
export interface RemoteMedia {
  mid: string;
  media: 'audio' | 'video';
  source: Source;
  track: MediaStreamTrack;
  stream: MediaStream;
}

export interface P2PSessionEvents {
  [event: string]: (...args: never[]) => void;
  remoteMedia(media: RemoteMedia): void;
  /** ICE: connected the first time, interrupted, restored, failed. */
  ice(state: 'connected' | 'interrupted' | 'restored' | 'failed'): void;
  /** content-modify from the peer: the largest height it wants of each of our video sources; `video` false stops video. */
  receiverConstraints(constraints: { video: boolean; maxHeight: Map<string, number> }): void;
  /** The session failed locally (bad answer, failed renegotiation). */
  failed(reason: string): void;
}

export interface P2PSessionOptions {
  xmpp: XmppConnection;
  sid: string;
  /** Our occupant JID. */
  localJid: string;
  /** The peer's occupant JID. */
  peerJid: string;
  initiator: boolean;
  /** Our endpoint id: source names are `<id>-a0`, `<id>-v0` (protocol.md 5.6). */
  endpointId: string;
  rtcConfig: RTCConfiguration;
  /**
   * Video codecs we may send, best first (src/rtc/codecs.ts); none: the browser's order. Read when the session
   * offers or answers, so that the peer's presence (its codecList) is complete by then.
   */
  codecs?: () => VideoCodec[];
  /** `videoQuality.<codec>` settings (bitrates). */
  codecSettings?: VideoQualityCodecSettings;
}

/**
 * The bandwidth estimate our P2P video starts from (kbps; Chromium's own default is 300). Below about 500 kbps
 * Chromium drops the first frames of a 720p camera and scales down before it sends anything, which costs
 * 130-160 ms of the call set-up (issue 15); 800 is jitsi-meet's old `startBitrate` default. A local setting of
 * the sender's estimator, put in the remote description we apply; nothing of it goes on the wire.
 */
export const P2P_START_BITRATE_KBPS = 800;

const NOT_A_VIDEO_CODEC = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/** Video payload types with `x-google-start-bitrate`, unless they carry one already. */
function withStartBitrate(payloadTypes: PayloadType[]): PayloadType[] {
  return payloadTypes.map((pt) =>
    NOT_A_VIDEO_CODEC.has(pt.name.toLowerCase()) || pt.parameters.some((p) => p.name === 'x-google-start-bitrate')
      ? pt
      : { ...pt, parameters: [...pt.parameters, { name: 'x-google-start-bitrate', value: String(P2P_START_BITRATE_KBPS) }] },
  );
}

export class JingleSessionError extends Error {
  override name = 'JingleSessionError';
  constructor(readonly condition: 'decline' | 'bad-request' | 'general-error' | 'failed-application', message: string) {
    super(message);
  }
}


export class P2PSession extends EventEmitter<P2PSessionEvents> {
  readonly sid: string;
  readonly peerJid: string;
  readonly initiator: boolean;
  readonly pc: RTCPeerConnection;
  /** The peer's description (its offer or answer, plus source-add and trickled candidates). */
  private remote: JingleDescription | undefined;
  private readonly tracks = new Map<SessionTrack, RTCRtpTransceiver>();
  /** Sources already announced to the peer, by mid. */
  private readonly announced = new Map<string, number[]>();
  private queue: Promise<void> = Promise.resolve();
  private sessionVersion = 2;
  private readonly trickle: TrickleBatcher;
  private signalled = false;
  private closed = false;
  private receiverMaxHeight: number | undefined;
  private receiveVideo = true;
  private readonly announcedRemote = new Set<number>();
  /** The codecs we send, best first, fixed when we offer or answer. */
  private codecOrder: VideoCodec[] = [];

  constructor(private readonly options: P2PSessionOptions) {
    super();
    this.sid = options.sid;
    this.peerJid = options.peerJid;
    this.initiator = options.initiator;
    this.pc = new RTCPeerConnection({ ...options.rtcConfig, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.trickle = new TrickleBatcher(this.pc, (contents) => {
      const iq = jingleIq(this.peerJid, 'transport-info', { sid: this.sid, initiator: this.initiator ? this.options.localJid : this.peerJid });
      appendContents(iq, { contents, bundle: [] }, { parts: 'transport', group: false });
      this.sendIq(iq, 'transport-info');
    });
    watchIce(this.pc, (state) => this.emit('ice', state));
    trace('p2p peer connection created');
    this.pc.addEventListener('track', (event) => this.onTrack(event));
  }

  /** lib-jitsi-meet's name for the session's RTCPeerConnection. */
  get peerconnection(): RTCPeerConnection {
    return this.pc;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Initiator: offer our tracks (one audio and one video m-line at least, so the peer can always send). */
  start(tracks: SessionTrack[]): Promise<void> {
    return this.enqueue(async () => {
      this.codecOrder = this.options.codecs?.() ?? [];
      for (const track of tracks) this.addTransceiver(track);
      for (const kind of ['audio', 'video'] as const) {
        if (!this.pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) this.pc.addTransceiver(kind, { direction: 'sendrecv' });
      }
      this.applyCodecPreferences();
      trace('p2p createOffer');
      const offer = await this.pc.createOffer();
      // Issue 15: the offer is final once created (credentials, fingerprint, sources); the peer reads it while
      // the browser applies it here. Candidates follow setLocalDescription by transport-info, as always.
      const applied = this.pc.setLocalDescription(offer);
      const local = this.localDescription(offer.sdp ?? '');
      const iq = jingleIq(this.peerJid, 'session-initiate', { sid: this.sid, initiator: this.options.localJid });
      appendContents(iq, local);
      this.markAnnounced(local);
      this.signalled = true;
      this.sendIq(iq, 'session-initiate');
      await applied;
      trace('p2p offer set locally');
      this.trickle.start();
    });
  }

  /** Responder: apply the peer's offer, attach our tracks and answer with session-accept. */
  accept(jingle: Element, tracks: SessionTrack[]): Promise<void> {
    return this.enqueue(async () => {
      this.codecOrder = this.options.codecs?.() ?? [];
      const offer = parseJingle(jingle);
      const first = offer.contents[0]?.name;
      // protocol.md 7.2: an offer whose first content is not an m-line id is not a P2P offer.
      if (first !== '0' && first !== '1') throw new JingleSessionError('decline', 'P2P offer contents are not named by mid');
      if (offer.contents.some((c) => c.media !== 'audio' && c.media !== 'video' && c.media !== 'application')) {
        throw new JingleSessionError('bad-request', 'unknown media in offer');
      }
      if (offer.contents.some((c) => !c.transport.ufrag || c.transport.fingerprints.length === 0)) {
        throw new JingleSessionError('bad-request', 'offer without ICE credentials or DTLS fingerprint');
      }
      this.remote = offer;
      trace('p2p offer parsed');
      await this.pc.setRemoteDescription({ type: 'offer', sdp: this.remoteSdp(offer) });
      trace('p2p offer applied');
      for (const track of tracks) this.attachToOffered(track);
      for (const transceiver of this.pc.getTransceivers()) {
        if (transceiver.direction === 'recvonly' && transceiver.receiver.track.kind !== 'application') transceiver.direction = 'sendrecv';
      }
      this.applyCodecPreferences();
      const answer = await this.pc.createAnswer();
      const applied = this.pc.setLocalDescription(answer);
      const local = this.localDescription(answer.sdp ?? '');
      const iq = jingleIq(this.peerJid, 'session-accept', { sid: this.sid, initiator: this.peerJid, responder: this.options.localJid });
      appendContents(iq, local);
      this.markAnnounced(local);
      this.signalled = true;
      this.sendIq(iq, 'session-accept');
      await applied;
      trace('p2p answer set locally');
      this.trickle.start();
      await this.applyVideoEncodings();
      this.sendContentModify(false);
    });
  }

  /** A Jingle action from the peer for this session (already acked). */
  handle(action: string, jingle: Element): void {
    switch (action) {
      case 'session-accept':
        void this.enqueue(() => this.onAccept(jingle)).catch((error: unknown) => this.fail(`session-accept: ${String(error)}`));
        return;
      case 'transport-info':
        void this.enqueue(() => this.onTransportInfo(jingle));
        return;
      case 'source-add':
        void this.enqueue(() => this.onSourceAdd(jingle)).catch((error: unknown) => logger.warn('source-add not applied', String(error)));
        return;
      case 'content-modify':
        this.onContentModify(jingle);
        return;
      default:
        logger.info(`ignoring ${action} in a P2P session`);
    }
  }

  /** Adds a local track mid-call: an idle sender of its kind if there is one, announced with source-add. */
  addTrack(track: SessionTrack): Promise<void> {
    return this.enqueue(async () => {
      const idle = this.pc.getTransceivers().find((t) => t.receiver.track.kind === track.getType() && !t.sender.track && ![...this.tracks.values()].includes(t) && t.mid !== null);
      if (!idle) {
        logger.warn('no free m-line for a second track of this kind in P2P; it is not sent to the peer');
        return;
      }
      this.tracks.set(track, idle);
      await idle.sender.replaceTrack(this.sendable(track));
      idle.sender.setStreams(track.getOriginalStream());
      this.announceNewSources();
    });
  }

  /** Replaces a sending track in place (same SSRCs, no signalling; screen share <-> camera, device switch). */
  replaceTrack(oldTrack: SessionTrack | undefined, newTrack: SessionTrack | undefined): Promise<void> {
    if (!oldTrack && newTrack) return this.addTrack(newTrack);
    return this.enqueue(async () => {
      const transceiver = oldTrack && this.tracks.get(oldTrack);
      if (!oldTrack || !transceiver) return;
      this.tracks.delete(oldTrack);
      if (newTrack) this.tracks.set(newTrack, transceiver);
      await transceiver.sender.replaceTrack(newTrack ? this.sendable(newTrack) : null);
      if (newTrack) transceiver.sender.setStreams(newTrack.getOriginalStream());
      if (newTrack) await this.applyEncoderCap(transceiver, newTrack);
    });
  }

  /** The track's MediaStreamTrack changed (camera re-acquired on unmute, effect): send the new one. */
  refreshTrack(track: SessionTrack): Promise<void> {
    return this.enqueue(async () => {
      const transceiver = this.tracks.get(track);
      if (!transceiver) return;
      await transceiver.sender.replaceTrack(this.sendable(track));
      await this.applyEncoderCap(transceiver, track);
    });
  }

  /** protocol.md 7.2: what we want to receive, sent to the peer as content-modify. */
  setReceiverVideoConstraint(maxHeight: number | undefined, video = true): void {
    this.receiverMaxHeight = maxHeight;
    this.receiveVideo = video;
    if (this.signalled) this.sendContentModify(true);
  }

  /** Our own cap on the video we send (setSenderVideoConstraint), combined with the peer's wish. */
  private localSenderCap: number | undefined;
  private peerConstraints: { video: boolean; maxHeight: Map<string, number> } = { video: true, maxHeight: new Map() };

  setSenderVideoConstraint(maxHeight: number | undefined): Promise<void> {
    this.localSenderCap = maxHeight;
    return this.enqueue(() => this.applyVideoEncodings());
  }

  /** Every video sender's encodings for the codec negotiated, the peer's wish and our cap. */
  private async applyVideoEncodings(): Promise<void> {
    for (const [track, transceiver] of this.tracks) if (track.getType() === 'video') await this.applyEncoderCap(transceiver, track);
  }

  /** Sends session-terminate (when `notify`) and closes the peer connection. */
  terminate(reason = 'success', text?: string, notify = true): void {
    if (this.closed) return;
    if (notify) {
      const iq = jingleIq(this.peerJid, 'session-terminate', { sid: this.sid, initiator: this.initiator ? this.options.localJid : this.peerJid });
      appendReason(iq, reason, text);
      this.sendIq(iq, 'session-terminate');
    }
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.trickle.stop();
    this.pc.close();
    this.removeAllListeners();
  }

  // ---- signalling in ------------------------------------------------------------------------------------------

  private async onAccept(jingle: Element): Promise<void> {
    if (!this.initiator || this.remote) throw new JingleSessionError('bad-request', 'unexpected session-accept');
    const answer = parseJingle(jingle);
    if (answer.contents.some((c) => !c.transport.ufrag || c.transport.fingerprints.length === 0)) {
      throw new JingleSessionError('bad-request', 'answer without ICE credentials or DTLS fingerprint');
    }
    this.remote = answer;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: this.remoteAnswerSdp() });
    trace('p2p answer applied');
    await this.applyVideoEncodings();
    this.sendContentModify(true);
  }

  private async onTransportInfo(jingle: Element): Promise<void> {
    const description = this.remote;
    for (const content of Array.from(jingle.children).filter((c) => c.localName === 'content')) {
      const mid = content.getAttribute('name') ?? '';
      const transport = parseTransport(Array.from(content.children).find((c) => c.localName === 'transport' && c.namespaceURI === JINGLE_NS.ICE_UDP));
      const stored = description?.contents.find((c) => c.name === mid);
      for (const candidate of transport.candidates) {
        stored?.transport.candidates.push(candidate);
        try {
          await this.pc.addIceCandidate({ candidate: candidateToSdpLine(candidate), sdpMid: stored ? mid : (this.pc.getTransceivers()[0]?.mid ?? '0'), sdpMLineIndex: null });
        } catch (error) {
          logger.warn('remote candidate rejected', String(error));
        }
      }
    }
  }

  private async onSourceAdd(jingle: Element): Promise<void> {
    const remote = this.remote;
    if (!remote) return;
    const added = parseJingle(jingle);
    let changed = false;
    for (const content of added.contents) {
      const target = remote.contents.find((c) => c.name === content.name) ?? remote.contents.find((c) => c.media === content.media && c.sources.length === 0);
      if (!target) {
        logger.warn(`source-add for unknown content ${content.name}`);
        continue;
      }
      const known = new Set(target.sources.map((s) => s.ssrc));
      const fresh = content.sources.filter((s) => !known.has(s.ssrc));
      if (fresh.length === 0) continue;
      target.sources.push(...fresh);
      target.groups.push(...content.groups);
      changed = true;
    }
    if (changed) await this.renegotiate();
  }

  private onContentModify(jingle: Element): void {
    const content = Array.from(jingle.children).find((c) => c.localName === 'content');
    if (!content) return;
    const senders = content.getAttribute('senders');
    const maxHeight = new Map<string, number>();
    for (const frame of Array.from(content.children).filter((c) => c.localName === 'source-frame-height' && c.namespaceURI === VIDEO_NS)) {
      const height = Number(frame.getAttribute('maxHeight'));
      const name = frame.getAttribute('sourceName');
      if (name && Number.isFinite(height) && height >= 0) maxHeight.set(name, height);
    }
    // The peer's wish is about what *it* receives: "none"/"initiator" from a responder, etc. Only "none" and
    // "both" are sent in practice (protocol.md 7.2).
    this.peerConstraints = { video: senders !== 'none', maxHeight };
    this.emit('receiverConstraints', this.peerConstraints);
    void this.enqueue(() => this.applyVideoEncodings());
  }

  // ---- signalling out ----------------------------------------------------------------------------------------

  private sendIq(iq: ReturnType<typeof jingleIq>, what: string): void {
    this.options.xmpp.sendIQ(iq, 10_000).catch((error: unknown) => {
      if (this.closed) return;
      logger.warn(`${what} was not accepted by the peer`, String(error));
      if (what === 'session-initiate' || what === 'session-accept') this.fail(`${what} refused`);
    });
  }

  private sendContentModify(initiatorRule: boolean): void {
    // protocol.md 7.2: the initiator always tells; the responder only when it has constraints.
    if (!initiatorRule && this.receiveVideo && this.receiverMaxHeight === undefined) return;
    const peerNick = this.peerJid.slice(this.peerJid.lastIndexOf('/') + 1);
    const iq = jingleIq(this.peerJid, 'content-modify', { sid: this.sid, initiator: this.initiator ? this.options.localJid : this.peerJid });
    iq.c('content', { name: 'video', senders: this.receiveVideo ? 'both' : 'none' });
    if (this.receiverMaxHeight !== undefined) {
      iq.c('source-frame-height', { xmlns: VIDEO_NS, sourceName: `${peerNick}-v0`, maxHeight: String(this.receiverMaxHeight) }).up();
    }
    iq.up();
    this.sendIq(iq, 'content-modify');
  }

  /** source-add for sources not yet announced (a track attached to an idle m-line). */
  private announceNewSources(): void {
    const local = this.localDescription();
    const fresh: Content[] = [];
    for (const content of local.contents) {
      const known = new Set(this.announced.get(content.name) ?? []);
      const sources = content.sources.filter((s) => !known.has(s.ssrc));
      if (sources.length === 0) continue;
      const ssrcs = new Set(sources.map((s) => s.ssrc));
      fresh.push({ ...content, sources, groups: content.groups.filter((g) => g.ssrcs.every((s) => ssrcs.has(s))) });
    }
    if (fresh.length === 0) return;
    const iq = jingleIq(this.peerJid, 'source-add', { sid: this.sid, initiator: this.initiator ? this.options.localJid : this.peerJid });
    appendContents(iq, { contents: fresh, bundle: [] }, { parts: 'sources', group: false });
    this.markAnnounced(local);
    this.sendIq(iq, 'source-add');
  }

  // ---- local description ---------------------------------------------------------------------------------------

  /**
   * Our description in Jingle: contents by mid, only the sources of m-lines that carry one of our tracks,
   * named `<EP>-a<i>` / `<EP>-v<i>` with the track's video type (protocol.md 5.6, 7.2). `senders` is our own
   * direction, whether we offer or answer (protocol.md 5.5). Read from the applied local description, or from
   * an offer or answer not yet applied: a first offer's transceivers have no mid until it is applied, and the
   * offer lists them in their order.
   */
  private localDescription(sdp = this.pc.localDescription?.sdp ?? ''): JingleDescription {
    const description = fromLocalSdp(sdp, 'p2p', 'initiator');
    const transceivers = this.pc.getTransceivers();
    const byMid = new Map<string, SessionTrack>();
    for (const [track, transceiver] of this.tracks) {
      const mid = transceiver.mid ?? description.contents[transceivers.indexOf(transceiver)]?.name;
      if (mid !== undefined) byMid.set(mid, track);
    }
    for (const content of description.contents) {
      const track = byMid.get(content.name);
      if (!track) {
        content.sources = [];
        content.groups = [];
        continue;
      }
      const name = track.getSourceName() ?? `${this.options.endpointId}-${track.getType() === 'audio' ? 'a' : 'v'}0`;
      for (const source of content.sources) {
        source.name = name;
        if (track.getType() === 'video') source.videoType = track.getVideoType() ?? 'camera';
      }
    }
    return description;
  }

  private markAnnounced(local: JingleDescription): void {
    for (const content of local.contents) this.announced.set(content.name, content.sources.map((s) => s.ssrc));
  }

  private remoteAnswerSdp(): string {
    const remote = this.remote;
    if (!remote) throw new Error('no remote description');
    // protocol.md 5.5, 9: the answer's senders are the answerer's own directions, read literally.
    return this.remoteSdp(remote);
  }

  /** Applies a changed remote description without signalling (see the file comment). */
  private async renegotiate(): Promise<void> {
    const remote = this.remote;
    if (!remote || this.closed) return;
    if (this.initiator) {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await this.pc.setRemoteDescription({ type: 'answer', sdp: this.remoteAnswerSdp() });
    } else {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: this.remoteSdp(remote) });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
    }
    for (const transceiver of this.pc.getTransceivers()) this.reportRemoteSources(transceiver);
  }

  // ---- media ----------------------------------------------------------------------------------------------------

  private addTransceiver(track: SessionTrack): void {
    const transceiver = this.pc.addTransceiver(this.sendable(track) ?? track.getType(), { direction: 'sendrecv', streams: [track.getOriginalStream()] });
    this.tracks.set(track, transceiver);
  }

  /** Responder: put a local track on the first offered m-line of its kind that has none yet. */
  private attachToOffered(track: SessionTrack): void {
    const used = new Set(this.tracks.values());
    const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track.kind === track.getType() && !used.has(t));
    if (!transceiver) {
      logger.warn(`the offer has no free ${track.getType()} m-line; the track is not sent`);
      return;
    }
    this.tracks.set(track, transceiver);
    void transceiver.sender.replaceTrack(this.sendable(track));
    transceiver.sender.setStreams(track.getOriginalStream());
  }

  /** A muted camera has no live MediaStreamTrack (the device is released): send nothing. */
  private sendable(track: SessionTrack): MediaStreamTrack | null {
    const media = track.getTrack();
    return media.readyState === 'live' ? media : null;
  }

  /** Our codec order on the video m-lines before offering or answering (lib-jitsi-meet: setCodecPreferences). */
  private applyCodecPreferences(): void {
    const order = this.codecOrder;
    if (order.length === 0 || typeof RTCRtpReceiver.getCapabilities !== 'function') return;
    const codecs = orderCodecCapabilities(RTCRtpReceiver.getCapabilities('video')?.codecs ?? [], order, true);
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.receiver.track.kind !== 'video') continue;
      try {
        transceiver.setCodecPreferences(codecs);
      } catch (error) {
        logger.warn('codec preferences not applied', String(error));
      }
    }
  }

  /**
   * The peer's description as SDP, video payload types in our order: the browser sends the first codec of the
   * remote description, so this makes it send our choice (lib-jitsi-meet munges the remote SDP the same way).
   */
  private remoteSdp(description: JingleDescription): string {
    const order = this.codecOrder;
    const contents = description.contents.map((c) => (c.media === 'video' ? { ...c, payloadTypes: withStartBitrate(order.length === 0 ? c.payloadTypes : preferPayloadTypes(c.payloadTypes, order)) } : c));
    return toRemoteSdp({ ...description, contents }, 'p2p', this.sessionVersion++);
  }

  /**
   * Caps the encoder at the smaller of our own cap and the peer's wish and stops video the peer does not want:
   * one encoding scaled to that height with lib-jitsi-meet's bitrate for it and the codec in use, no scalability
   * mode (src/rtc/encodings.ts).
   */
  private async applyEncoderCap(transceiver: RTCRtpTransceiver, track: SessionTrack): Promise<void> {
    if (track.getType() !== 'video' || this.closed) return;
    const name = track.getSourceName() ?? `${this.options.endpointId}-v0`;
    const caps = [this.localSenderCap, this.peerConstraints.maxHeight.get(name)].filter((h): h is number => h !== undefined);
    const parameters = transceiver.sender.getParameters();
    const codec = sendCodec(parameters, this.codecOrder);
    if (parameters.encodings.length === 0 || !codec) return;
    const plan = singleEncoding(
      {
        codec,
        captureHeight: track.getTrack().getSettings().height ?? 720,
        maxHeight: caps.length > 0 ? Math.min(...caps) : undefined,
        videoType: track.getVideoType() ?? 'camera',
        paused: !this.peerConstraints.video,
      },
      this.options.codecSettings,
    );
    try {
      await applySenderParameters(transceiver.sender, parameters.encodings.map(() => plan));
    } catch (error) {
      logger.warn('sender parameters not applied', String(error));
    }
  }

  private onTrack(event: RTCTrackEvent): void {
    this.reportRemoteSources(event.transceiver, event.streams[0]);
  }

  /** Emits remoteMedia for an m-line once both the receiving track and the peer's source are known. */
  private reportRemoteSources(transceiver: RTCRtpTransceiver, stream?: MediaStream): void {
    const mid = transceiver.mid;
    const content = mid === null ? undefined : this.remote?.contents.find((c) => c.name === mid);
    if (!content || mid === null) return;
    const media = content.media;
    if (media !== 'audio' && media !== 'video') return;
    const secondary = new Set(content.groups.filter((g) => g.semantics === 'FID').map((g) => g.ssrcs[1]));
    const source = content.sources.find((s) => !secondary.has(s.ssrc));
    if (!source || this.announcedRemote.has(source.ssrc)) return;
    this.announcedRemote.add(source.ssrc);
    const track = transceiver.receiver.track;
    this.emit('remoteMedia', { mid, media, source, track, stream: stream ?? new MediaStream([track]) });
  }

  private fail(reason: string): void {
    if (this.closed) return;
    logger.warn(`P2P session ${this.sid} failed: ${reason}`);
    this.emit('failed', reason);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.closed ? undefined : step()));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
