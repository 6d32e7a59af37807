/**
 * Media through the bridge stand-in (issue 7), all clients in one page of the built CDN bundle (one clock),
 * with Chromium's fake devices and P2P off:
 * - the third participant's join() -> its first decoded remote video frame;
 * - joining a room that already has 8 senders: join() -> every remote track (8 audio + 8 video) added;
 * - two clients in P2P, a third joins: the longest gap in the peer's rendered video while media moves to the
 *   bridge (protocol.md 7.3), next to the usual frame interval;
 * - the cost of one source-add in a running bridge session with 2, 10 and 30 remote sources: the engine's
 *   JvbSession on a real RTCPeerConnection, driven by Jingle built in the page (test/bench/renegotiation-page.ts).
 */
import { build } from 'esbuild';
import puppeteer, { type Page } from 'puppeteer-core';
import type { Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic } from '../static-server.js';
import { summarise, type BenchRow } from './bench.js';

const PAGE = `<!doctype html><link rel="icon" href="data:,"><script type="module">
  import JitsiMeetJS from '/dist/cdn/jitsi-elements.js';
  JitsiMeetJS.setLogLevel('error');
  const C = JitsiMeetJS.events.conference;
  const clients = [];
  async function client(serviceUrl, hosts, room, p2p = false) {
    const tracks = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 180 });
    const connection = new JitsiMeetJS.JitsiConnection(null, null, { serviceUrl, hosts });
    await new Promise((resolve, reject) => {
      connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, resolve);
      connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_FAILED, (e) => reject(new Error(e)));
      connection.connect();
    });
    const conference = connection.initJitsiConference(room, { p2p: { enabled: p2p }, disableSimulcast: true });
    for (const track of tracks) await conference.addTrack(track);
    const entry = { connection, conference, tracks };
    clients.push(entry);
    return entry;
  }
  const join = (conference) => new Promise((resolve, reject) => {
    conference.on(C.CONFERENCE_JOINED, resolve);
    conference.on(C.CONFERENCE_FAILED, (e) => reject(new Error(e)));
    conference.join();
  });
  const firstFrame = (track) => new Promise((resolve) => {
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    video.requestVideoFrameCallback(() => { video.remove(); resolve(performance.now()); });
    track.attach(video);
  });
  window.cleanup = async () => {
    for (const { connection, conference, tracks } of clients.splice(0)) {
      await conference.leave().catch(() => {});
      await connection.disconnect().catch(() => {});
      for (const track of tracks) await track.dispose();
    }
  };
  /** The last of \`others + 1\` clients joins; resolves with join -> first frame and join -> all tracks (ms). */
  window.run = async (serviceUrl, hosts, index, others) => {
    const room = 'benchjvb-' + others + '-' + index + '-' + Date.now().toString(36);
    for (let i = 0; i < others; i++) await join((await client(serviceUrl, hosts, room)).conference);
    const last = await client(serviceUrl, hosts, room);
    let frame;
    const all = new Promise((resolve) => {
      let count = 0;
      last.conference.on(C.TRACK_ADDED, (track) => {
        if (track.isLocal()) return;
        if (track.getType() === 'video' && !frame) frame = firstFrame(track);
        if (++count === others * 2) resolve(performance.now());
      });
    });
    const start = performance.now();
    last.conference.join();
    const allAt = await all;
    const frameAt = await frame;
    await window.cleanup();
    return { firstFrame: frameAt - start, allTracks: allAt - start };
  };
  /**
   * A and B in P2P; C joins and media moves to the bridge. A shows B's video in one element, swapping in the
   * track TRACK_ADDED brings, as an app does; resolves with the longest time between two rendered frames
   * from C's join() until 3 s after P2P ended, and the usual interval before (ms).
   */
  window.switchGap = async (serviceUrl, hosts, index) => {
    const room = 'benchswitch-' + index + '-' + Date.now().toString(36);
    const a = await client(serviceUrl, hosts, room, true);
    await join(a.conference);
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    const frames = [];
    const tick = (now) => { frames.push(now); video.requestVideoFrameCallback(tick); };
    video.requestVideoFrameCallback(tick);
    a.conference.on(C.TRACK_ADDED, (track) => { if (!track.isLocal() && track.getType() === 'video') track.attach(video); });
    const p2pOn = new Promise((resolve) => a.conference.on(C.P2P_STATUS, (_c, on) => on && resolve()));
    const b = await client(serviceUrl, hosts, room, true);
    await join(b.conference);
    await p2pOn;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const p2pOff = new Promise((resolve) => a.conference.on(C.P2P_STATUS, (_c, on) => !on && resolve()));
    const before = frames.length;
    const start = performance.now();
    const c = await client(serviceUrl, hosts, room, true);
    c.conference.join();
    await p2pOff;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const gaps = (list) => list.slice(1).map((t, i) => t - list[i]);
    const usual = gaps(frames.slice(Math.max(0, before - 20), before)).sort((x, y) => x - y);
    const during = gaps(frames.filter((t) => t >= start - 100));
    video.remove();
    await window.cleanup();
    return { gap: Math.max(...during), usual: usual[Math.floor(usual.length / 2)] ?? NaN };
  };
  window.ready = true;
</script>`;

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction('window.ready === true', { polling: 100 });
}

