/**
 * The Jingle session with the focus, for media through the videobridge (protocol.md 5): the focus offers
 * the bridge's transport and the other endpoints' sources; we answer with our sources.
 *
 * The remote description is built from Jingle with one m-line per remote source (5.5). m-lines never move:
 * `source-add` appends lines, `source-remove` rejects them. Every step that touches the peer connection runs
 * in one queue, and source updates that arrive together are applied with one round of
 * setRemoteDescription/setLocalDescription.
 */
import { parse } from 'sdp-transform';
import { orderCodecCapabilities, preferPayloadTypes, type VideoCodec } from '../rtc/codecs.js';
import { bridgeEncodings, type VideoQualityCodecSettings } from '../rtc/encodings.js';
import { applySenderParameters, encodingCodec, negotiatedCodecs, sendCodec, type ApplyResult } from '../rtc/senderParameters.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import type { Content, JingleDescription, Source, SourceGroup } from './model.js';
import { JingleSessionError, type RemoteMedia, type SessionTrack } from './P2PSession.js';
import { watchIce } from './iceState.js';
import { JINGLE_NS, parseJingle, parseTransport } from './parseJingle.js';
import { fromLocalSdp, jvbLines, toJvbSdp, type JvbLine } from './sdp.js';
import { mungeSimulcast, type SimulcastSsrcs } from './simulcastSdp.js';
import { appendContents, appendReason, jingleIq } from './toJingle.js';

const logger = getLogger('jingle/JvbSession');

/** The bridge's own feedback sources (protocol.md 5.3) never become tracks. */
const isBridgeSource = (source: Source): boolean => source.owner === 'jvb' || (source.msid?.includes('mixedmslabel') ?? false);

export interface JvbSessionEvents {
  [event: string]: (...args: never[]) => void;
  remoteMedia(media: RemoteMedia): void;
  /** A remote source went away (source-remove). */
  remoteRemoved(ssrc: number, owner: string | undefined): void;
  ice(state: 'connected' | 'interrupted' | 'restored' | 'failed'): void;
  /** The session failed locally (a bad offer, a failed renegotiation). */
  failed(reason: string): void;
  /** The focus refused a source-add of ours (AV moderation, source validation; protocol.md 5.6, 13.2 e). */
  sourcesRejected(mediaTypes: ('audio' | 'video')[]): void;
}

export interface JvbSessionOptions {
  xmpp: XmppConnection;
  sid: string;
  /** The focus occupant JID: every IQ of the session goes there (protocol.md 5.1). */
  focusJid: string;
  /** Our full real JID (responder). */
  localJid: string;
  endpointId: string;
  rtcConfig: RTCConfiguration;
  /** Open the bridge channel as an SCTP data channel when the offer has a data content (protocol.md 8.1). */
  preferSctp: boolean;
  /** Camera simulcast layers (3 unless disabled; protocol.md 5.6). */
  simulcast: boolean;
  /** Video codecs we may send, best first (src/rtc/codecs.ts); the first one the offer has is sent. None: the offer's order. */
  codecs?: VideoCodec[];
  /** `videoQuality.<codec>` settings (bitrates, SVC or simulcast). */
  codecSettings?: VideoQualityCodecSettings;
}

