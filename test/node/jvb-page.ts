/**
 * Browser side of the stand-in tests' JVB client (jvb-clients.ts): a raw RTCPeerConnection driven by the
 * engine's pure Jingle functions (src/jingle: parseJingle, toRemoteSdp, fromLocalSdp, appendContents), so the
 * stand-ins are checked against the same conversions the engine uses. Bundled by esbuild into the page;
 * XMPP stays in Node. Source updates keep existing m-lines stable (new sources appended as sendonly m-lines,
 * removed ones rejected), as protocol.md 5.5 describes.
 */
import { parse, write, type MediaDescription } from 'sdp-transform';
import { $build, Strophe } from 'strophe.js';
import { parseJingle } from '../../src/jingle/parseJingle.js';
import { fromLocalSdp, toRemoteSdp } from '../../src/jingle/sdp.js';
import { appendContents } from '../../src/jingle/toJingle.js';

export interface PageStats {
  inbound: { ssrc: number; kind: string; packets: number; bytes: number; frames: number; height: number; codec: string }[];
  ice: string;
}

let pc: RTCPeerConnection;
let stream: MediaStream;
let endpointId = '';
let simulcast = false;
/** The video codec to send (`video/VP8`…), first in the answer; undefined: the offer's order. */
let codec: string | undefined;

/**
 * Puts `codec` first in the offer's video payload types: Chromium answers an offer by sending its first
 * codec (setCodecPreferences orders only what it receives).
 */
