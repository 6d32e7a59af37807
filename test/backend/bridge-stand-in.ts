/**
 * Bridge STAND-IN for the Jitsi Videobridge (which cannot be installed on these machines), on werift.
 * It runs inside the focus stand-in's process (focus-stand-in.ts calls it directly, in place of Colibri2
 * over XMPP), so there is no allocation protocol to fake; what clients see follows protocol.md 5.3 and 8.
 *
 * Per endpoint, one werift RTCPeerConnection terminates ICE, DTLS-SRTP and SCTP (backend.md, werift
 * section). werift is only used for the transport: the bridge's fixed local offer (one audio, one video, one
 * application m-line) gives the ufrag/pwd/fingerprint/candidates that the focus puts in its Jingle offer, and
 * the client's Jingle answer (ufrag, pwd, fingerprint setup=active, maybe no candidates) is turned into a
 * matching remote answer for that offer. The client builds its SDP from Jingle (one m-line per remote
 * source, its own mids), so neither its mids nor its `sdes:mid` header extension mean anything to werift:
 * incoming RTP is taken from the DTLS transport (`onRtp`) and routed by SSRC against the sources the client
 * announced; werift's own mid/SSRC router is switched off. Outgoing RTP is written straight to the DTLS
 * transport with the SSRC the focus announced for each source, without the `sdes:mid` extension (the
 * receiver's mids are its own; it demultiplexes by the signalled SSRCs).
 *
 * ICE: werift is a full agent, controlling (the offerer). Chromium's answer carries no candidates; werift
 * learns Chromium's address as a peer-reflexive candidate from its connectivity checks. The remote answer
 * given to werift must not say end-of-candidates, else werift fails at once when Chromium's first check has
 * not arrived yet (its check list is empty); without it werift keeps waiting for the checks.
 *
 * Forwarding (like the JVB without SSRC rewriting): audio of every endpoint to every other endpoint as is;
 * video per receiver and source, with the payload type it came with (the offer's payload types are Jicofo's
 * fixed ones, the same for every endpoint: AV1 41, VP8 100, H.264 107, VP9 101). A source (a SIM group of
 * SSRCs, low to high) is forwarded on its first SSRC (the one the focus announced with strip-simulcast). In
 * VP8 and H.264 (and VP9/AV1 sent as simulcast) it is simulcast: one layer per receiver, chosen from the
 * receiver's constraints (maxHeight; layer heights learnt from VP8 keyframes, else assumed 180/360/720),
 * switched only at a keyframe of the new layer, with sequence numbers, timestamps and (VP8) picture ids and
 * TL0PICIDX rewritten so the receiver's stream stays continuous. VP9 and AV1 on the first SSRC only are one
 * SVC stream (lib-jitsi-meet's default), forwarded whole with its AV1 dependency descriptors: every spatial
 * and temporal layer, whatever height the receiver asked for (the real bridge drops layers; this stand-in
 * only honours maxHeight 0 and lastN for them). A sender changes codec at a keyframe (lib-jitsi-meet's
 * CodecSelection); the bridge follows the codec of the last keyframe. RTX is not forwarded (the bridge sends no
 * NACKs; receivers' NACKs are ignored), padding is forwarded as empty packets. PLI/FIR from a receiver is
 * sent upstream (as PLI) for the layer it receives; a PLI also goes upstream when a receiver's DTLS comes up
 * or a layer switch waits for a keyframe. Every second each sender gets a REMB of 3 Mbit/s for its video
 * SSRCs (transport-cc is not offered: backend.md found it made Chromium's send rate collapse).
 *
 * Bridge channel (protocol.md 8) over both the Colibri websocket
 * `ws://127.0.0.1:<port>/colibri-ws/<jvb-id>/<conference-id>/<endpoint-id>?pwd=<secret>` (wrong pwd: HTTP 401;
 * unknown bridge/conference/endpoint: 404) and the SCTP data channel the client opens. Messages to a client go
 * on its open data channel if any, else its websocket. ServerHello on websocket connect, on data channel open
 * and in reply to ClientHello; EndpointMessage and EndpointStats relayed with `from`;
 * DominantSpeakerEndpointChangeEvent from the ssrc-audio-level extension; ForwardedSources per receiver when
 * its set changes; ReceiverVideoConstraints and LastNChangedEvent honoured; SenderSourceConstraints with the
 * largest height any receiver wants; EndpointConnectivityStatusChangeEvent when an endpoint's media stops for
 * 3 s or resumes. Choices where protocol.md is silent: with no ReceiverVideoConstraints, a receiver gets
 * every source at the default maxHeight 180 (JVB's thumbnail default); lastN counts video sources; ordering
 * for lastN is selected, on-stage, then speakers (most recent first), then join order.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseSdp, write as writeSdp } from 'sdp-transform';
import {
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  type RTCDataChannel,
  type RTCDtlsTransport,
  type RtcpPacket,
  type RtpPacket,
} from 'werift';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Source } from '../../src/jingle/model.js';
import { fromLocalSdp } from '../../src/jingle/sdp.js';
import { EXT, PT, VIDEO_CODECS, codecOfPt, emptySources, type BridgeTransport, type ClientTransport, type EndpointSources, type VideoCodecName } from './jingle-xml.js';
import { isSvcCodec, keyframeStart, vp8Info, type Vp8Info } from './rtp-payloads.js';

export interface BridgeConfig {
  /** Loopback port of the Colibri websocket server. */
  port: number;
  log: (message: string) => void;
}

export interface BridgeEvents {
  /** The bridge was restarted (restart()): these endpoints of these rooms lost their allocation. */
  onRestart?: (lost: Map<string, string[]>) => void;
}

/** Feedback sources of a conference (protocol.md 5.3: owner `jvb`). */
export interface FeedbackSources {
  audio: Source;
  video: Source;
}

