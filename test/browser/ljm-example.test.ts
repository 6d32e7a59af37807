/**
 * Drop-in compatibility (issue 3 acceptance): a page that loads dist/cdn/jitsi-elements.js and sets
 * window.JitsiMeetJS runs lib-jitsi-meet's documented connection flow unchanged against the real backend.
 * Needs `npm run build` first (npm test builds before the browser tests).
 */
import { expect } from '@open-wc/testing';
import { uniqueRoomName } from '../helpers/backend.js';
import { until, waitFor } from '../helpers/events.js';

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

interface LjmConferenceResult {
  errors: string[];
  events: unknown[][];
  remote: { audio?: string; video?: string };
  unloaded?: boolean;
}

describe('lib-jitsi-meet documented getting-started example on the CDN bundle', function () {
  this.timeout(40_000);

  for (const [build, page] of [
    ['ES module', 'ljm-conference.html'],
    ['classic-script (iife)', 'ljm-conference-iife.html'],
  ] as const) {
    it(`${build} build: two pages join one room, add their tracks after CONFERENCE_JOINED and show each other's video`, async () => {
      const room = uniqueRoomName('ljmexample');
      const frames = [0, 1].map(() => {
        const frame = document.createElement('iframe');
        frame.src = `/test/fixtures/${page}?room=${room}`;
        frame.allow = 'camera; microphone; autoplay';
        document.body.append(frame);
        return frame;
      });
      const ljm = (frame: HTMLIFrameElement): LjmConferenceResult | undefined => (frame.contentWindow as unknown as { ljm?: LjmConferenceResult } | null)?.ljm;
      try {
        for (const frame of frames) {
          await until(() => ljm(frame)?.remote.video !== undefined && ljm(frame)?.remote.audio !== undefined, 'both remote tracks in the page', 25_000);
          const id = ljm(frame)?.remote.video ?? '';
          const video = frame.contentDocument?.getElementById(id) as HTMLVideoElement | null;
          await until(() => (video?.videoWidth ?? 0) > 0, 'the remote video to play');
        }
        for (const frame of frames) {
          expect(ljm(frame)?.errors).to.deep.equal([]);
          const names = (ljm(frame)?.events ?? []).map((e) => e[0]);
          expect(names).to.include.members(['joined', 'userJoined', 'trackAdded']);
          expect(names).not.to.include('failed');
        }
      } finally {
        for (const frame of frames) {
          await (frame.contentWindow as unknown as { unload?: () => Promise<void> } | null)?.unload?.().catch(() => undefined);
          frame.remove();
        }
      }
    });
  }
});
