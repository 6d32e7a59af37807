/**
 * Drop-in compatibility (issue 3 acceptance): a page that loads dist/cdn/jitsi-elements.js and sets
 * window.JitsiMeetJS runs lib-jitsi-meet's documented connection flow unchanged against the real backend.
 * Needs `npm run build` first (npm test builds before the browser tests).
 */
import { expect } from '@open-wc/testing';
import { waitFor } from '../helpers/events.js';

interface LjmResult {
  done?: boolean;
  errors: string[];
  events: unknown[][];
}

describe('lib-jitsi-meet documented connection example on the CDN bundle', () => {
  it('connects over BOSH, gets CONNECTION_ESTABLISHED, disconnects, with no page error', async () => {
    const bundle = await fetch('/dist/cdn/jitsi-elements.js', { method: 'HEAD' });
    expect(bundle.ok, 'dist/cdn/jitsi-elements.js is built').to.equal(true);
    const frame = document.createElement('iframe');
    frame.src = '/test/fixtures/ljm-connection.html';
    document.body.append(frame);
    try {
      const result = await waitFor<LjmResult>('the example to finish', (deliver) => {
        const timer = setInterval(() => {
          const ljm = (frame.contentWindow as unknown as { ljm?: LjmResult } | null)?.ljm;
          if (ljm?.done) deliver(ljm);
        }, 50);
        return () => clearInterval(timer);
      }, 15_000);
      expect(result.errors).to.deep.equal([]);
      expect(result.events.map((e) => e[0])).to.deep.equal(['established', 'disconnected']);
      expect(result.events[0]?.[1]).to.be.a('string').and.not.equal('');
    } finally {
      frame.remove();
    }
  });
});