export class JvbSession extends EventEmitter<JvbSessionEvents> {
  readonly sid: string;
  readonly pc: RTCPeerConnection;
  /** The data channel of the bridge channel, when the offer has a data content and SCTP is preferred. */
  dataChannel: RTCDataChannel | undefined;
  /** The offer's colibri websocket URL (the first transport that has one). */
  webSocketUrl: string | undefined;
  bridgeSessionId: string | undefined;
  private remote: JingleDescription | undefined;
  private lines: JvbLine[] = [];
  private readonly tracks = new Map<SessionTrack, RTCRtpTransceiver>();
  /** SSRCs of ours the focus knows, with the source they were announced as. */
  private announced: Content[] = [];
  private readonly reported = new Map<number, string | undefined>();
  private queue: Promise<void> = Promise.resolve();
  private pendingSources: { action: 'source-add' | 'source-remove'; description: JingleDescription }[] = [];
  private sessionVersion = 2;
  private closed = false;
  private paused = false;
  /** Our height cap on every video we send; undefined for none. */
  private maxHeight: number | undefined;
  /** The bridge's height caps by source name (SenderSourceConstraints, protocol.md 8.3). */
  private sourceMaxHeights: ReadonlyMap<string, number> = new Map();
  /** SIM layer SSRCs munged into our answer, per transceiver mid (protocol.md 5.6). */
  private readonly simulcastSsrcs: SimulcastSsrcs = new Map();
  private codecs: VideoCodec[];
  /** Whether the browser takes the codec on the encodings (the codec selection API); else codecs change by renegotiating. */
  private codecApi = true;