export async function jvbBenchmarks(backend: Backend, runs = 10): Promise<BenchRow[]> {
  const bundle = await build({ entryPoints: ['test/bench/renegotiation-page.ts'], bundle: true, format: 'esm', write: false, logLevel: 'error' });
  const renegotiationPage = `<!doctype html><link rel="icon" href="data:,"><script type="module" src="/renegotiation.js"></script>`;
  const server = await serveStatic(process.cwd(), {
    '/jvb.html': { type: 'text/html', body: PAGE },
    '/renegotiation.html': { type: 'text/html', body: renegotiationPage },
    '/renegotiation.js': { type: 'text/javascript', body: bundle.outputFiles[0]?.text ?? '' },
  });
  const browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const tab = await browser.newPage();
    await open(tab, `${server.origin}/jvb.html`);
    const { endpoints } = backend;
    const hosts = { domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress };
    const call = (i: number, others: number) =>
      tab.evaluate(`window.run(${JSON.stringify(endpoints.websocketUrl)}, ${JSON.stringify(hosts)}, ${i}, ${others})`) as Promise<{ firstFrame: number; allTracks: number }>;
    await call(-1, 2); // warm-up
    const three: number[] = [];
    for (let i = 0; i < runs; i++) three.push(Math.round((await call(i, 2)).firstFrame));
    const nine: number[] = [];
    for (let i = 0; i < Math.max(3, Math.round(runs / 2)); i++) nine.push(Math.round((await call(i, 8)).allTracks));
    const switches: { gap: number; usual: number }[] = [];
    for (let i = 0; i < Math.max(3, Math.round(runs / 2)); i++) {
      switches.push((await tab.evaluate(`window.switchGap(${JSON.stringify(endpoints.websocketUrl)}, ${JSON.stringify(hosts)}, ${i})`)) as { gap: number; usual: number });
    }

    await open(tab, `${server.origin}/renegotiation.html`);
    const renegotiation: BenchRow[] = [];
    for (const sources of [2, 10, 30]) {
      const samples = (await tab.evaluate(`window.measure(${sources}, ${runs * 2})`)) as number[];
      renegotiation.push(summarise(`Bridge: one source-add with ${sources} remote sources (setRemote + answer + setLocal)`, samples.map((v) => Math.round(v * 10) / 10), 'ms', 'test/bench/renegotiation-page.ts'));
    }
    return [
      summarise('Bridge: third participant join() -> first decoded remote video frame', three, 'ms', 'test/bench/jvb.ts'),
      summarise('Bridge: join() a room with 8 senders -> all 16 remote tracks added', nine, 'ms', 'test/bench/jvb.ts'),
      summarise('P2P -> bridge when a third joins: longest gap between rendered frames of the peer', switches.map((s) => Math.round(s.gap)), 'ms', 'test/bench/jvb.ts'),
      summarise('(for comparison: the usual interval between rendered frames before the switch)', switches.map((s) => Math.round(s.usual)), 'ms', 'test/bench/jvb.ts'),
      ...renegotiation,
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}
