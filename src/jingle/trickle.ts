/**
 * Trickled ICE candidates for the peer-to-peer Jingle flavour (protocol.md 7.2; P2P sessions and proxy
 * connections): candidates go out as `transport-info` contents in 150 ms batches. The window opens with the
 * first candidate sent, not before it: a candidate that finds no window open goes out at once (it is on the
 * critical path of the call set-up), later ones wait for the window's end.
 */
import type { Content } from './model.js';
import { fromLocalSdp } from './sdp.js';
import { candidateFromSdpLine } from './toJingle.js';

export const TRICKLE_BATCH_MS = 150;

export class TrickleBatcher {
  private pending: RTCIceCandidate[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private stopped = false;

  /** `send` gets the batch as transport-only contents named by mid, with our ICE credentials and fingerprint. */
  constructor(private readonly pc: RTCPeerConnection, private readonly send: (contents: Content[]) => void) {
    pc.addEventListener('icecandidate', (event) => event.candidate && this.add(event.candidate));
  }

  /** Our offer or answer has gone out: candidates may follow it. Sends what waited. */
  start(): void {
    this.started = true;
    this.flush();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pending = [];
  }

  private add(candidate: RTCIceCandidate): void {
    if (!candidate.candidate || this.stopped) return;
    this.pending.push(candidate);
    if (!this.started || this.timer) return;
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.pending.length === 0) return;
    // The window: candidates arriving in the next 150 ms are held and sent together at its end.
    this.timer = setTimeout(() => this.flush(), TRICKLE_BATCH_MS);
    const local = this.pc.localDescription ? fromLocalSdp(this.pc.localDescription.sdp, 'p2p', 'initiator') : undefined;
    const byMid = new Map<string, Content>();
    for (const candidate of this.pending) {
      const parsed = candidateFromSdpLine(candidate.candidate);
      const mid = candidate.sdpMid ?? '0';
      if (!parsed) continue;
      let content = byMid.get(mid);
      if (!content) {
        const base = local?.contents.find((c) => c.name === mid);
        content = {
          ...(base ?? { name: mid, creator: 'initiator', senders: 'both', payloadTypes: [], rtcpFbAll: [], headerExtensions: [], extmapAllowMixed: false, rtcpMux: false, sources: [], groups: [] }),
          creator: 'initiator',
          transport: { ...(base?.transport ?? { fingerprints: [], rtcpMux: false }), candidates: [] },
        };
        byMid.set(mid, content);
      }
      content.transport.candidates.push(parsed);
    }
    this.pending = [];
    if (byMid.size > 0) this.send([...byMid.values()]);
  }
}
