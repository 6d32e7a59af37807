/**
 * The soak of issue 16 (test/soak/scenario.ts): four people through the bridge, a fault after another. In npm
 * test a short run (one fault of each kind, 20 s apart: about 2 minutes); `npm run soak` runs the same file with SOAK_CYCLES=30
 * and a minute between faults, and writes the report. Asserted: every fault recovers within the bound, no
 * chat message is lost or doubled, and the page's peer connections, live tracks, DOM nodes, timers and JS heap
 * come back to their level.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { runSoak, type CycleResult, type SoakConfig } from '../soak/scenario.js';

describe('soak: faults during a call of four', function () {
  it('recovers from every fault with nothing lost and nothing growing', async function () {
    const config = await executeServerCommand<SoakConfig, undefined>('soak-config');
    this.timeout(config.cycles * config.intervalMs + 120_000);
    const report = await runSoak(config, (cycle: CycleResult) => {
      console.log(`soak cycle ${cycle.cycle} ${cycle.fault}: media ${cycle.mediaMs} ms, chat ${cycle.chatMs} ms, lost ${cycle.lost}, doubled ${cycle.doubled}, heap ${(cycle.heapBytes / 1e6).toFixed(1)} MB, ${cycle.peerConnections} pc, ${cycle.liveTracks} tracks, ${cycle.domNodes} nodes, ${cycle.timers} timers${cycle.error ? `, ${cycle.error}` : ''}`);
    });
    await executeServerCommand('soak-report', report);
    const { baseline } = report;
    for (const cycle of report.cycles) {
      const what = `cycle ${cycle.cycle} (${cycle.fault})`;
      expect(cycle.error, what).to.equal(undefined);
      expect(cycle.mediaMs, `${what}: media back`).to.be.within(0, config.recoveryBoundMs);
      expect(cycle.lost, `${what}: chat lost`).to.equal(0);
      expect(cycle.doubled, `${what}: chat doubled`).to.equal(0);
      expect(cycle.peerConnections, `${what}: peer connections`).to.equal(baseline.peerConnections);
      expect(cycle.liveTracks, `${what}: live tracks`).to.equal(baseline.liveTracks);
      expect(cycle.domNodes, `${what}: DOM nodes`).to.equal(baseline.domNodes);
    }
    const last = report.cycles.at(-1);
    expect(last?.timers, 'pending timers at the end').to.be.at.most(baseline.timers + 10);
    expect(last?.heapBytes, 'JS heap at the end').to.be.at.most(baseline.heapBytes + 8e6);
  });
});