  constructor(private readonly options: JvbSessionOptions) {
    super();
    this.sid = options.sid;
    this.codecs = [...(options.codecs ?? [])];
    this.pc = new RTCPeerConnection({ ...options.rtcConfig, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    watchIce(this.pc, (state) => this.emit('ice', state));
  }

  get peerconnection(): RTCPeerConnection {
    return this.pc;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Applies the focus's session-initiate, attaches our tracks and answers with session-accept (protocol.md 5.7). */
  accept(jingle: Element, tracks: SessionTrack[]): Promise<void> {
    return this.enqueue(async () => {
      const offer = parseJingle(jingle);
      if (!offer.contents.some((c) => c.media === 'audio' || c.media === 'video')) throw new JingleSessionError('bad-request', 'the offer has no audio or video content');
      for (const content of offer.contents) {
        if (content.media !== 'audio' && content.media !== 'video' && content.media !== 'application') throw new JingleSessionError('bad-request', `unknown media in content ${content.name}`);
        if (!content.transport.ufrag || !content.transport.pwd || content.transport.fingerprints.length === 0) {
          throw new JingleSessionError('bad-request', `content ${content.name} has no ICE credentials or DTLS fingerprint`);
        }
      }
      this.dropDuplicates(offer);
      this.remote = offer;
      this.bridgeSessionId = offer.bridgeSession?.id;
      this.webSocketUrl = offer.contents.map((c) => c.transport.webSocket).find((url) => url);
      this.lines = jvbLines(offer);
      await this.pc.setRemoteDescription({ type: 'offer', sdp: this.remoteSdp(offer) });
      for (const transceiver of this.pc.getTransceivers()) {
        if (this.lineOf(transceiver)?.direction === 'sendrecv') transceiver.direction = 'sendrecv';
      }
      for (const track of tracks) await this.attach(track);
      if (this.options.preferSctp && offer.contents.some((c) => c.media === 'application')) {
        this.dataChannel = this.pc.createDataChannel('JVB data channel', { protocol: 'http://jitsi.org/protocols/colibri' });
      }
      await this.answer();
      const local = this.localDescription();
      const iq = jingleIq(this.options.focusJid, 'session-accept', { sid: this.sid, initiator: this.options.focusJid, responder: this.options.localJid });
      appendContents(iq, local);
      this.announced = local.contents;
      this.sendIq(iq, 'session-accept', true);
      this.reportRemote();
    });
  }

  /** A Jingle action from the focus for this session (already acked). */
  handle(action: string, jingle: Element): void {
    switch (action) {
      case 'source-add':
      case 'source-remove':
        this.onSources(action, jingle);
        return;
      case 'transport-info':
        void this.enqueue(() => this.onTransportInfo(jingle)).catch((error: unknown) => this.fail(`transport-info: ${String(error)}`));
        return;
      default:
        // transport-replace and the rest: acked, not used (protocol.md 5.2).
        logger.info(`ignoring ${action} in the bridge session`);
    }
  }

  /** Adds a local track mid-call: the free sending m-line of its kind, announced with source-add. */
  addTrack(track: SessionTrack): Promise<void> {
    return this.enqueue(async () => {
      if (!(await this.attach(track))) return;
      await this.renegotiate();
      this.announceChanges();
    });
  }

  /** Replaces a sending track in place (same SSRCs, no signalling) or, without a new one, removes it (source-remove). */
  replaceTrack(oldTrack: SessionTrack | undefined, newTrack: SessionTrack | undefined): Promise<void> {
    if (!oldTrack && newTrack) return this.addTrack(newTrack);
    return this.enqueue(async () => {
      const transceiver = oldTrack && this.tracks.get(oldTrack);
      if (!oldTrack || !transceiver) return;
      this.tracks.delete(oldTrack);
      if (newTrack) {
        this.tracks.set(newTrack, transceiver);
        await transceiver.sender.replaceTrack(this.sendable(newTrack));
        transceiver.sender.setStreams(newTrack.getOriginalStream());
        // The layers' heights follow the new track (a screen share is not the camera's size).
        await this.applyEncodings(transceiver);
      } else {
        await transceiver.sender.replaceTrack(null);
      }
      // A screen share replacing the camera keeps the SSRCs (its type goes out in presence, protocol.md 6);
      // a track removed without a successor takes its sources with it.
      this.announceChanges();
    });
  }

  /** The track's MediaStreamTrack changed (camera re-acquired on unmute): send the new one. */
  refreshTrack(track: SessionTrack): Promise<void> {
    return this.enqueue(async () => {
      const transceiver = this.tracks.get(track);
      if (transceiver) await transceiver.sender.replaceTrack(this.sendable(track));
    });
  }

  /** protocol.md 7.3: while P2P carries the media, nothing is sent to the bridge (no signalling). */
  setSendingPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    return this.enqueue(async () => {
      for (const transceiver of this.tracks.values()) await this.applyEncodings(transceiver);
    });
  }

  /**
   * Caps on the height of the video we send: `maxHeight` on every source (setSenderVideoConstraint), `bySource`
   * per source name (the bridge's SenderSourceConstraints); the lower one wins.
   */
  setSenderMaxHeight(maxHeight: number | undefined, bySource: ReadonlyMap<string, number> = new Map()): Promise<void> {
    this.maxHeight = maxHeight;
    this.sourceMaxHeights = new Map(bySource);
    return this.enqueue(async () => {
      for (const transceiver of this.tracks.values()) await this.applyEncodings(transceiver);
    });
  }

  /**
   * A new codec choice (participants joined or left, lib-jitsi-meet's CodecSelection). With the codec selection
   * API the senders switch in place; otherwise the session renegotiates locally with the new order (nothing is
   * signalled: our sources stay). Resolves with whether the codec we send changed.
   */
  setVideoCodecs(codecs: VideoCodec[]): Promise<boolean> {
    return this.enqueue(async () => {
      const before = this.currentVideoCodec();
      this.codecs = [...codecs];
      if (this.codecApi) {
        for (const [track, transceiver] of this.tracks) {
          if (track.getType() === 'video' && (await this.applyEncodings(transceiver)) === 'codec-not-applied') this.codecApi = false;
        }
      }
      if (!this.codecApi) await this.renegotiate();
      return this.currentVideoCodec() !== before;
    }).then((changed) => changed === true);
  }

  /** The codec our camera is sent with (undefined without a video sender). */
  currentVideoCodec(): VideoCodec | undefined {
    for (const [track, transceiver] of this.tracks) {
      if (track.getType() !== 'video') continue;
      const parameters = transceiver.sender.getParameters();
      return encodingCodec(parameters) ?? negotiatedCodecs(parameters)[0];
    }
    return undefined;
  }

  /** Sends session-terminate (when `notify`), with `<bridge-session restart>` (protocol.md 5.2), and closes. */
  terminate(reason = 'success', text?: string, notify = true, restart = false): void {
    if (this.closed) return;
    if (notify) {
      const iq = jingleIq(this.options.focusJid, 'session-terminate', { sid: this.sid, initiator: this.options.focusJid });
      appendReason(iq, reason, text);
      if (this.bridgeSessionId) iq.c('bridge-session', { xmlns: JINGLE_NS.FOCUS, id: this.bridgeSessionId, restart: String(restart) }).up();
      this.sendIq(iq, 'session-terminate', false);
    }
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dataChannel?.close();
    this.pc.close();
    this.removeAllListeners();
  }

  // ---- signalling in ------------------------------------------------------------------------------------------

  /** source-add/-remove arriving together are applied in one renegotiation. */
  private onSources(action: 'source-add' | 'source-remove', jingle: Element): void {
    let description: JingleDescription;
    try {
      description = parseJingle(jingle);
    } catch (error) {
      logger.warn(`${action} not understood`, String(error));
      return;
    }
    this.pendingSources.push({ action, description });
    if (this.pendingSources.length > 1) return;
    void this.enqueue(() => this.applySources()).catch((error: unknown) => this.fail(`${action}: ${String(error)}`));
  }

  private async applySources(): Promise<void> {
    const batch = this.pendingSources;
    this.pendingSources = [];
    const remote = this.remote;
    if (!remote || batch.length === 0) return;
    for (const { action, description } of batch) {
      for (const update of description.contents) {
        if (update.media !== 'audio' && update.media !== 'video') continue;
        const target = remote.contents.find((c) => c.media === update.media);
        if (!target) {
          logger.warn(`${action} for media ${update.media} the session does not have`);
          continue;
        }
        if (action === 'source-add') {
          const known = new Set(remote.contents.flatMap((c) => c.sources.map((s) => s.ssrc)));
          const fresh = update.sources.filter((s) => !known.has(s.ssrc));
          if (fresh.length < update.sources.length) logger.warn(`source-add repeats ${update.sources.length - fresh.length} known SSRC(s); they are ignored`);
          target.sources.push(...fresh);
          const freshSsrcs = new Set(fresh.map((s) => s.ssrc));
          target.groups.push(...update.groups.filter((g) => g.ssrcs.every((s) => freshSsrcs.has(s))));
        } else {
          const gone = new Set(update.sources.map((s) => s.ssrc));
          for (const group of update.groups) for (const ssrc of group.ssrcs) gone.add(ssrc);
          target.sources = target.sources.filter((s) => !gone.has(s.ssrc));
          target.groups = target.groups.filter((g) => !g.ssrcs.some((s) => gone.has(s)));
        }
      }
    }
    this.lines = jvbLines(remote, this.lines);
    await this.renegotiate();
    this.reportRemote();
  }

  /** protocol.md 5.2: an ICE restart from the focus; we answer with our new credentials. */
  private async onTransportInfo(jingle: Element): Promise<void> {
    const remote = this.remote;
    const content = Array.from(jingle.children).find((c) => c.localName === 'content');
    const element = content && Array.from(content.children).find((c) => c.localName === 'transport' && c.namespaceURI === JINGLE_NS.ICE_UDP);
    if (!remote || !element) return;
    const transport = parseTransport(element);
    if (!transport.ufrag || !transport.pwd) return;
    const generation = element.getAttribute('ice-generation') ?? undefined;
    for (const c of remote.contents) c.transport = { ...c.transport, ufrag: transport.ufrag, pwd: transport.pwd, candidates: transport.candidates, ...(transport.fingerprints.length > 0 ? { fingerprints: transport.fingerprints } : {}) };
    await this.renegotiate();
    const local = this.localDescription();
    const iq = jingleIq(this.options.focusJid, 'transport-info', { sid: this.sid, initiator: this.options.focusJid });
    const audio = local.contents.find((c) => c.name === 'audio') ?? local.contents[0];
    if (!audio) return;
    iq.c('content', { creator: 'initiator', name: audio.name });
    iq.c('transport', { xmlns: JINGLE_NS.ICE_UDP, ufrag: audio.transport.ufrag ?? '', pwd: audio.transport.pwd ?? '', ...(generation ? { 'ice-generation': generation } : {}) });
    const fingerprint = audio.transport.fingerprints[0];
    if (fingerprint) iq.c('fingerprint', { xmlns: JINGLE_NS.DTLS, hash: fingerprint.hash, setup: fingerprint.setup ?? 'active' }, fingerprint.value);
    this.sendIq(iq, 'transport-info', false);
  }

  /** A source listed twice would make two m-lines receive one SSRC: keep the first (protocol.md 5.4). */
  private dropDuplicates(offer: JingleDescription): void {
    const seen = new Set<number>();
    for (const content of offer.contents) {
      content.sources = content.sources.filter((source) => {
        if (!seen.has(source.ssrc)) {
          seen.add(source.ssrc);
          return true;
        }
        logger.warn(`SSRC ${source.ssrc} is listed twice in the offer; the second is ignored`);
        return false;
      });
    }
  }

  // ---- signalling out ----------------------------------------------------------------------------------------

  private sendIq(iq: ReturnType<typeof jingleIq>, what: string, fatal: boolean, refused?: () => void): void {
    this.options.xmpp.sendIQ(iq, 10_000).catch((error: unknown) => {
      if (this.closed) return;
      logger.warn(`${what} was not accepted by the focus`, String(error));
      if (fatal) this.fail(`${what} refused`);
      else refused?.();
    });
  }

  /** source-remove then source-add for what changed in our sources since the last announcement (protocol.md 5.6). */
  private announceChanges(): void {
    if (this.closed) return;
    const local = this.localDescription();
    const key = (s: Source): string => `${s.ssrc} ${s.name ?? ''}`;
    const diff = (from: Content[], to: Content[]): Content[] =>
      from.flatMap((content) => {
        const other = new Set((to.find((c) => c.name === content.name)?.sources ?? []).map(key));
        const sources = content.sources.filter((s) => !other.has(key(s)));
        if (sources.length === 0) return [];
        const ssrcs = new Set(sources.map((s) => s.ssrc));
        return [{ ...content, sources, groups: content.groups.filter((g) => g.ssrcs.some((s) => ssrcs.has(s))) }];
      });
    const removed = diff(this.announced, local.contents);
    const added = diff(local.contents, this.announced);
    this.announced = local.contents;
    for (const [action, contents] of [['source-remove', removed], ['source-add', added]] as const) {
      if (contents.length === 0) continue;
      const iq = jingleIq(this.options.focusJid, action, { sid: this.sid, initiator: this.options.focusJid });
      appendContents(iq, { contents, bundle: [] }, { parts: 'sources', group: false });
      const kinds = [...new Set(contents.map((c) => c.media).filter((m): m is 'audio' | 'video' => m === 'audio' || m === 'video'))];
      this.sendIq(iq, action, false, action === 'source-add' ? () => this.emit('sourcesRejected', kinds) : undefined);
    }
  }

  // ---- local description ---------------------------------------------------------------------------------------

  /** The focus's offer as it stands now, applied again, and our answer to it (no signalling). */
  private async renegotiate(): Promise<void> {
    const remote = this.remote;
    if (!remote || this.closed) return;
    await this.pc.setRemoteDescription({ type: 'offer', sdp: this.remoteSdp(remote) });
    await this.answer();
  }

  /**
   * The focus's offer as SDP, video payload types in our codec order (lib-jitsi-meet munges the m-line order
   * so that the browser sends the codec it chose, whatever order the offer had).
   */
  private remoteSdp(remote: JingleDescription): string {
    const ordered = { ...remote, contents: remote.contents.map((c) => (c.media === 'video' ? { ...c, payloadTypes: preferPayloadTypes(c.payloadTypes, this.codecs) } : c)) };
    return toJvbSdp(ordered, this.lines, this.sessionVersion++);
  }

  private async answer(): Promise<void> {
    this.applyCodecPreferences();
    const answer = await this.pc.createAnswer();
    const cameraMids = this.options.simulcast
      ? new Set([...this.tracks].filter(([track, t]) => t.mid !== null && track.getVideoType() !== 'desktop').map(([, t]) => String(t.mid)))
      : new Set<string>();
    await this.pc.setLocalDescription({ type: 'answer', sdp: mungeSimulcast(answer.sdp ?? '', cameraMids, this.simulcastSsrcs) });
    for (const transceiver of this.tracks.values()) await this.applyEncodings(transceiver);
  }

  /**
   * Our description in Jingle: contents audio/video/data (protocol.md 5.6), only the sources of m-lines that
   * carry one of our tracks, named `<EP>-a<i>` / `<EP>-v<i>`, msid `<EP>-<kind>-<i>-1 <track>-1`.
   */
  private localDescription(): JingleDescription {
    const sdp = parse(this.pc.localDescription?.sdp ?? '');
    const description = fromLocalSdp(this.pc.localDescription?.sdp ?? '', 'jvb');
    for (const content of description.contents) {
      content.sources = [];
      content.groups = [];
      if (content.media === 'application') {
        // The answer's data content has only a transport (5.6, 5.7).
        content.media = 'application';
        content.payloadTypes = [];
      }
    }
    for (const [track, transceiver] of this.tracks) {
      const m = sdp.media.find((section) => section.mid !== undefined && String(section.mid) === transceiver.mid);
      const content = description.contents.find((c) => c.media === track.getType());
      if (!m || !content) continue;
      const name = track.getSourceName() ?? `${this.options.endpointId}-${track.getType() === 'audio' ? 'a' : 'v'}0`;
      const index = /(\d+)$/.exec(name)?.[1] ?? '0';
      const msid = `${this.options.endpointId}-${track.getType()}-${index}-1 ${name}-1`;
      const ssrcs = [...new Set((m.ssrcs ?? []).map((s) => Number(s.id)))];
      for (const ssrc of ssrcs) {
        content.sources.push({ ssrc, name, msid, ...(track.getType() === 'video' ? { videoType: track.getVideoType() ?? 'camera' } : {}) });
      }
      const groups: SourceGroup[] = (m.ssrcGroups ?? []).map((g) => ({ semantics: g.semantics, ssrcs: String(g.ssrcs).split(' ').map(Number) }));
      content.groups.push(...groups);
    }
    description.bundle = ['audio', 'video', 'data'];
    return description;
  }

  // ---- media ----------------------------------------------------------------------------------------------------

  private lineOf(transceiver: RTCRtpTransceiver): JvbLine | undefined {
    return transceiver.mid === null ? undefined : this.lines.find((l) => l.mid === transceiver.mid);
  }

  /** Puts a local track on the sending m-line of its kind. False when there is none free. */
  private async attach(track: SessionTrack): Promise<boolean> {
    const used = new Set(this.tracks.values());
    const transceiver = this.pc.getTransceivers().find((t) => this.lineOf(t)?.direction === 'sendrecv' && this.lineOf(t)?.media === track.getType() && !used.has(t));
    if (!transceiver) {
      logger.warn(`no free ${track.getType()} m-line in the bridge session; the track is not sent to the bridge`);
      return false;
    }
    this.tracks.set(track, transceiver);
    transceiver.direction = 'sendrecv';
    await transceiver.sender.replaceTrack(this.sendable(track));
    transceiver.sender.setStreams(track.getOriginalStream());
    return true;
  }

  private sendable(track: SessionTrack): MediaStreamTrack | null {
    const media = track.getTrack();
    return media.readyState === 'live' ? media : null;
  }

  /** The lower of our cap and the bridge's cap for the source the transceiver sends. */
  private maxHeightFor(transceiver: RTCRtpTransceiver): number | undefined {
    const name = [...this.tracks].find(([, t]) => t === transceiver)?.[0].getSourceName();
    const caps = [this.maxHeight, name === undefined ? undefined : this.sourceMaxHeights.get(name)].filter((h): h is number => h !== undefined);
    return caps.length > 0 ? Math.min(...caps) : undefined;
  }

  /**
   * The sender parameters of one of our m-lines: all off while P2P runs (protocol.md 7.3); for video,
   * lib-jitsi-meet's encodings for the codec in use (src/rtc/encodings.ts) capped at the requested height, and
   * the codec itself on the encodings where the browser has the codec selection API.
   */
  private async applyEncodings(transceiver: RTCRtpTransceiver): Promise<ApplyResult | undefined> {
    if (this.closed) return undefined;
    const { sender } = transceiver;
    const parameters = sender.getParameters();
    if (parameters.encodings.length === 0) return undefined;
    const track = [...this.tracks].find(([, t]) => t === transceiver)?.[0];
    const codec = track?.getType() === 'video' ? sendCodec(parameters, this.codecs) : undefined;
    const plans = codec
      ? bridgeEncodings(
          {
            codec,
            captureHeight: sender.track?.getSettings().height ?? 720,
            maxHeight: this.maxHeightFor(transceiver),
            videoType: track?.getVideoType() ?? 'camera',
            paused: this.paused,
          },
          parameters.encodings.length,
          this.options.codecSettings,
        )
      : parameters.encodings.map(() => ({ active: !this.paused }));
    try {
      return await applySenderParameters(sender, plans, codec && this.codecApi ? codec : undefined);
    } catch (error) {
      logger.warn('sender parameters not applied', String(error));
      return undefined;
    }
  }

  /** Our codec order on every video m-line before answering (lib-jitsi-meet: setCodecPreferences). */
  private applyCodecPreferences(): void {
    const capabilities = typeof RTCRtpReceiver.getCapabilities === 'function' ? RTCRtpReceiver.getCapabilities('video')?.codecs : undefined;
    if (!capabilities) return;
    const ordered = orderCodecCapabilities(capabilities, this.codecs, false);
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.receiver.track.kind !== 'video' || transceiver.direction === 'stopped' || transceiver.currentDirection === 'stopped') continue;
      try {
        transceiver.setCodecPreferences(ordered);
      } catch (error) {
        logger.warn('codec preferences not applied', String(error));
      }
    }
  }