function preferCodec(description: ReturnType<typeof parseJingle>): void {
  if (!codec) return;
  const name = codec.replace(/^video\//, '');
  for (const content of description.contents) {
    if (content.media === 'video') content.payloadTypes = [...content.payloadTypes.filter((p) => p.name === name), ...content.payloadTypes.filter((p) => p.name !== name)];
  }
}
let remoteSdp = '';
let channel: RTCDataChannel | undefined;
const channelMessages: unknown[] = [];

function munge(sdp: string): string {
  if (!simulcast) return sdp;
  const parsed = parse(sdp);
  const video = parsed.media.find((m) => m.type === 'video' && (m.ssrcs ?? []).length > 0);
  if (!video?.ssrcs) return sdp;
  const fid = (video.ssrcGroups ?? []).find((g) => g.semantics === 'FID')?.ssrcs.split(' ').map(Number);
  const primary = fid?.[0] ?? Number(video.ssrcs[0]?.id);
  const lines = video.ssrcs.filter((l) => Number(l.id) === primary);
  const random = (): number => Math.floor(Math.random() * 0xfffffff0) + 1;
  const layers = [primary, random(), random()];
  const rtx = [fid?.[1] ?? random(), random(), random()];
  video.ssrcs = [];
  for (const ssrc of [...layers, ...rtx]) for (const l of lines) video.ssrcs.push({ id: ssrc, attribute: l.attribute, value: l.value });
  video.ssrcGroups = [{ semantics: 'SIM', ssrcs: layers.join(' ') }, ...layers.map((l, i) => ({ semantics: 'FID', ssrcs: `${l} ${rtx[i] ?? 0}` }))];
  return write(parsed);
}

/** The session-accept `<jingle>` for the current local description (protocol.md 5.6/5.7). */
function acceptXml(sid: string, initiator: string, responder: string): string {
  const local = fromLocalSdp(pc.localDescription?.sdp ?? '', 'jvb');
  for (const content of local.contents) {
    for (const source of content.sources) {
      source.name = `${endpointId}-${content.media === 'audio' ? 'a' : 'v'}0`;
      if (content.media === 'video') source.videoType = 'camera';
    }
  }
  local.bundle = local.contents.map((c) => c.name);
  const builder = $build('jingle', { xmlns: 'urn:xmpp:jingle:1', action: 'session-accept', sid, initiator, responder });
  appendContents(builder, local);
  return Strophe.serialize(builder.tree()) ?? '';
}

async function applyRemote(sdp: string): Promise<void> {
  remoteSdp = sdp;
  await pc.setRemoteDescription({ type: 'offer', sdp });
  const answer = await pc.createAnswer();
  await pc.setLocalDescription({ type: 'answer', sdp: munge(answer.sdp ?? '') });
}

const page = {
  async start(id: string, media: { width: number; height: number; simulcast: boolean; codec?: string }): Promise<void> {
    endpointId = id;
    simulcast = media.simulcast;
    codec = media.codec;
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: media.width, height: media.height, frameRate: 15 } });
    pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [] });
  },

  /** session-initiate -> remote offer, local tracks on the first m-line of each kind, answer -> session-accept. */
  async offer(jingleXml: string, responder: string): Promise<string> {
    const jingle = new DOMParser().parseFromString(jingleXml, 'text/xml').documentElement;
    const description = parseJingle(jingle);
    preferCodec(description);
    await pc.setRemoteDescription({ type: 'offer', sdp: toRemoteSdp(description, 'jvb') });
    remoteSdp = pc.remoteDescription?.sdp ?? '';
    for (const kind of ['audio', 'video'] as const) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === kind);
      if (!track || !transceiver) continue;
      transceiver.direction = 'sendrecv';
      await transceiver.sender.replaceTrack(track);
      transceiver.sender.setStreams(stream);
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription({ type: 'answer', sdp: munge(answer.sdp ?? '') });
    return acceptXml(jingle.getAttribute('sid') ?? '', jingle.getAttribute('initiator') ?? '', responder);
  },

  /** source-add / source-remove from the focus (JSON or XML), applied without renumbering existing m-lines. */
  async sourceUpdate(jingleXml: string): Promise<void> {
    const jingle = new DOMParser().parseFromString(jingleXml, 'text/xml').documentElement;
    const action = jingle.getAttribute('action');
    const description = parseJingle(jingle);
    const sdp = parse(remoteSdp);
    const sources = description.contents.flatMap((c) => c.sources.map((s) => ({ ...s, media: c.media ?? c.name })));
    if (action === 'source-add') {
      const groups = description.contents.flatMap((c) => c.groups);
      const done = new Set<number>();
      for (const source of sources) {
        if (done.has(source.ssrc)) continue;
        const group = groups.find((g) => g.semantics === 'FID' && g.ssrcs[0] === source.ssrc);
        const members = group ? group.ssrcs : [source.ssrc];
        members.forEach((s) => done.add(s));
        const template = sdp.media.find((m) => m.type === source.media && m.port !== 0);
        if (!template) continue;
        const m: MediaDescription = JSON.parse(JSON.stringify(template)) as MediaDescription;
        m.mid = String(sdp.media.length);
        m.direction = 'sendonly';
        m.ssrcs = members.map((ssrc) => ({ id: ssrc, attribute: 'msid', value: sources.find((s) => s.ssrc === ssrc)?.msid ?? source.msid ?? '' }));
        m.ssrcGroups = group ? [{ semantics: 'FID', ssrcs: group.ssrcs.join(' ') }] : [];
        sdp.media.push(m);
      }
    } else {
      const removed = new Set(sources.map((s) => s.ssrc));
      for (const m of sdp.media) {
        if ((m.ssrcs ?? []).some((l) => removed.has(Number(l.id)))) {
          m.port = 0;
          m.direction = 'inactive';
          m.ssrcs = [];
          m.ssrcGroups = [];
        }
      }
    }
    const live = sdp.media.filter((m) => m.port !== 0).map((m) => String(m.mid));
    sdp.groups = [{ type: 'BUNDLE', mids: live.join(' ') }];
    sdp.origin = { ...(sdp.origin ?? { username: '-', sessionId: '1', netType: 'IN', ipVer: 4, address: '0.0.0.0' }), sessionVersion: Number(sdp.origin?.sessionVersion ?? 2) + 1 };
    await applyRemote(write(sdp));
  },

  async stats(): Promise<PageStats> {
    const report = await pc.getStats();
    const inbound: PageStats['inbound'] = [];
    report.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      inbound.push({
        ssrc: Number(s.ssrc),
        kind: String(s.kind),
        packets: Number(s.packetsReceived ?? 0),
        bytes: Number(s.bytesReceived ?? 0),
        frames: Number(s.framesDecoded ?? 0),
        height: Number(s.frameHeight ?? 0),
        codec: String((report.get(String(s.codecId)) as { mimeType?: string } | undefined)?.mimeType ?? ''),
      });
    });
    return { inbound, ice: pc.iceConnectionState };
  },

  debug(): { remote: string; local: string } {
    return { remote: pc.remoteDescription?.sdp ?? '', local: pc.localDescription?.sdp ?? '' };
  },

  /** Stops (or resumes) all RTP from this client: no track on its senders. */
  async sending(on: boolean): Promise<void> {
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.currentDirection !== 'sendrecv') continue;
      const kind = transceiver.receiver.track.kind;
      await transceiver.sender.replaceTrack(on ? (stream.getTracks().find((t) => t.kind === kind) ?? null) : null);
    }
  },

  setAudio(enabled: boolean): void {
    for (const track of stream.getAudioTracks()) track.enabled = enabled;
  },

  /** The bridge channel over SCTP (protocol.md 8.1). */
  openChannel(): Promise<void> {
    channel = pc.createDataChannel('JVB data channel', { protocol: 'http://jitsi.org/protocols/colibri' });
    channel.onmessage = (event) => channelMessages.push(JSON.parse(String(event.data)));
    const opened = channel;
    return new Promise((resolve) => {
      opened.onopen = () => resolve();
    });
  },

  channelSend(message: object): void {
    channel?.send(JSON.stringify(message));
  },

  channelMessages(): unknown[] {
    return channelMessages;
  },

  close(): void {
    pc.close();
    for (const track of stream.getTracks()) track.stop();
  },
};

(window as unknown as { jvbPage: typeof page }).jvbPage = page;
export type JvbPage = typeof page;
