/**
 * Trickled ICE candidates for the peer-to-peer Jingle flavour (protocol.md 7.2; P2P sessions and proxy
 * connections): each candidate goes out in a `transport-info` as soon as it exists, once our offer or answer
 * has gone out (issue 15: a candidate is on the critical path of the call set-up; batching them is a choice,
 * not a rule of the protocol). Candidates gathered in the same turn of the event loop share one stanza.
 */
import type { Content } from './model.js';
import { fromLocalSdp } from './sdp.js';
import { candidateFromSdpLine } from './toJingle.js';

export class TrickleBatcher {
  private pending: RTCIceCandidate[] = [];
  private scheduled = false;
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
    this.pending = [];
  }

  private add(candidate: RTCIceCandidate): void {
    if (!candidate.candidate || this.stopped) return;
    this.pending.push(candidate);
    if (!this.started || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.stopped || this.pending.length === 0) return;
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
