/**
 * The page flow of issue 15, as a page sees it: in each of two tabs, lib-jitsi-meet's getting-started flow on
 * the built CDN bundle (test/bench/flow-page.ts): createLocalTracks({devices: ['audio', 'video']}),
 * new JitsiConnection(null, null, {hosts, serviceUrl, p2p: {stunServers: []}}), connect(),
 * initJitsiConference(room, {p2p: {enabled: true, stunServers: []}}), addTrack() for both tracks, join().
 * Figures: connect() -> CONNECTION_ESTABLISHED (websocket), join() -> CONFERENCE_JOINED (first and second page),
 * and from the second page's join(): remote TRACK_ADDED and the first framesDecoded > 0 in the P2P peer
 * connection's getStats(), on each page; plus the phases in between (the trace), medians over the runs.
 */
import puppeteer, { type Page } from 'puppeteer-core';
import type { Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic } from '../static-server.js';
import { summarise, type BenchRow } from './bench.js';
import { FLOW_PAGE } from './flow-page.js';

type Mark = [number, string];

/** Pause between runs, for the backend to finish the last run's teardown. */
const SETTLE_MS = 500;

interface RunResult {
  connect: number[];
  joinFirst: number;
  joinSecond: number;
  /** Phase name -> ms since the second join(). */
  phases: Record<string, number>;
  /** The whole trace of both pages, ms since the second join(). */
  trace: string[];
}

/** The phases reported, in order: [key, label]. Keys are computed in phasesOf(). */
export const PHASES = [
  ['confRequestOut', 'conference request sent (2nd page)'],
  ['confRequestIn', 'conference request answered (2nd page)'],
  ['mucJoinOut', 'MUC join presence sent (2nd page)'],
  ['mucJoinIn', 'own MUC presence back = CONFERENCE_JOINED (2nd page)'],
  ['userJoined', 'USER_JOINED on the 1st page'],
  ['initiateOut', 'session-initiate sent (initiator)'],
  ['initiateIn', 'session-initiate received (responder)'],
  ['acceptOut', 'session-accept sent (responder)'],
  ['acceptIn', 'session-accept received (initiator)'],
  ['candidatesOut', 'first transport-info sent (either)'],
  ['iceChecking', 'ICE checking (first of both)'],
  ['iceConnected', 'ICE connected (both)'],
  ['dtls', 'DTLS connected (both; connectionState connected)'],
  ['rtp', 'first video RTP received (both)'],
  ['trackAdded', 'remote video TRACK_ADDED (both)'],
  ['decoded', 'first framesDecoded > 0 (both)'],
] as const;

async function open(browser: Awaited<ReturnType<typeof puppeteer.launch>>, url: string): Promise<Page> {
  const tab = await browser.newPage();
  await tab.goto(url);
  await tab.waitForFunction('window.ready === true', { polling: 50 });
  return tab;
}

const at = (marks: Mark[], test: (what: string) => boolean): number => marks.find(([, what]) => test(what))?.[0] ?? NaN;