/** Inactivity after which an endpoint is reported inactive (EndpointConnectivityStatusChangeEvent). */
export const INACTIVITY_MS = 3000;
/** Default receiver constraint when a client sent none. */
export const DEFAULT_MAX_HEIGHT = 180;
const ASSUMED_LAYER_HEIGHTS = [180, 360, 720];
const REMB_BPS = 3_000_000;
const TICK_MS = 250;

const randomSsrc = (): number => (randomBytes(4).readUInt32BE(0) % 0xfffffff0) + 1;
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

interface Layer {
  ssrc: number;
  height: number | undefined;
  lastAt: number;
}

interface VideoSource {
  name: string;
  owner: string;
  /** Layers low to high; one layer for a source without simulcast. */
  layers: Layer[];
  /** The SSRC receivers see: the first layer's. */
  announced: number;
  /** The codec of the last keyframe (a sender switches codec at a keyframe, lib-jitsi-meet's CodecSelection). */
  codec: VideoCodecName | undefined;
}

interface Forward {
  /** Layer index being forwarded, -1 for none. */
  current: number;
  target: number;
  started: boolean;
  seqOffset: number;
  tsOffset: number;
  pidOffset: number;
  tl0Offset: number;
  lastSeq: number;
  lastTs: number;
  lastPid: number;
  lastTl0: number;
}

interface Constraints {
  lastN: number;
  selected: string[];
  onStage: string[];
  defaultMaxHeight: number;
  perSource: Map<string, number>;
}

/**
 * A source sends one SVC stream when its codec is VP9 or AV1 and only its first SSRC carries media
 * (lib-jitsi-meet's default for them; with `useSimulcast` they come as simulcast layers like VP8).
 */
const sendsSvc = (source: VideoSource, now = Date.now()): boolean => isSvcCodec(source.codec) && !source.layers.slice(1).some((l) => now - l.lastAt < 1000);

const seqNewer = (a: number, b: number): boolean => a !== b && ((a - b) & 0xffff) < 0x8000;

class BridgeEndpoint {
  readonly wsPwd = hex(12);
  ws: WebSocket | undefined;
  dc: RTCDataChannel | undefined;
  dtls: RTCDtlsTransport | undefined;
  connected = false;
  sources: EndpointSources = emptySources();
  readonly audioBySsrc = new Map<number, string>();
  readonly layerBySsrc = new Map<number, { source: VideoSource; layer: number }>();
  readonly videoSources = new Map<string, VideoSource>();
  lastMediaAt = 0;
  /** What the others were last told (EndpointConnectivityStatusChangeEvent). */
  reportedActive = true;
  connectedAt = 0;
  readonly levels: { at: number; score: number }[] = [];
  constraints: Constraints = { lastN: -1, selected: [], onStage: [], defaultMaxHeight: DEFAULT_MAX_HEIGHT, perSource: new Map() };
  readonly forwards = new Map<string, Forward>();
  forwardedSources: string[] | undefined;
  readonly senderConstraints = new Map<string, number>();
  readonly lastPli = new Map<number, number>();
  readonly pliPending = new Set<number>();
  answered = false;
  /** An ICE restart offer is out: the client's next transport starts ICE again. */
  iceRestarting = false;
  /** Packets received from / sent to this endpoint (debug log with BRIDGE_DEBUG=1). */
  readonly counts = { in: 0, out: 0, unknown: 0 };

  constructor(
    readonly id: string,
    readonly conference: BridgeConference,
    readonly pc: RTCPeerConnection,
    readonly joinOrder: number,
  ) {}

  send(message: object): void {
    const text = JSON.stringify(message);
    if (this.dc && this.dc.readyState === 'open') {
      this.dc.send(text);
    } else if (this.ws && this.ws.readyState === this.ws.OPEN) {
      this.ws.send(text);
    }
  }
}

class BridgeConference {
  readonly id = hex(8);
  readonly endpoints = new Map<string, BridgeEndpoint>();
  readonly feedback: FeedbackSources = {
    audio: { ssrc: randomSsrc(), name: 'jvb-a0', msid: 'mixedmslabel mixedlabelaudio0' },
    video: { ssrc: randomSsrc(), name: 'jvb-v0', msid: 'mixedmslabel mixedlabelvideo0' },
  };
  dominant: string | undefined;
  silence = false;
  /** Previous dominant speakers, most recent first. */
  previous: string[] = [];
  quietSince = 0;
  joinCounter = 0;

  constructor(readonly room: string) {}
}

