/** ICE facts from getStats() for the TURN and blocked-UDP tests: the candidate pair a peer connection uses. */
import type { JitsiConference } from '../../src/conference/JitsiConference.js';

export interface SelectedPair {
  local: { candidateType?: string; relayProtocol?: string; url?: string; protocol?: string };
  remote: { candidateType?: string; protocol?: string; port?: number };
}

/** The candidate pair in use (the transport's selectedCandidatePairId, succeeded), or undefined. */
export async function selectedPair(pc: RTCPeerConnection | undefined): Promise<SelectedPair | undefined> {
  if (!pc) return undefined;
  const stats = await pc.getStats();
  let pairId: string | undefined;
  stats.forEach((report: { type?: string; selectedCandidatePairId?: string }) => {
    if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
  });
  const pair = pairId ? (stats.get(pairId) as { state?: string; localCandidateId?: string; remoteCandidateId?: string } | undefined) : undefined;
  if (!pair || pair.state !== 'succeeded' || !pair.localCandidateId || !pair.remoteCandidateId) return undefined;
  return { local: stats.get(pair.localCandidateId) as SelectedPair['local'], remote: stats.get(pair.remoteCandidateId) as SelectedPair['remote'] };
}

export const p2pPc = (conference: JitsiConference): RTCPeerConnection | undefined =>
  (conference.p2pJingleSession as { peerconnection?: RTCPeerConnection } | undefined)?.peerconnection;

/** The most frames decoded by any video receiver of `pc`. */
export async function framesDecoded(pc: RTCPeerConnection | undefined): Promise<number> {
  let frames = 0;
  (await pc?.getStats())?.forEach((report: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') frames = Math.max(frames, report.framesDecoded ?? 0);
  });
  return frames;
}