  /** Emits remoteMedia for new remote sources and remoteRemoved for the ones gone. */
  private reportRemote(): void {
    const present = new Set<number>();
    for (const transceiver of this.pc.getTransceivers()) {
      const line = this.lineOf(transceiver);
      if (!line || line.media === 'application') continue;
      const secondary = new Set(line.groups.filter((g) => g.semantics === 'FID').map((g) => g.ssrcs[1]));
      const source = line.sources.find((s) => !secondary.has(s.ssrc));
      if (!source || isBridgeSource(source)) continue;
      present.add(source.ssrc);
      if (this.reported.has(source.ssrc) || !transceiver.mid) continue;
      this.reported.set(source.ssrc, source.owner);
      const track = transceiver.receiver.track;
      this.emit('remoteMedia', { mid: transceiver.mid, media: line.media, source, track, stream: new MediaStream([track]) });
    }
    for (const [ssrc, owner] of [...this.reported]) {
      if (present.has(ssrc)) continue;
      this.reported.delete(ssrc);
      this.emit('remoteRemoved', ssrc, owner);
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    logger.warn(`bridge session ${this.sid} failed: ${reason}`);
    this.emit('failed', reason);
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T | undefined> {
    const run = this.queue.then(() => (this.closed ? undefined : step()));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