export class BridgeStandIn {
  /** The bridge id in Colibri websocket URLs; a restart picks a new one. */
  id = `jvb-standin-${hex(3)}`;
  private readonly conferences = new Map<string, BridgeConference>();
  /** Jicofo's force-mute of an endpoint's audio (AV moderation, protocol.md 13.2): `<room> <endpoint>`. */
  private readonly audioForceMuted = new Set<string>();
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });
  private tick: ReturnType<typeof setInterval> | undefined;
  private tickCount = 0;
  events: BridgeEvents = {};

  constructor(private readonly config: BridgeConfig) {}

  private log(message: string): void {
    this.config.log(`[bridge stand-in] ${message}`);
  }

  async start(): Promise<void> {
    const server = createServer((_request, response) => {
      response.writeHead(404).end();
    });
    server.on('upgrade', (request, socket, head) => this.onUpgrade(request, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.tick = setInterval(() => this.onTick(), TICK_MS);
    this.log(`online: ${this.id}, colibri websockets on ws://127.0.0.1:${this.config.port}/colibri-ws/`);
  }

  async stop(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    this.tick = undefined;
    await this.closeAll();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** The feedback sources of a room's conference (created on first use). */
  feedbackSources(room: string): FeedbackSources {
    return this.conference(room).feedback;
  }

  private conference(room: string): BridgeConference {
    let conference = this.conferences.get(room);
    if (!conference) {
      conference = new BridgeConference(room);
      this.conferences.set(room, conference);
      this.log(`${room}: conference ${conference.id}`);
    }
    return conference;
  }

  /**
   * Allocates (or re-allocates) an endpoint: a new PeerConnection whose offer gives the transport for the
   * focus's session-initiate. Resolves once ICE gathering is complete (no trickle towards the client).
   */
  async allocate(room: string, endpointId: string): Promise<BridgeTransport> {
    this.expire(room, endpointId);
    const conference = this.conference(room);
    const pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      // Only werift's own description (never shown to clients) uses these: media is routed here by SSRC and
      // forwarded with the payload type it came with, which is the same on every endpoint (Jicofo's fixed ones).
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: PT.opus })],
        video: VIDEO_CODECS.map((c) => new RTCRtpCodecParameters({ mimeType: `video/${c.name}`, clockRate: 90000, payloadType: c.pt, rtcpFeedback: [] })),
      },
      headerExtensions: { audio: [], video: [] },
    });
    const endpoint = new BridgeEndpoint(endpointId, conference, pc, ++conference.joinCounter);
    conference.endpoints.set(endpointId, endpoint);
    // werift's own RTP router (by mid, then SSRC) must not see the clients' packets: they are routed here.
    const router = (pc as unknown as { router: { routeRtp: (rtp: RtpPacket) => void } }).router;
    router.routeRtp = () => undefined;
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    // An application m-line without opening a channel: the client opens the bridge channel (protocol.md 8.1).
    (pc as unknown as { createSctpTransport(): void }).createSctpTransport();
    pc.onDataChannel.subscribe((channel) => this.onDataChannel(endpoint, channel));
    pc.connectionStateChange.subscribe((state) => {
      if (conference.endpoints.get(endpointId) !== endpoint) return;
      this.log(`${room}: ${endpointId} ${state}`);
      if (state === 'connected') this.onConnected(endpoint);
    });
    await pc.setLocalDescription(await pc.createOffer());
    return this.gatheredTransport(conference, endpoint);
  }

  /**
   * Jicofo's in-place ICE restart (protocol.md 5.2), bridge half: a new offer with new ICE credentials (same DTLS
   * certificate, same media); the client's new credentials come back through setTransport. Undefined for an
   * endpoint that does not exist.
   */
  async restartIce(room: string, endpointId: string): Promise<BridgeTransport | undefined> {
    const conference = this.conferences.get(room);
    const endpoint = conference?.endpoints.get(endpointId);
    if (!conference || !endpoint) return undefined;
    await endpoint.pc.setLocalDescription(await endpoint.pc.createOffer({ iceRestart: true }));
    endpoint.answered = false;
    endpoint.iceRestarting = true;
    this.log(`${room}: ${endpointId} ICE restart`);
    return this.gatheredTransport(conference, endpoint);
  }

  /** The transport of the endpoint's current local offer, once ICE gathering is complete. */
  private async gatheredTransport(conference: BridgeConference, endpoint: BridgeEndpoint): Promise<BridgeTransport> {
    const pc = endpoint.pc;
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const sub = pc.iceGatheringStateChange.subscribe((state) => {
        if (state === 'complete') {
          sub.unSubscribe();
          resolve();
        }
      });
    });
    // The engine's pure SDP reader (it keeps an all-digit ufrag a string).
    const transport = fromLocalSdp(pc.localDescription?.sdp ?? '', 'jvb').contents[0]?.transport;
    const fingerprint = transport?.fingerprints[0];
    if (!transport?.ufrag || !transport.pwd || !fingerprint) throw new Error('werift offer without ICE/DTLS parameters');
    return {
      ufrag: transport.ufrag,
      pwd: transport.pwd,
      fingerprint: { hash: fingerprint.hash, value: fingerprint.value },
      candidates: transport.candidates,
      sctpPort: 5000,
      webSocketUrl: `ws://127.0.0.1:${this.config.port}/colibri-ws/${this.id}/${conference.id}/${encodeURIComponent(endpoint.id)}?pwd=${endpoint.wsPwd}`,
    };
  }

  /** The client's answer: its ICE/DTLS parameters become werift's remote answer. */
  async setTransport(room: string, endpointId: string, transport: ClientTransport): Promise<void> {
    const endpoint = this.conferences.get(room)?.endpoints.get(endpointId);
    if (!endpoint || endpoint.answered) return;
    endpoint.answered = true;
    const offer = parseSdp(endpoint.pc.localDescription?.sdp ?? '');
    const fingerprint = transport.fingerprints[0];
    for (const m of offer.media) {
      m.iceUfrag = transport.ufrag;
      m.icePwd = transport.pwd;
      if (fingerprint) m.fingerprint = { type: fingerprint.hash, hash: fingerprint.value };
      m.setup = fingerprint?.setup === 'passive' ? 'passive' : 'active';
      m.candidates = m === offer.media[0]
        ? transport.candidates.map((c) => ({ foundation: c.foundation, component: c.component, transport: c.protocol, priority: c.priority, ip: c.ip, port: c.port, type: c.type }))
        : [];
      delete m.ssrcs;
      delete m.ssrcGroups;
      delete m.msid;
      delete m.iceOptions;
      // The client never trickles to the focus, so its candidates are never complete: werift must wait for
      // its connectivity checks (peer-reflexive) instead of failing on an empty check list.
      delete m.endOfCandidates;
      if (m.type === 'application') m.sctpPort = transport.sctpPort ?? 5000;
    }
    delete offer.fingerprint;
    offer.origin = { username: '-', sessionId: hex(6).replace(/^0+/, '1'), sessionVersion: 1, netType: 'IN', ipVer: 4, address: '127.0.0.1' };
    await endpoint.pc.setRemoteDescription({ type: 'answer', sdp: writeSdp(offer) });
    // werift does not start ICE again on its own while DTLS is up (an ICE restart keeps DTLS): start it here.
    if (!endpoint.iceRestarting) return;
    endpoint.iceRestarting = false;
    for (const ice of endpoint.pc.iceTransports) {
      ice
        .start()
        .then(() => {
          // Packets lost while the new pair was checked, both ways: keyframes for every forwarded source.
          for (const receiver of endpoint.conference.endpoints.values()) {
            for (const [name, forward] of receiver.forwards) this.requestKeyframe(endpoint.conference, name, forward.target);
          }
        })
        .catch((error: Error) => this.log(`${room}: ${endpointId} ICE restart failed: ${error.message}`));
    }
  }

  /** An endpoint's sources (what it sends), from its session-accept and source-add/remove. */
  setSources(room: string, endpointId: string, sources: EndpointSources): void {
    const conference = this.conferences.get(room);
    const endpoint = conference?.endpoints.get(endpointId);
    if (!conference || !endpoint) return;
    endpoint.sources = sources;
    endpoint.audioBySsrc.clear();
    for (const a of sources.audio) endpoint.audioBySsrc.set(a.ssrc, a.name ?? `${endpointId}-a0`);
    const previous = new Map(endpoint.videoSources);
    endpoint.videoSources.clear();
    endpoint.layerBySsrc.clear();
    const rtx = new Set(sources.videoGroups.filter((g) => g.semantics === 'FID').map((g) => g.ssrcs[1]));
    const inSim = new Set(sources.videoGroups.filter((g) => g.semantics === 'SIM').flatMap((g) => g.ssrcs));
    const add = (name: string, ssrcs: number[]): void => {
      const old = previous.get(name);
      const source: VideoSource = {
        name,
        owner: endpointId,
        layers: ssrcs.map((ssrc) => old?.layers.find((l) => l.ssrc === ssrc) ?? { ssrc, height: undefined, lastAt: 0 }),
        announced: ssrcs[0] ?? 0,
        codec: old?.codec,
      };
      endpoint.videoSources.set(name, source);
      source.layers.forEach((layer, i) => endpoint.layerBySsrc.set(layer.ssrc, { source, layer: i }));
    };
    for (const sim of sources.videoGroups.filter((g) => g.semantics === 'SIM')) {
      const name = sources.video.find((v) => v.ssrc === sim.ssrcs[0])?.name ?? `${endpointId}-v${endpoint.videoSources.size}`;
      add(name, sim.ssrcs);
    }
    for (const v of sources.video) {
      if (inSim.has(v.ssrc) || rtx.has(v.ssrc)) continue;
      add(v.name ?? `${endpointId}-v${endpoint.videoSources.size}`, [v.ssrc]);
    }
    for (const other of conference.endpoints.values()) {
      for (const name of [...other.forwards.keys()]) {
        if (previous.has(name) && !endpoint.videoSources.has(name)) other.forwards.delete(name);
      }
    }
    this.updateForwarding(conference);
  }

  /** Frees an endpoint (leave, session-terminate, re-invite). */
  /** Drops (or forwards again) an endpoint's audio, as the JVB does when Jicofo force-mutes it; kept until lifted. */
  forceMuteAudio(room: string, endpointId: string, muted: boolean): void {
    if (muted) this.audioForceMuted.add(`${room} ${endpointId}`);
    else this.audioForceMuted.delete(`${room} ${endpointId}`);
  }

  expire(room: string, endpointId: string): void {
    const conference = this.conferences.get(room);
    const endpoint = conference?.endpoints.get(endpointId);
    if (!conference || !endpoint) return;
    conference.endpoints.delete(endpointId);
    void this.closeEndpoint(endpoint);
    this.log(`${room}: ${endpointId} expired`);
    for (const other of conference.endpoints.values()) {
      for (const name of endpoint.videoSources.keys()) other.forwards.delete(name);
    }
    conference.previous = conference.previous.filter((id) => id !== endpointId);
    if (conference.dominant === endpointId) conference.dominant = undefined;
    if (conference.endpoints.size === 0) {
      this.conferences.delete(room);
      this.log(`${room}: conference ${conference.id} expired`);
    } else {
      this.updateForwarding(conference);
    }
  }

  /** Test control: drops every Colibri websocket abnormally (the clients should reconnect). */
  cutWebsockets(): number {
    let cut = 0;
    for (const conference of this.conferences.values()) {
      for (const endpoint of conference.endpoints.values()) {
        if (endpoint.ws) {
          endpoint.ws.terminate();
          endpoint.ws = undefined;
          cut++;
        }
      }
    }
    this.log(`test control: cut ${cut} colibri websocket(s)`);
    return cut;
  }

  /**
   * Test control: a bridge crash and restart. Every PeerConnection and websocket is closed, the bridge gets a
   * new id (old websocket URLs answer 404), and the focus is told which endpoints lost their allocation.
   */
  async restart(): Promise<Map<string, string[]>> {
    const lost = new Map<string, string[]>();
    for (const [room, conference] of this.conferences) lost.set(room, [...conference.endpoints.keys()]);
    await this.closeAll();
    this.id = `jvb-standin-${hex(3)}`;
    this.log(`test control: restarted as ${this.id}`);
    this.events.onRestart?.(lost);
    return lost;
  }

  private async closeAll(): Promise<void> {
    const all = [...this.conferences.values()].flatMap((c) => [...c.endpoints.values()]);
    this.conferences.clear();
    await Promise.allSettled(all.map((endpoint) => this.closeEndpoint(endpoint)));
  }

  private closeEndpoint(endpoint: BridgeEndpoint): Promise<void> {
    endpoint.ws?.terminate();
    endpoint.ws = undefined;
    endpoint.connected = false;
    return endpoint.pc.close().catch(() => undefined);
  }

  // ---- Colibri websocket ----

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'ws://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (parts.length !== 4 || parts[0] !== 'colibri-ws' || parts[1] !== this.id) return refuse('404 Not Found');
    const conference = [...this.conferences.values()].find((c) => c.id === parts[2]);
    const endpoint = conference?.endpoints.get(parts[3] ?? '');
    if (!endpoint) return refuse('404 Not Found');
    if (url.searchParams.get('pwd') !== endpoint.wsPwd) {
      this.log(`${endpoint.conference.room}: ${endpoint.id}: websocket refused, wrong pwd`);
      return refuse('401 Unauthorized');
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (endpoint.conference.endpoints.get(endpoint.id) !== endpoint) {
        ws.close(1001, 'endpoint expired');
        return;
      }
      endpoint.ws?.close(1000, 'replaced');
      endpoint.ws = ws;
      ws.on('message', (data) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
        this.onMessage(endpoint, bytes.toString());
      });
      ws.on('close', () => {
        if (endpoint.ws === ws) endpoint.ws = undefined;
      });
      ws.on('error', () => undefined);
      ws.send(JSON.stringify({ colibriClass: 'ServerHello', version: 'jitsi-elements bridge stand-in 1' }));
      this.onChannelOpen(endpoint);
    });
  }

  private onDataChannel(endpoint: BridgeEndpoint, channel: RTCDataChannel): void {
    this.log(`${endpoint.conference.room}: ${endpoint.id}: data channel "${channel.label}"`);
    const opened = (): void => {
      endpoint.dc = channel;
      channel.send(JSON.stringify({ colibriClass: 'ServerHello', version: 'jitsi-elements bridge stand-in 1' }));
      this.onChannelOpen(endpoint);
    };
    channel.onMessage.subscribe((data) => this.onMessage(endpoint, data.toString()));
    channel.stateChanged.subscribe((state) => {
      if (state === 'open') opened();
      if (state === 'closed' && endpoint.dc === channel) endpoint.dc = undefined;
    });
    if (channel.readyState === 'open') opened();
  }

  /** A channel came up: what the endpoint must know now. */
  private onChannelOpen(endpoint: BridgeEndpoint): void {
    const conference = endpoint.conference;
    if (conference.dominant) {
      endpoint.send({ colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: conference.dominant, previousSpeakers: conference.previous, silence: conference.silence });
    }
    for (const other of conference.endpoints.values()) {
      if (other !== endpoint && !other.reportedActive) endpoint.send({ colibriClass: 'EndpointConnectivityStatusChangeEvent', endpoint: other.id, active: 'false' });
    }
    endpoint.forwardedSources = undefined;
    endpoint.senderConstraints.clear();
    this.updateForwarding(conference);
  }

  private onMessage(endpoint: BridgeEndpoint, text: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
      message = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    const conference = endpoint.conference;
    switch (message.colibriClass) {
      case 'ClientHello':
        endpoint.send({ colibriClass: 'ServerHello', version: 'jitsi-elements bridge stand-in 1' });
        return;
      case 'EndpointMessage': {
        const to = typeof message.to === 'string' ? message.to : '';
        const out = { ...message, from: endpoint.id };
        for (const other of conference.endpoints.values()) {
          if (other !== endpoint && (to === '' || other.id === to)) other.send(out);
        }
        return;
      }
      case 'EndpointStats': {
        const out = { ...message, from: endpoint.id };
        for (const other of conference.endpoints.values()) if (other !== endpoint) other.send(out);
        return;
      }
      case 'ReceiverVideoConstraints': {
        const c = endpoint.constraints;
        if (typeof message.lastN === 'number') c.lastN = message.lastN;
        if (Array.isArray(message.selectedSources)) c.selected = message.selectedSources.filter((s): s is string => typeof s === 'string');
        if (Array.isArray(message.onStageSources)) c.onStage = message.onStageSources.filter((s): s is string => typeof s === 'string');
        const height = (value: unknown): number | undefined => {
          const h = (value as { maxHeight?: unknown } | undefined)?.maxHeight;
          return typeof h === 'number' ? h : undefined;
        };
        const d = height(message.defaultConstraints);
        if (d !== undefined) c.defaultMaxHeight = d;
        if (message.constraints && typeof message.constraints === 'object') {
          c.perSource = new Map();
          for (const [name, value] of Object.entries(message.constraints as Record<string, unknown>)) {
            const h = height(value);
            if (h !== undefined) c.perSource.set(name, h);
          }
        }
        this.updateForwarding(conference);
        return;
      }
      case 'LastNChangedEvent':
        if (typeof message.lastN === 'number') {
          endpoint.constraints.lastN = message.lastN;
          this.updateForwarding(conference);
        }
        return;
      default:
        // SourceVideoTypeMessage, ReceiverAudioSubscription, …: accepted, nothing to do here.
        return;
    }
  }

  // ---- media ----

  private onConnected(endpoint: BridgeEndpoint): void {
    const dtls = endpoint.pc.dtlsTransports[0];
    if (!dtls || endpoint.connected) return;
    endpoint.dtls = dtls;
    endpoint.connected = true;
    endpoint.connectedAt = Date.now();
    dtls.onRtp.subscribe((rtp) => this.onRtp(endpoint, rtp));
    dtls.onRtcp.subscribe((rtcp) => this.onRtcp(endpoint, rtcp));
    // A keyframe for everything this receiver gets, and fresh state.
    for (const forward of endpoint.forwards.values()) forward.current = -1;
    this.updateForwarding(endpoint.conference);
    for (const [name, forward] of endpoint.forwards) this.requestKeyframe(endpoint.conference, name, forward.target);
  }

  private onRtp(sender: BridgeEndpoint, rtp: RtpPacket): void {
    const now = Date.now();
    const ssrc = rtp.header.ssrc;
    const conference = sender.conference;
    sender.counts.in++;
    const audio = sender.audioBySsrc.get(ssrc);
    if (audio !== undefined) {
      sender.lastMediaAt = now;
      if (this.audioForceMuted.has(`${conference.room} ${sender.id}`)) return;
      const ext = rtp.header.extensions.find((e) => e.id === EXT.audioLevel.id);
      if (ext && ext.payload.length > 0) sender.levels.push({ at: now, score: 127 - ((ext.payload[0] ?? 127) & 0x7f) });
      const extensions = ext ? [ext] : [];
      for (const receiver of conference.endpoints.values()) {
        if (receiver === sender || !receiver.connected) continue;
        const header = new RtpHeader({
          payloadType: rtp.header.payloadType,
          marker: rtp.header.marker,
          sequenceNumber: rtp.header.sequenceNumber,
          timestamp: rtp.header.timestamp,
          ssrc,
          extensions,
        });
        receiver.counts.out++;
        void receiver.dtls?.sendRtp(rtp.payload, header);
      }
      return;
    }
    const found = sender.layerBySsrc.get(ssrc);
    if (!found) {
      sender.counts.unknown++;
      return; // RTX, unannounced
    }
    sender.lastMediaAt = now;
    const { source, layer } = found;
    const layerState = source.layers[layer];
    if (layerState) layerState.lastAt = now;
    const codec = codecOfPt(rtp.header.payloadType);
    const info = codec === 'VP8' && rtp.payload.length > 0 ? vp8Info(rtp.payload) : undefined;
    const key = keyframeStart(codec, rtp.payload);
    if (info?.keyframeStart && info.height && layerState) layerState.height = info.height;
    if (key && codec && codec !== source.codec) {
      // The sender switched codec (or started): VP9/AV1 come as one SVC stream on the first SSRC, VP8/H.264 as layers.
      this.log(`${conference.room}: ${source.name} sends ${codec}`);
      source.codec = codec;
      // The other layers' recent packets were of the old codec: they count again once the new codec reaches them.
      source.layers.forEach((l, i) => {
        if (i !== layer) l.lastAt = 0;
      });
      this.updateForwarding(conference);
    }
    for (const receiver of conference.endpoints.values()) {
      if (receiver === sender || !receiver.connected) continue;
      const forward = receiver.forwards.get(source.name);
      if (!forward || forward.target < 0) continue;
      if (forward.current !== layer) {
        if (layer !== forward.target || !key) continue;
        this.switchLayer(forward, layer, rtp, info);
      }
      this.forwardVideo(receiver, source, forward, rtp, info);
    }
  }

  /** Moves a receiver to another stream at a keyframe, keeping sequence numbers, timestamps and VP8 picture ids continuous. */
  private switchLayer(forward: Forward, layer: number, rtp: RtpPacket, info: Vp8Info | undefined): void {
    const p = rtp.payload;
    if (forward.started) {
      forward.seqOffset = (forward.lastSeq + 1 - rtp.header.sequenceNumber) & 0xffff;
      forward.tsOffset = (forward.lastTs + 3000 - rtp.header.timestamp) >>> 0;
      if (info) {
        const inPid = info.pidOffset !== undefined ? (((p[info.pidOffset] ?? 0) & 0x7f) << 8) | (p[info.pidOffset + 1] ?? 0) : 0;
        const inTl0 = info.tl0Offset !== undefined ? (p[info.tl0Offset] ?? 0) : 0;
        forward.pidOffset = (forward.lastPid + 1 - inPid) & 0x7fff;
        forward.tl0Offset = (forward.lastTl0 + 1 - inTl0) & 0xff;
      }
    }
    forward.current = layer;
  }

  private forwardVideo(receiver: BridgeEndpoint, source: VideoSource, forward: Forward, rtp: RtpPacket, info: Vp8Info | undefined): void {
    const seq = (rtp.header.sequenceNumber + forward.seqOffset) & 0xffff;
    const ts = (rtp.header.timestamp + forward.tsOffset) >>> 0;
    let payload = rtp.payload;
    if (info && (info.pidOffset !== undefined || info.tl0Offset !== undefined) && (forward.pidOffset !== 0 || forward.tl0Offset !== 0 || !forward.started)) {
      payload = Buffer.from(rtp.payload);
    }
    if (info?.pidOffset !== undefined) {
      const at = info.pidOffset;
      const pid = ((((payload[at] ?? 0) & 0x7f) << 8) | (payload[at + 1] ?? 0)) + forward.pidOffset;
      if (forward.pidOffset !== 0) {
        payload[at] = 0x80 | ((pid >> 8) & 0x7f);
        payload[at + 1] = pid & 0xff;
      }
      forward.lastPid = pid & 0x7fff;
    }
    if (info?.tl0Offset !== undefined) {
      const tl0 = ((payload[info.tl0Offset] ?? 0) + forward.tl0Offset) & 0xff;
      if (forward.tl0Offset !== 0) payload[info.tl0Offset] = tl0;
      forward.lastTl0 = tl0;
    }
    if (!forward.started || seqNewer(seq, forward.lastSeq)) {
      forward.lastSeq = seq;
      forward.lastTs = ts;
    }
    forward.started = true;
    // An SVC stream is forwarded whole, so its dependency descriptors stay valid and go along (the AV1 decoder
    // needs them); a simulcast stream is spliced from layers, whose descriptors would not fit together.
    const dd = sendsSvc(source) ? rtp.header.extensions.filter((e) => e.id === EXT.dependencyDescriptor.id) : [];
    const header = new RtpHeader({
      payloadType: rtp.header.payloadType,
      marker: rtp.header.marker,
      sequenceNumber: seq,
      timestamp: ts,
      ssrc: source.announced,
      extensions: dd,
      ...(dd.length > 0 ? { extensionProfile: rtp.header.extensionProfile } : {}),
    });
    receiver.counts.out++;
    void receiver.dtls?.sendRtp(payload, header);
  }

  private onRtcp(receiver: BridgeEndpoint, rtcp: RtcpPacket): void {
    if (rtcp.type !== RtcpPayloadSpecificFeedback.type) return;
    const feedback = rtcp.feedback as { count: number; mediaSsrc: number; fir?: { ssrc: number }[] };
    let wanted: number[];
    if (feedback.count === PictureLossIndication.count) wanted = [feedback.mediaSsrc];
    else if (feedback.count === 4) wanted = (feedback.fir ?? []).map((entry) => entry.ssrc);
    else return;
    for (const ssrc of wanted) {
      for (const sender of receiver.conference.endpoints.values()) {
        const source = [...sender.videoSources.values()].find((s) => s.announced === ssrc);
        if (!source) continue;
        const forward = receiver.forwards.get(source.name);
        this.sendPli(sender, source.layers[Math.max(0, forward?.current ?? forward?.target ?? 0)]?.ssrc ?? source.announced);
      }
    }
  }

  private requestKeyframe(conference: BridgeConference, sourceName: string, layer: number): void {
    for (const sender of conference.endpoints.values()) {
      const source = sender.videoSources.get(sourceName);
      if (source) this.sendPli(sender, source.layers[Math.max(0, layer)]?.ssrc ?? source.announced);
    }
  }

  /** A PLI upstream; at most one per SSRC every 200 ms, a request inside that window is sent at its end. */
  private sendPli(sender: BridgeEndpoint, mediaSsrc: number): void {
    if (!sender.connected) return;
    const wait = 200 - (Date.now() - (sender.lastPli.get(mediaSsrc) ?? 0));
    if (wait > 0) {
      if (!sender.pliPending.has(mediaSsrc)) {
        sender.pliPending.add(mediaSsrc);
        setTimeout(() => {
          sender.pliPending.delete(mediaSsrc);
          this.sendPli(sender, mediaSsrc);
        }, wait);
      }
      return;
    }
    sender.lastPli.set(mediaSsrc, Date.now());
    const pli = new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: sender.conference.feedback.video.ssrc, mediaSsrc }) });
    void sender.dtls?.sendRtcp([pli]);
  }

  private sendRemb(sender: BridgeEndpoint): void {
    const ssrcs = [...sender.videoSources.values()].flatMap((s) => s.layers.map((l) => l.ssrc));
    if (!sender.connected || ssrcs.length === 0) return;
    let exp = 0;
    let mantissa = REMB_BPS;
    while (mantissa >= 1 << 18) {
      mantissa >>= 1;
      exp++;
    }
    const remb = new ReceiverEstimatedMaxBitrate({
      senderSsrc: sender.conference.feedback.video.ssrc,
      mediaSsrc: 0,
      ssrcNum: ssrcs.length,
      brExp: exp,
      brMantissa: mantissa,
      ssrcFeedbacks: ssrcs,
    });
    void sender.dtls?.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: remb })]);
  }

  // ---- allocation decisions ----

  /** The video sources a receiver may get, in lastN priority order, with the height it wants of each. */
  private wanted(receiver: BridgeEndpoint): { source: VideoSource; maxHeight: number }[] {
    const conference = receiver.conference;
    const all = [...conference.endpoints.values()].filter((e) => e !== receiver).flatMap((e) => [...e.videoSources.values()]);
    const c = receiver.constraints;
    const speakers = [conference.dominant, ...conference.previous].filter((id): id is string => id !== undefined);
    const rank = (s: VideoSource): number[] => {
      const selected = c.selected.indexOf(s.name);
      const onStage = c.onStage.indexOf(s.name);
      const speaker = speakers.indexOf(s.owner);
      return [
        onStage >= 0 ? onStage : 1e6,
        selected >= 0 ? selected : 1e6,
        speaker >= 0 ? speaker : 1e6,
        conference.endpoints.get(s.owner)?.joinOrder ?? 1e6,
      ];
    };
    const ordered = all.sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      for (let i = 0; i < ra.length; i++) if ((ra[i] ?? 0) !== (rb[i] ?? 0)) return (ra[i] ?? 0) - (rb[i] ?? 0);
      return a.name < b.name ? -1 : 1;
    });
    return ordered.map((source, i) => ({
      source,
      maxHeight: c.lastN >= 0 && i >= c.lastN ? 0 : (c.perSource.get(source.name) ?? c.defaultMaxHeight),
    }));
  }

  /**
   * The layer for a height: the highest active one not above it, else the lowest active one. An SVC stream
   * (VP9, AV1 on the first SSRC only) is forwarded whole, every spatial layer, whatever the height: this
   * stand-in does not drop layers inside it as the real bridge does.
   */
  private layerFor(source: VideoSource, maxHeight: number): number {
    if (maxHeight <= 0) return -1;
    if (sendsSvc(source)) return 0;
    const now = Date.now();
    const active = source.layers.map((l, i) => ({ i, height: l.height ?? ASSUMED_LAYER_HEIGHTS[i] ?? 720, on: now - l.lastAt < 1000 }));
    const candidates = active.filter((l) => l.on);
    const pool = candidates.length > 0 ? candidates : active;
    const fitting = pool.filter((l) => l.height <= maxHeight);
    return (fitting.length > 0 ? fitting[fitting.length - 1] : pool[0])?.i ?? 0;
  }

  /** Recomputes, per receiver, what it gets; tells it (ForwardedSources) and the senders (SenderSourceConstraints). */
  private updateForwarding(conference: BridgeConference): void {
    const maxWanted = new Map<string, number>();
    for (const receiver of conference.endpoints.values()) {
      const forwarded: string[] = [];
      for (const { source, maxHeight } of this.wanted(receiver)) {
        maxWanted.set(source.name, Math.max(maxWanted.get(source.name) ?? 0, maxHeight));
        const target = this.layerFor(source, maxHeight);
        let forward = receiver.forwards.get(source.name);
        if (!forward) {
          forward = { current: -1, target: -1, started: false, seqOffset: 0, tsOffset: 0, pidOffset: 0, tl0Offset: 0, lastSeq: 0, lastTs: 0, lastPid: 0, lastTl0: 0 };
          receiver.forwards.set(source.name, forward);
        }
        if (target !== forward.target) {
          forward.target = target;
          if (target < 0) forward.current = -1;
          else if (target !== forward.current && receiver.connected) this.requestKeyframe(conference, source.name, target);
        }
        if (target >= 0) forwarded.push(source.name);
      }
      const before = receiver.forwardedSources;
      if (!before || before.length !== forwarded.length || before.some((s, i) => s !== forwarded[i])) {
        receiver.forwardedSources = forwarded;
        receiver.send({ colibriClass: 'ForwardedSources', forwardedSources: forwarded });
      }
    }
    for (const sender of conference.endpoints.values()) {
      for (const name of sender.videoSources.keys()) {
        const height = maxWanted.get(name) ?? 0;
        if (sender.senderConstraints.get(name) === height) continue;
        sender.senderConstraints.set(name, height);
        sender.send({ colibriClass: 'SenderSourceConstraints', sourceName: name, maxHeight: height });
      }
    }
  }

  private onTick(): void {
    this.tickCount++;
    const now = Date.now();
    for (const conference of this.conferences.values()) {
      this.dominantSpeaker(conference, now);
      for (const endpoint of conference.endpoints.values()) {
        if (!endpoint.connected) continue;
        const active = now - Math.max(endpoint.lastMediaAt, endpoint.connectedAt) < INACTIVITY_MS;
        if (active !== endpoint.reportedActive) {
          endpoint.reportedActive = active;
          this.log(`${conference.room}: ${endpoint.id} media ${active ? 'resumed' : 'stopped'}`);
          for (const other of conference.endpoints.values()) {
            if (other !== endpoint) other.send({ colibriClass: 'EndpointConnectivityStatusChangeEvent', endpoint: endpoint.id, active: String(active) });
          }
        }
        if (this.tickCount % 4 === 0) this.sendRemb(endpoint);
        // Forwards still waiting for a keyframe of their layer ask again (a PLI can be lost).
        if (this.tickCount % 2 === 0) {
          for (const [name, forward] of endpoint.forwards) {
            if (forward.target >= 0 && forward.current !== forward.target) this.requestKeyframe(conference, name, forward.target);
          }
        }
      }
      // Layers come and go (a sender's encoder drops a layer): re-pick.
      if (this.tickCount % 4 === 0) this.updateForwarding(conference);
      if (process.env.BRIDGE_DEBUG === '1' && this.tickCount % 8 === 0) {
        this.log(`${conference.room}: ${[...conference.endpoints.values()].map((e) => `${e.id} in ${e.counts.in} (unknown ${e.counts.unknown}) out ${e.counts.out} audio ${[...e.audioBySsrc.keys()].join(',')} video ${[...e.layerBySsrc.keys()].join(',')}`).join(' | ')}`);
      }
    }
  }

  /**
   * Dominant speaker: the endpoint with the highest mean audio level (127 - dBov) over the last 1.5 s, if
   * above 20 and ahead of the current one by 5; `silence: true` once nobody has been above 20 for 2 s.
   */
  private dominantSpeaker(conference: BridgeConference, now: number): void {
    let best: { id: string; score: number } | undefined;
    let currentScore = 0;
    for (const endpoint of conference.endpoints.values()) {
      while (endpoint.levels.length > 0 && now - (endpoint.levels[0]?.at ?? now) > 1500) endpoint.levels.shift();
      const score = endpoint.levels.length === 0 ? 0 : endpoint.levels.reduce((sum, l) => sum + l.score, 0) / endpoint.levels.length;
      if (endpoint.id === conference.dominant) currentScore = score;
      if (score > 20 && (!best || score > best.score)) best = { id: endpoint.id, score };
    }
    const announce = (): void => {
      const event = { colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: conference.dominant, previousSpeakers: conference.previous, silence: conference.silence };
      for (const endpoint of conference.endpoints.values()) endpoint.send(event);
    };
    if (best && best.id !== conference.dominant && (currentScore <= 20 || best.score > currentScore + 5)) {
      if (conference.dominant) conference.previous = [conference.dominant, ...conference.previous.filter((id) => id !== conference.dominant && id !== best.id)].slice(0, 10);
      else conference.previous = conference.previous.filter((id) => id !== best.id);
      conference.dominant = best.id;
      conference.silence = false;
      conference.quietSince = 0;
      this.log(`${conference.room}: dominant speaker ${best.id}`);
      announce();
      this.updateForwarding(conference);
      return;
    }
    if (!conference.dominant) return;
    if (best) {
      conference.quietSince = 0;
      if (conference.silence && best.id === conference.dominant) {
        conference.silence = false;
        announce();
      }
      return;
    }
    conference.quietSince ||= now;
    if (!conference.silence && now - conference.quietSince >= 2000) {
      conference.silence = true;
      announce();
    }
  }
}