function phasesOf(a: Mark[], b: Mark[], roleA: string, pcA: string, pcB: string): { t0: number; phases: Record<string, number> } {
  const t0 = at(b, (w) => w === 'page join()');
  const [init, resp, pcInit, pcResp] = roleA === 'initiator' ? [a, b, pcA, pcB] : [b, a, pcB, pcA];
  const both = (test: (what: string, pc: string) => boolean): number => Math.max(at(a, (w) => test(w, pcA)), at(b, (w) => test(w, pcB)));
  const rel = (t: number): number => t - t0;
  return {
    t0,
    phases: {
      confRequestOut: rel(at(b, (w) => w.startsWith('out iq set conference'))),
      confRequestIn: rel(at(b, (w) => w.startsWith('in iq result conference'))),
      mucJoinOut: rel(at(b, (w) => w.includes('muc-join'))),
      mucJoinIn: rel(at(b, (w) => w === 'page CONFERENCE_JOINED')),
      userJoined: rel(at(a, (w) => w === 'page USER_JOINED')),
      initiateOut: rel(at(init, (w) => w.startsWith('out') && w.endsWith('session-initiate'))),
      initiateIn: rel(at(resp, (w) => w.startsWith('in') && w.endsWith('session-initiate'))),
      acceptOut: rel(at(resp, (w) => w.startsWith('out') && w.endsWith('session-accept'))),
      acceptIn: rel(at(init, (w) => w.startsWith('in') && w.endsWith('session-accept'))),
      candidatesOut: rel(Math.min(at(init, (w) => w.startsWith('out') && w.endsWith('transport-info')), at(resp, (w) => w.startsWith('out') && w.endsWith('transport-info')))),
      iceChecking: rel(Math.min(at(init, (w) => w === `${pcInit} ice checking`), at(resp, (w) => w === `${pcResp} ice checking`))),
      iceConnected: rel(both((w, pc) => w === `${pc} ice connected` || w === `${pc} ice completed`)),
      dtls: rel(both((w, pc) => w === `${pc} connection connected`)),
      rtp: rel(both((w) => w === 'page first video RTP')),
      trackAdded: rel(both((w) => w === 'page remote TRACK_ADDED video')),
      decoded: rel(both((w) => w === 'page first decoded frame')),
      trackAddedFirstPage: rel(at(a, (w) => w === 'page remote TRACK_ADDED video')),
      trackAddedSecondPage: rel(at(b, (w) => w === 'page remote TRACK_ADDED video')),
      decodedFirstPage: rel(at(a, (w) => w === 'page first decoded frame')),
      decodedSecondPage: rel(at(b, (w) => w === 'page first decoded frame')),
    },
  };
}

/**
 * `runs` joins (after one warm-up) of the built bundle; with `baseline` (the text of another build of
 * jitsi-elements.js), the runs alternate between the two builds, each in its own pair of tabs, so that both see
 * the same load on a shared machine; the baseline's rows come back separately.
 */
