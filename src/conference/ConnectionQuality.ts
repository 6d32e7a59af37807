/**
 * Connection quality (lib-jitsi-meet's ConnectionQuality): every `pcStatsInterval` ms (default 10 s) the
 * getStats of the peer connection that carries the media (P2P when active, else the bridge's) becomes
 * LOCAL_STATS_UPDATED, and goes to the other endpoints as EndpointStats over the bridge channel (protocol.md
 * 8.2); their EndpointStats arrive as REMOTE_STATS_UPDATED(id, stats) (JvbController).
 */
import { ConnectionQualityEvents } from '../events/ConnectionQualityEvents.js';

export interface LocalStats {
  bitrate: { upload: number; download: number; audio: { upload: number; download: number }; video: { upload: number; download: number } };
  packetLoss: { total: number; upload: number; download: number };
  /** 0..100, from packet loss and round-trip time. */
  connectionQuality: number;
  jvbRTT?: number;
  /** The largest height we send, per lib-jitsi-meet's `maxEnabledResolution`. */
  maxEnabledResolution?: number;
  resolution: Record<string, { height: number; width: number }>;
  framerate: Record<string, number>;
  transport: { ip: string; type: string; localip: string; p2p: boolean }[];
}

interface RtpCounters {
  bytes: number;
  packets: number;
  lost: number;
}

type Report = Record<string, unknown> & { type?: string; kind?: string; id?: string };

export interface ConnectionQualityHost {
  /** The peer connection that carries the media, and whether it is the P2P one. */
  activePc(): { pc: RTCPeerConnection; p2p: boolean } | undefined;
  emit(event: string, ...args: unknown[]): void;
  /** Sends our stats to the others (EndpointStats); false without a bridge channel. */
  sendStats(stats: Record<string, unknown>): boolean;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export class ConnectionQuality {
  private timer: ReturnType<typeof setInterval> | undefined;
  private previous: { at: number; out: Map<string, RtpCounters>; in: Map<string, RtpCounters>; pc: RTCPeerConnection } | undefined;
  private last: LocalStats | undefined;

  constructor(private readonly host: ConnectionQualityHost, private readonly intervalMs = 10_000) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.previous = undefined;
  }

  getStats(): LocalStats | undefined {
    return this.last;
  }

  private async sample(): Promise<void> {
    const active = this.host.activePc();
    if (!active || active.pc.connectionState === 'closed') return;
    const reports: Report[] = [];
    (await active.pc.getStats()).forEach((r: Report) => reports.push(r));
    const now = performance.now();
    const byKind = (type: string): Map<string, RtpCounters & { kind: string }> => {
      const out = new Map<string, RtpCounters & { kind: string }>();
      for (const r of reports.filter((x) => x.type === type)) {
        const kind = String(r.kind);
        const bytes = num(type === 'outbound-rtp' ? r.bytesSent : r.bytesReceived);
        const packets = num(type === 'outbound-rtp' ? r.packetsSent : r.packetsReceived);
        out.set(String(r.id), { kind, bytes, packets, lost: num(r.packetsLost) });
      }
      return out;
    };
    const outbound = byKind('outbound-rtp');
    const inbound = byKind('inbound-rtp');
    const previous = this.previous?.pc === active.pc ? this.previous : undefined;
    const seconds = previous ? (now - previous.at) / 1000 : 0;
    const rate = (current: Map<string, RtpCounters & { kind: string }>, before: Map<string, RtpCounters> | undefined, kind?: string): number => {
      if (!before || seconds <= 0) return 0;
      let bytes = 0;
      for (const [id, c] of current) if (!kind || c.kind === kind) bytes += Math.max(0, c.bytes - (before.get(id)?.bytes ?? c.bytes));
      return Math.round((bytes * 8) / 1000 / seconds);
    };
    let received = 0;
    let lost = 0;
    for (const [id, c] of inbound) {
      const before = previous?.in.get(id);
      received += Math.max(0, c.packets - (before?.packets ?? c.packets));
      lost += Math.max(0, c.lost - (before?.lost ?? c.lost));
    }
    const remoteInbound = reports.filter((r) => r.type === 'remote-inbound-rtp');
    const uploadLoss = remoteInbound.length ? Math.round((Math.max(...remoteInbound.map((r) => num(r.fractionLost))) * 100)) : 0;
    const downloadLoss = received + lost > 0 ? Math.round((lost / (received + lost)) * 100) : 0;
    const pair = reports.find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded');
    const rtt = pair ? Math.round(num(pair.currentRoundTripTime) * 1000) : undefined;
    const local = pair ? reports.find((r) => r.id === pair.localCandidateId) : undefined;
    const remote = pair ? reports.find((r) => r.id === pair.remoteCandidateId) : undefined;
    const resolution: LocalStats['resolution'] = {};
    const framerate: LocalStats['framerate'] = {};
    let maxHeight = 0;
    for (const r of reports.filter((x) => x.type === 'outbound-rtp' && x.kind === 'video' && num(x.frameHeight) > 0)) {
      resolution[String(r.ssrc)] = { height: num(r.frameHeight), width: num(r.frameWidth) };
      framerate[String(r.ssrc)] = Math.round(num(r.framesPerSecond));
      maxHeight = Math.max(maxHeight, num(r.frameHeight));
    }
    const loss = Math.max(uploadLoss, downloadLoss);
    const quality = Math.max(0, Math.min(100, 100 - loss * 4 - Math.max(0, (rtt ?? 0) - 300) / 20));
    const stats: LocalStats = {
      bitrate: {
        upload: rate(outbound, previous?.out),
        download: rate(inbound, previous?.in),
        audio: { upload: rate(outbound, previous?.out, 'audio'), download: rate(inbound, previous?.in, 'audio') },
        video: { upload: rate(outbound, previous?.out, 'video'), download: rate(inbound, previous?.in, 'video') },
      },
      packetLoss: { total: loss, upload: uploadLoss, download: downloadLoss },
      connectionQuality: Math.round(quality),
      ...(rtt !== undefined && !active.p2p ? { jvbRTT: rtt } : {}),
      ...(maxHeight > 0 ? { maxEnabledResolution: maxHeight } : {}),
      resolution,
      framerate,
      transport:
        local && remote
          ? [{ ip: `${String(remote.address ?? remote.ip)}:${String(remote.port)}`, localip: `${String(local.address ?? local.ip)}:${String(local.port)}`, type: String(local.protocol), p2p: active.p2p }]
          : [],
    };
    this.previous = { at: now, out: outbound, in: inbound, pc: active.pc };
    if (!previous) return;
    this.last = stats;
    this.host.emit(ConnectionQualityEvents.LOCAL_STATS_UPDATED, stats);
    this.host.sendStats({
      bitrate: stats.bitrate,
      packetLoss: stats.packetLoss,
      connectionQuality: stats.connectionQuality,
      ...(stats.jvbRTT !== undefined ? { jvbRTT: stats.jvbRTT } : {}),
      ...(stats.maxEnabledResolution !== undefined ? { maxEnabledResolution: stats.maxEnabledResolution } : {}),
    });
  }
}
