/**
 * protocol.md 5.6: three camera layers for the bridge, as SSRCs of a SIM group (low to high) munged into the
 * answer before setLocalDescription, each with an RTX in an FID group; Chromium then encodes simulcast. The
 * same SSRCs are kept across renegotiations (`kept`, by mid).
 */
import { parse, write } from 'sdp-transform';

/** The simulcast SSRCs chosen per mid: layers low to high, and their RTX SSRCs. */
export type SimulcastSsrcs = Map<string, { layers: number[]; rtx: number[] }>;

/** `sdp` with a SIM group on each m-line in `cameraMids` that has one sending SSRC (and no SIM group yet). */
export function mungeSimulcast(sdp: string, cameraMids: ReadonlySet<string>, kept: SimulcastSsrcs): string {
  if (cameraMids.size === 0) return sdp;
  const parsed = parse(sdp);
  let changed = false;
  for (const m of parsed.media) {
    const mid = m.mid === undefined ? undefined : String(m.mid);
    if (m.type !== 'video' || !mid || !cameraMids.has(mid)) continue;
    const ssrcs = m.ssrcs ?? [];
    const fid = (m.ssrcGroups ?? []).find((g) => g.semantics === 'FID');
    const primary = fid ? Number(String(fid.ssrcs).split(' ')[0]) : ssrcs[0]?.id;
    if (primary === undefined || (m.ssrcGroups ?? []).some((g) => g.semantics === 'SIM')) continue;
    const msid = ssrcs.find((s) => s.attribute === 'msid')?.value;
    const cname = ssrcs.find((s) => s.attribute === 'cname')?.value;
    let layers = kept.get(mid);
    const primaryRtx = fid ? Number(String(fid.ssrcs).split(' ')[1]) : undefined;
    if (!layers || layers.layers[0] !== Number(primary)) {
      const random = (): number => crypto.getRandomValues(new Uint32Array(1))[0] || 1;
      layers = { layers: [Number(primary), random(), random()], rtx: primaryRtx !== undefined ? [primaryRtx, random(), random()] : [] };
      kept.set(mid, layers);
    }
    const lines: { id: number; attribute: string; value?: string }[] = [];
    for (const ssrc of [...layers.layers, ...layers.rtx]) {
      if (cname) lines.push({ id: ssrc, attribute: 'cname', value: cname });
      if (msid) lines.push({ id: ssrc, attribute: 'msid', value: msid });
    }
    const chosen = layers;
    m.ssrcs = lines;
    m.ssrcGroups = [
      { semantics: 'SIM', ssrcs: chosen.layers.join(' ') },
      ...chosen.rtx.map((rtx, i) => ({ semantics: 'FID', ssrcs: `${chosen.layers[i]} ${rtx}` })),
    ];
    changed = true;
  }
  return changed ? write(parsed) : sdp;
}