export async function pageFlow(backend: Backend, runs = 8, baseline?: string): Promise<{ rows: BenchRow[]; trace: string[]; baselineRows?: BenchRow[] }> {
  const routes: Record<string, { type: string; body: string }> = { '/flow.html': { type: 'text/html', body: FLOW_PAGE } };
  if (baseline !== undefined) routes['/baseline.js'] = { type: 'text/javascript', body: baseline };
  const server = await serveStatic(process.cwd(), routes);
  const browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const pair = async (query: string): Promise<[Page, Page]> => [await open(browser, `${server.origin}/flow.html${query}`), await open(browser, `${server.origin}/flow.html${query}`)];
    const variants = [{ tabs: await pair(''), results: [] as RunResult[] }];
    if (baseline !== undefined) variants.push({ tabs: await pair('?bundle=/baseline.js'), results: [] });
    for (const variant of variants) await measure(backend, variant.tabs, -1); // warm-up
    for (let i = 0; i < runs; i++) for (const variant of variants) variant.results.push(await measure(backend, variant.tabs, i));
    const [current, base] = variants.map((variant) => summary(variant.results));
    return { rows: current?.rows ?? [], trace: current?.trace ?? [], ...(base ? { baselineRows: base.rows } : {}) };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** One run: the first tab connects and joins a fresh room, then the second; both until their first decoded frame. */
async function measure(backend: Backend, [tabA, tabB]: readonly [Page, Page], index: number): Promise<RunResult> {
  const { endpoints } = backend;
  const hosts = JSON.stringify({ domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress });
  const url = JSON.stringify(endpoints.websocketUrl);
  const room = JSON.stringify(`benchflow${index + 1}x${Date.now().toString(36)}`);
  await tabA.evaluate(`window.setup(${url}, ${hosts}, ${room})`);
  await tabA.evaluate('window.join()');
  await tabB.evaluate(`window.setup(${url}, ${hosts}, ${room})`);
  await tabB.evaluate('window.join()');
  const settled = await Promise.all([tabA.evaluate('window.settled(10000)'), tabB.evaluate('window.settled(10000)')]);
  const a = (await tabA.evaluate('window.marks')) as Mark[];
  const b = (await tabB.evaluate('window.marks')) as Mark[];
  const roleA = (await tabA.evaluate('window.p2pRole()')) as string;
  const pcId = 'window.state?.conference?.p2pJingleSession?.peerconnection?.benchId ?? "pc?"';
  const [pcA, pcB] = (await Promise.all([tabA.evaluate(pcId), tabB.evaluate(pcId)])) as [string, string];
  await Promise.all([tabA.evaluate('window.teardown()'), tabB.evaluate('window.teardown()')]);
  // The stand-ins end this run's bridge sessions after the pages leave (werift's ICE and DTLS shut down in the
  // focus stand-in's process): the next run's first join must not queue behind that work.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  if (!settled.every(Boolean)) process.stdout.write(`page flow run ${index}: no decoded frame on ${settled[0] ? '' : 'the first '}${settled[1] ? '' : 'the second '}page within 10 s\n`);
  const span = (marks: Mark[], from: string, to: string): number => at(marks, (w) => w === to) - at(marks, (w) => w === from);
  const { t0, phases } = phasesOf(a, b, roleA, pcA, pcB);
  const trace = [...a.map(([t, what]) => [t, `1st ${what}`] as Mark), ...b.map(([t, what]) => [t, `2nd ${what}`] as Mark)]
    .filter(([, what]) => !/ (in|out) (r|a|iq result)$/.test(what))
    .sort((x, y) => x[0] - y[0])
    .map(([t, what]) => `${(t - t0).toFixed(1).padStart(8)} ms  ${what}`);
  return {
    connect: [span(a, 'page connect()', 'page CONNECTION_ESTABLISHED'), span(b, 'page connect()', 'page CONNECTION_ESTABLISHED')],
    joinFirst: span(a, 'page join()', 'page CONFERENCE_JOINED'),
    joinSecond: span(b, 'page join()', 'page CONFERENCE_JOINED'),
    phases,
    trace: [`1st page: P2P ${roleA}, ${pcA}; 2nd page: ${pcB}`, ...trace],
  };
}

function summary(results: RunResult[]): { rows: BenchRow[]; trace: string[] } {
  const round = (values: number[]): number[] => values.map((v) => Math.round(v * 10) / 10);
  const note = 'test/bench/p2p.ts, page flow of issue 15 in two tabs';
  const rows = [
    summarise('Page flow: connect() -> CONNECTION_ESTABLISHED, websocket (both pages)', round(results.flatMap((r) => r.connect)), 'ms', note),
    summarise('Page flow: join() -> CONFERENCE_JOINED, first page (new room)', round(results.map((r) => r.joinFirst)), 'ms', note),
    summarise('Page flow: join() -> CONFERENCE_JOINED, second page', round(results.map((r) => r.joinSecond)), 'ms', note),
    summarise('Page flow: 2nd join() -> remote video TRACK_ADDED (P2P), 2nd page', round(results.map((r) => r.phases.trackAddedSecondPage ?? NaN)), 'ms', note),
    summarise('Page flow: 2nd join() -> remote video TRACK_ADDED (P2P), 1st page', round(results.map((r) => r.phases.trackAddedFirstPage ?? NaN)), 'ms', note),
    summarise('Page flow: 2nd join() -> first framesDecoded > 0 (P2P), 2nd page', round(results.map((r) => r.phases.decodedSecondPage ?? NaN)), 'ms', note),
    summarise('Page flow: 2nd join() -> first framesDecoded > 0 (P2P), 1st page', round(results.map((r) => r.phases.decodedFirstPage ?? NaN)), 'ms', note),
    ...PHASES.map(([key, label]) => summarise(`Page flow phase, since 2nd join(): ${label}`, round(results.map((r) => r.phases[key] ?? NaN)), 'ms', note)),
  ];
  // The trace of the run whose second-page first frame is the median.
  const byFrame = [...results].sort((x, y) => (x.phases.decodedSecondPage ?? 0) - (y.phases.decodedSecondPage ?? 0));
  const median = byFrame[Math.floor((byFrame.length - 1) / 2)];
  return { rows, trace: median?.trace ?? [] };
}
