/**
 * P2P call set-up on loopback (issue 5): from the second participant's join() to the first decoded remote
 * video frame on the first participant's side, with the steps in between. Both clients live in one page
 * of the built CDN bundle (one clock), with Chromium's fake devices.
 */
import puppeteer from 'puppeteer-core';
import type { Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic } from '../static-server.js';
import { summarise, type BenchRow } from './bench.js';

const PAGE = `<!doctype html><link rel="icon" href="data:,"><script type="module">
  import JitsiMeetJS from '/dist/cdn/jitsi-elements.js';
  JitsiMeetJS.setLogLevel('error');
  const C = JitsiMeetJS.events.conference;
  const once = (emitter, event, accept = () => true) => new Promise((resolve) => {
    const listener = (...args) => { if (accept(...args)) { emitter.off(event, listener); resolve(args); } };
    emitter.on(event, listener);
  });
  async function client(serviceUrl, hosts, room, tracks) {
    const connection = new JitsiMeetJS.JitsiConnection(null, null, { serviceUrl, hosts });
    await new Promise((resolve, reject) => {
      connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, resolve);
      connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_FAILED, (e) => reject(new Error(e)));
      connection.connect();
    });
    const conference = connection.initJitsiConference(room, {});
    for (const track of tracks) await conference.addTrack(track);
    return { connection, conference };
  }
  /** Marks when a peer connection of \`conference\` reaches each step. */
  function watch(conference, marks, prefix) {
    const poll = setInterval(() => {
      const pc = conference.p2pJingleSession?.peerconnection;
      if (!pc) return;
      clearInterval(poll);
      const stamp = (name) => { if (!(prefix + name in marks)) marks[prefix + name] = performance.now(); };
      stamp('session');
      const signalling = () => {
        if (pc.signalingState === 'have-local-offer') stamp('offerCreated');
        if (pc.signalingState === 'have-remote-offer') stamp('offerApplied');
        if (pc.signalingState === 'stable' && pc.remoteDescription) stamp('answerApplied');
      };
      signalling();
      pc.addEventListener('signalingstatechange', signalling);
      pc.addEventListener('iceconnectionstatechange', () => ['connected', 'completed'].includes(pc.iceConnectionState) && stamp('iceConnected'));
      pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && stamp('dtlsConnected'));
    }, 1);
  }
  window.run = async (serviceUrl, hosts, index) => {
    const tracksA = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 360 });
    const tracksB = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 360 });
    const room = 'benchp2p-' + index + '-' + Date.now().toString(36);
    const a = await client(serviceUrl, hosts, room, tracksA);
    await new Promise((resolve) => { a.conference.on(C.CONFERENCE_JOINED, resolve); a.conference.join(); });
    const b = await client(serviceUrl, hosts, room, tracksB);
    const marks = {};
    watch(a.conference, marks, 'A.');
    watch(b.conference, marks, 'B.');
    const firstFrame = once(a.conference, C.TRACK_ADDED, (t) => t.getType() === 'video').then(([track]) => new Promise((resolve) => {
      const video = document.createElement('video');
      video.muted = true;
      document.body.append(video);
      video.requestVideoFrameCallback(() => { marks.firstFrame = performance.now(); video.remove(); resolve(); });
      track.attach(video);
    }));
    const joined = once(b.conference, C.CONFERENCE_JOINED).then(() => { marks.joined = performance.now(); });
    const start = performance.now();
    b.conference.join();
    await Promise.all([joined, firstFrame]);
    const initiator = a.conference.p2pJingleSession?.initiator ? 'A' : 'B';
    const responder = initiator === 'A' ? 'B' : 'A';
    const at = (key) => (marks[key] ?? NaN) - start;
    const result = {
      total: at('firstFrame'),
      joined: at('joined'),
      offer: at(initiator + '.offerCreated'),
      offerApplied: at(responder + '.offerApplied'),
      answer: at(initiator + '.answerApplied'),
      ice: Math.max(at('A.iceConnected'), at('B.iceConnected')),
      dtls: Math.max(at('A.dtlsConnected'), at('B.dtlsConnected')),
    };
    await Promise.all([a.conference.leave(), b.conference.leave()]);
    await Promise.all([a.connection.disconnect(), b.connection.disconnect()]);
    for (const track of [...tracksA, ...tracksB]) await track.dispose();
    return result;
  };
  window.ready = true;
</script>`;

const STEPS = [
  ['joined', 'B join() -> CONFERENCE_JOINED'],
  ['offer', 'offer created (initiator)'],
  ['offerApplied', 'offer applied (responder)'],
  ['answer', 'answer applied (initiator)'],
  ['ice', 'ICE connected (both)'],
  ['dtls', 'DTLS connected (both)'],
] as const;

export async function p2pFirstFrame(backend: Backend, runs = 10): Promise<BenchRow[]> {
  const server = await serveStatic(process.cwd(), { '/p2p.html': { type: 'text/html', body: PAGE } });
  const browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.origin}/p2p.html`);
    await tab.waitForFunction('window.ready === true');
    const { endpoints } = backend;
    const hosts = { domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress };
    const call = (i: number) => tab.evaluate(`window.run(${JSON.stringify(endpoints.websocketUrl)}, ${JSON.stringify(hosts)}, ${i})`) as Promise<Record<string, number>>;
    await call(-1); // warm-up
    const results: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) results.push(await call(i));
    const round = (values: number[]): number[] => values.map((v) => Math.round(v));
    return [
      summarise('P2P: second join() -> first decoded remote video frame, loopback', round(results.map((r) => r.total ?? NaN)), 'ms', 'test/bench/p2p.ts'),
      ...STEPS.map(([key, label]) => summarise(`P2P step: ${label}, since join()`, round(results.map((r) => r[key] ?? NaN)), 'ms', 'test/bench/p2p.ts')),
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}
