/**
 * The benchmarks. Each returns rows for the README table; all results go to test/bench/results.json.
 *
 * Arguments (through `npm run bench -- …`): `--large-room=100,300` sets the large-room sizes (default
 * 100,300,1000), `--large-room=none` skips that benchmark; `--presence-cost=10,100` likewise for the
 * presence-cost sizes (default 10,100,500); `--only=p2p,jvb` runs only these groups (startup, connect, p2p,
 * jvb, large-room, presence-cost) and keeps the other rows of the last results.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';
import { startCrowd, type Crowd } from '../backend/crowd.js';
import { startBackend, type Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic } from '../static-server.js';
import { jvbBenchmarks } from './jvb.js';
import { pageFlow } from './p2p.js';
import { presenceCost } from './presence-cost.js';

export interface BenchRow {
  name: string;
  runs: number;
  median: number;
  p95: number;
  unit: string;
  note: string;
}

export function summarise(name: string, samples: number[], unit: string, note: string): BenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { name, runs: samples.length, median: at(0.5), p95: at(0.95), unit, note };
}

async function backendStartup(runs: number): Promise<BenchRow> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const backend = await startBackend({ focusLog: false });
    samples.push(backend.startupMs);
    await backend.stop();
  }
  return summarise('Local backend start (Prosody + focus stand-in ready)', samples, 'ms', 'test/backend/launcher.ts');
}

/**
 * connect() -> CONNECTION_ESTABLISHED in Chromium, on the built CDN bundle, against the local Prosody:
 * `runs` sequential connections per transport, each disconnected before the next.
 */
async function connectTimes(backend: Backend, runs: number): Promise<BenchRow[]> {
  const page = `<!doctype html><link rel="icon" href="data:,"><script type="module">
    import JitsiMeetJS from '/dist/cdn/jitsi-elements.js';
    JitsiMeetJS.setLogLevel('error');
    // With a room prefix, each run also joins a fresh room: connect() -> CONFERENCE_JOINED.
    window.measure = async (serviceUrl, hosts, runs, roomPrefix) => {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const connection = new JitsiMeetJS.JitsiConnection(null, null, { serviceUrl, hosts });
        const started = performance.now();
        await new Promise((resolve, reject) => {
          connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, resolve);
          connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_FAILED, (e) => reject(new Error(e)));
          connection.connect();
        });
        let conference;
        if (roomPrefix) {
          conference = connection.initJitsiConference(roomPrefix + '-' + i + '-' + Date.now().toString(36), {});
          await new Promise((resolve, reject) => {
            conference.on(JitsiMeetJS.events.conference.CONFERENCE_JOINED, resolve);
            conference.on(JitsiMeetJS.events.conference.CONFERENCE_FAILED, (e) => reject(new Error(e)));
            conference.join();
          });
        }
        samples.push(performance.now() - started);
        await conference?.leave();
        await connection.disconnect();
      }
      return samples;
    };
    window.ready = true;
  </script>`;
  const server = await serveStatic(process.cwd(), { '/bench.html': { type: 'text/html', body: page } });
  const browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.origin}/bench.html`);
    await tab.waitForFunction('window.ready === true');
    const { endpoints } = backend;
    const hosts = { domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress };
    const rows: BenchRow[] = [];
    for (const [name, url] of [
      ['websocket', endpoints.websocketUrl],
      ['BOSH', endpoints.boshUrl],
    ] as const) {
      await tab.evaluate(`window.measure(${JSON.stringify(url)}, ${JSON.stringify(hosts)}, 2)`); // warm-up
      const samples = (await tab.evaluate(`window.measure(${JSON.stringify(url)}, ${JSON.stringify(hosts)}, ${runs})`)) as number[];
      rows.push(summarise(`connect() -> CONNECTION_ESTABLISHED, ${name}, anonymous`, samples.map((v) => Math.round(v)), 'ms', 'test/bench/bench.ts'));
      const joins = (await tab.evaluate(`window.measure(${JSON.stringify(url)}, ${JSON.stringify(hosts)}, ${runs}, 'bench')`)) as number[];
      rows.push(
        summarise(`connect() -> CONFERENCE_JOINED, ${name}, new room (focus request + MUC join)`, joins.map((v) => Math.round(v)), 'ms', 'test/bench/bench.ts'),
      );
    }
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Milliseconds until Prosody is idle: its CPU share stays under 5 % for two 250 ms samples in a row (at most
 * `timeoutMs`). A crowd's fill or teardown keeps Prosody busy broadcasting presence well after our side is
 * done; measurements start only once that has drained.
 */
export async function prosodyIdle(backend: Backend, timeoutMs = 180_000): Promise<number> {
  const started = performance.now();
  const cpuMs = (): number => {
    try {
      const stat = readFileSync(`/proc/${backend.pids.prosody}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
    } catch {
      return NaN; // no /proc (not Linux): do not wait
    }
  };
  let quiet = 0;
  let last = cpuMs();
  while (quiet < 2 && !Number.isNaN(last) && performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuMs();
    quiet = now - last <= 12.5 ? quiet + 1 : 0;
    last = now;
  }
  return Math.round(performance.now() - started);
}

/** The page of the large-room benchmark: lib-jitsi-meet's documented API on the built CDN bundle. */
const LARGE_ROOM_PAGE = `<!doctype html><link rel="icon" href="data:,"><script type="module">
  import JitsiMeetJS from '/dist/cdn/jitsi-elements.js';
  JitsiMeetJS.setLogLevel('error');
  const events = JitsiMeetJS.events;
  const state = { connection: null, conference: null, updates: null };
  const heap = () => {
    window.gc();
    window.gc();
    return performance.memory.usedJSHeapSize;
  };
  window.bench = {
    heap,
    connect: (serviceUrl, hosts) => new Promise((resolve, reject) => {
      const connection = new JitsiMeetJS.JitsiConnection(null, null, { serviceUrl, hosts });
      connection.addEventListener(events.connection.CONNECTION_ESTABLISHED, () => resolve(true));
      connection.addEventListener(events.connection.CONNECTION_FAILED, (e) => reject(new Error('connection failed: ' + e)));
      state.connection = connection;
      connection.connect();
    }),
    /** null when the conference API is there, else why not (lib-jitsi-meet's API, not yet implemented here). */
    probe: (roomName) => {
      try {
        const conference = state.connection.initJitsiConference(roomName, {});
        return typeof conference?.join === 'function' ? null : 'initJitsiConference() returned no conference';
      } catch (error) {
        return String(error?.message ?? error);
      }
    },
    /** join() -> CONFERENCE_JOINED and \`expected\` USER_JOINED: resolves with the milliseconds taken. */
    join: (roomName, expected, timeoutMs) => new Promise((resolve, reject) => {
      const conference = state.connection.initJitsiConference(roomName, {});
      state.conference = conference;
      let joined = false;
      let users = 0;
      const timer = setTimeout(() => reject(new Error('not settled after ' + timeoutMs + ' ms: joined ' + joined + ', ' + users + ' of ' + expected + ' USER_JOINED')), timeoutMs);
      let started = 0;
      const check = () => {
        if (joined && users >= expected) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      conference.on(events.conference.USER_JOINED, () => {
        users++;
        check();
      });
      conference.on(events.conference.CONFERENCE_JOINED, () => {
        joined = true;
        check();
      });
      conference.on(events.conference.CONFERENCE_FAILED, (error) => {
        clearTimeout(timer);
        reject(new Error('CONFERENCE_FAILED: ' + error));
      });
      conference.on(events.conference.PARTICIPANT_PROPERTY_CHANGED, (participant, key) => {
        const updates = state.updates;
        if (updates && key === updates.key && ++updates.seen === updates.expected) updates.done();
      });
      started = performance.now();
      conference.join();
    }),
    /** Counts PARTICIPANT_PROPERTY_CHANGED for \`key\`; bench.updatesDone resolves at the \`expected\`th. */
    armUpdates: (key, expected) => {
      const updates = { key, expected, seen: 0, done: () => undefined };
      window.bench.updatesDone = new Promise((resolve) => (updates.done = resolve));
      state.updates = updates;
    },
    updatesSeen: () => state.updates?.seen ?? 0,
    leave: async () => {
      await state.conference?.leave();
      await state.connection?.disconnect();
    },
  };
  window.ready = true;
</script>`;

/** Main-thread busy time (CDP Performance.getMetrics, seconds) of a tab. */
async function busySeconds(tab: Page): Promise<{ task: number; script: number }> {
  const metrics = await tab.metrics();
  return { task: metrics.TaskDuration ?? NaN, script: metrics.ScriptDuration ?? NaN };
}

/** One measurement, no spread: median = p95 = the value (the note says so). */
export const single = (name: string, value: number, unit: string, note: string): BenchRow => ({
  name,
  runs: 1,
  median: value,
  p95: value,
  unit,
  note: `single run (median = p95 = value); ${note}`,
});

/**
 * A large room (issue 4): a crowd of `size` simulated members (test/backend/crowd.ts: xmpp.js clients in Node
 * sending Jitsi presence) fills a fresh room, then Chromium joins it through lib-jitsi-meet's API on the built
 * CDN bundle. Per size: (a) join() -> CONFERENCE_JOINED and `size` USER_JOINED; (b) the JS heap after settling,
 * and its growth from before the join (forced GC, precise performance.memory); (c) main-thread time per
 * presence update: the crowd sends UPDATES `jitsi_participant_raisedHand` changes spread over its members, and
 * the tab's CDP TaskDuration from the first update until the last PARTICIPANT_PROPERTY_CHANGED, minus the tab's
 * idle rate measured just before, is divided by UPDATES. One fresh Chromium per size; the crowd is always
 * stopped. Skipped with a message while the conference API is missing.
 */
export async function largeRoom(backend: Backend, sizes: number[] = [100, 300, 1000]): Promise<BenchRow[]> {
  const UPDATES = 200;
  const { endpoints } = backend;
  const hosts = { domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress };
  const server = await serveStatic(process.cwd(), { '/large-room.html': { type: 'text/html', body: LARGE_ROOM_PAGE } });
  const args = [...chromiumArgs, '--js-flags=--expose-gc', '--enable-precise-memory-info'];
  const openTab = async (): Promise<{ tab: Page; close(): Promise<void> }> => {
    const browser = await puppeteer.launch({ executablePath: chromiumPath, args, headless: true });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${server.origin}/large-room.html`);
      await tab.waitForFunction('window.ready === true');
      await tab.evaluate(`window.bench.connect(${JSON.stringify(endpoints.websocketUrl)}, ${JSON.stringify(hosts)})`);
      return { tab, close: () => browser.close() };
    } catch (error) {
      await browser.close();
      throw error;
    }
  };
  const rows: BenchRow[] = [];
  try {
    let missing: string | null;
    try {
      const probe = await openTab();
      try {
        missing = (await probe.tab.evaluate(`window.bench.probe('largeroomprobe')`)) as string | null;
      } finally {
        await probe.close();
      }
    } catch (error) {
      missing = `the probe failed: ${(error as Error).message}`;
    }
    if (missing !== null) {
      process.stdout.write(`large room: skipped, the conference API is not available yet (${missing})\n`);
      return rows;
    }
    for (const size of sizes) {
      const label = `Large room, ${size} members`;
      let crowd: Crowd | undefined;
      let page: { tab: Page; close(): Promise<void> } | undefined;
      try {
        await prosodyIdle(backend);
        const roomName = `largeroom${size}x${Date.now().toString(36)}`;
        process.stdout.write(`large room: filling ${roomName} with ${size} members...\n`);
        crowd = await startCrowd({ endpoints, roomName, size, joinTimeoutMs: 120_000 });
        const drainMs = await prosodyIdle(backend);
        process.stdout.write(`large room: ${size} members in ${crowd.fillMs} ms (+${drainMs} ms until Prosody idle)\n`);
        page = await openTab();
        const { tab } = page;
        const heapBefore = (await tab.evaluate('window.bench.heap()')) as number;
        const settleStart = await busySeconds(tab);
        const settleStartAt = performance.now();
        const joinMs = (await tab.evaluate(`window.bench.join(${JSON.stringify(roomName)}, ${size}, 120000)`)) as number;
        // Whatever the join set off runs out within a second after the last USER_JOINED.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const settleEnd = await busySeconds(tab);
        const settleSeconds = (performance.now() - settleStartAt) / 1000;
        const heapAfter = (await tab.evaluate('window.bench.heap()')) as number;
        await prosodyIdle(backend);

        // The tab's idle main-thread rate (keep-alives, timers), subtracted from the update window below.
        const idle0 = await busySeconds(tab);
        const idleStart = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const idle1 = await busySeconds(tab);
        const idleRate = (idle1.task - idle0.task) / ((performance.now() - idleStart) / 1000);
        const idleScriptRate = (idle1.script - idle0.script) / ((performance.now() - idleStart) / 1000);
        const settleScriptMs = Math.max(0, (settleEnd.script - settleStart.script - idleScriptRate * settleSeconds) * 1000);

        await tab.evaluate(`window.bench.armUpdates('raisedHand', ${UPDATES})`);
        const before = await busySeconds(tab);
        const windowStart = performance.now();
        for (let i = 0; i < UPDATES; i++) {
          await crowd.updatePresence(i % size, { properties: { raisedHand: String(Date.now() * 1000 + i) } });
        }
        await tab.evaluate(`Promise.race([window.bench.updatesDone, new Promise((_, reject) => setTimeout(() => reject(new Error('only ' + window.bench.updatesSeen() + ' of ${UPDATES} PARTICIPANT_PROPERTY_CHANGED')), 60000))])`);
        const after = await busySeconds(tab);
        const windowSeconds = (performance.now() - windowStart) / 1000;
        const perUpdateUs = Math.max(0, ((after.task - before.task - idleRate * windowSeconds) / UPDATES) * 1e6);
        const scriptPerUpdateUs = ((after.script - before.script) / UPDATES) * 1e6;

        const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
        rows.push(
          single(`${label}: crowd fill (Node clients, local Prosody)`, crowd.fillMs, 'ms', 'test/backend/crowd.ts; Prosody-bound (N^2 presence deliveries)'),
          single(`${label}: join() -> CONFERENCE_JOINED + ${size} USER_JOINED`, Math.round(joinMs), 'ms', 'test/bench/bench.ts largeRoom(), CDN bundle in Chromium'),
          single(
            `${label}: main-thread script time while settling (join() until 1 s after the last USER_JOINED)`,
            Math.round(settleScriptMs),
            'ms',
            `CDP ScriptDuration delta minus the idle script rate (${Math.round(idleScriptRate * 1e6)} µs/s); window ${settleSeconds.toFixed(1)} s`,
          ),
          single(`${label}: JS heap after settling`, mb(heapAfter), 'MB', `performance.memory after forced GC; ${mb(heapBefore)} MB before join()`),
          single(`${label}: JS heap growth from join()`, mb(heapAfter - heapBefore), 'MB', 'heap after settling minus heap before join(), both after forced GC'),
          single(
            `${label}: main-thread time per presence update`,
            Math.round(perUpdateUs),
            'µs',
            `${UPDATES} raisedHand updates; CDP TaskDuration delta minus idle rate (${Math.round(idleRate * 1e6)} µs/s), ScriptDuration ${Math.round(scriptPerUpdateUs)} µs/update; window ${windowSeconds.toFixed(1)} s`,
          ),
        );
        await tab.evaluate('window.bench.leave()').catch(() => undefined);
      } catch (error) {
        process.stdout.write(`large room: ${size} members failed, no rows: ${(error as Error).stack ?? String(error)}\n`);
      } finally {
        await page?.close().catch(() => undefined);
        await crowd?.stop();
      }
    }
  } finally {
    await server.close();
  }
  return rows;
}

const RESULTS = 'test/bench/results.json';
const README = 'docs/benchmarks.md';

function table(rows: BenchRow[]): string {
  const lines = ['| Benchmark | Runs | Median | p95 |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.name} | ${row.runs} | ${row.median} ${row.unit} | ${row.p95} ${row.unit} |`);
  return lines.join('\n');
}

/** Sizes from `--<option>=100,300` (`none` skips the benchmark), else undefined (the defaults). */
function sizesOption(argv: string[], option: string): number[] | undefined {
  const value = argv.find((arg) => arg.startsWith(`--${option}=`))?.slice(`--${option}=`.length);
  if (value === undefined) return undefined;
  if (value === 'none' || value === '') return [];
  return value.split(',').map((size) => Number(size)).filter((size) => Number.isInteger(size) && size > 0);
}

const GROUPS = ['startup', 'connect', 'p2p', 'jvb', 'large-room', 'presence-cost'] as const;
type Group = (typeof GROUPS)[number];

/** `--baseline=<jitsi-elements.js of another build>`: its page-flow medians next to ours, on stdout only. */
function comparison(baseline: BenchRow[], current: BenchRow[]): string[] {
  const lines = ['| Page flow (runs alternate between the builds) | before (median) | after (median) | before (p95) | after (p95) |', '|---|---|---|---|---|'];
  for (const row of current) {
    const before = baseline.find((b) => b.name === row.name);
    if (before) lines.push(`| ${row.name.replace(/^Page flow:? ?/, '')} | ${before.median} | ${row.median} | ${before.p95} | ${row.p95} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  return lines;
}

/** `--runs=N`: joins per page-flow measurement (default 8). */
function runsOption(argv: string[]): number | undefined {
  const value = Number(argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** `--only=a,b`: the groups to run (all by default). */
function onlyGroups(argv: string[]): Set<Group> {
  const value = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (value === undefined) return new Set(GROUPS);
  const wanted = value.split(',').map((g) => g.trim());
  const unknown = wanted.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0) throw new Error(`unknown benchmark group(s) ${unknown.join(', ')}; known: ${GROUPS.join(', ')}`);
  return new Set(wanted as Group[]);
}

/** The rows of this run, with the rows of the last results for what was not run, in the last order. */
function merge(previous: BenchRow[], fresh: BenchRow[]): BenchRow[] {
  const byName = new Map(fresh.map((row) => [row.name, row]));
  const out = previous.map((row) => byName.get(row.name) ?? row);
  // A new row goes after the row it follows in this run (at the end when that one is new too).
  fresh.forEach((row, i) => {
    if (out.some((p) => p.name === row.name)) return;
    const after = i > 0 ? out.findIndex((p) => p.name === fresh[i - 1]?.name) : -1;
    out.splice(after === -1 ? out.length : after + 1, 0, row);
  });
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const only = onlyGroups(argv);
  const rows: BenchRow[] = [];
  let trace: string[] | undefined;
  let beforeAfter: string[] | undefined;
  if (only.has('startup')) rows.push(await backendStartup(10));
  if (only.has('connect') || only.has('p2p') || only.has('jvb')) {
    const backend = await startBackend({ focusLog: false });
    try {
      if (only.has('connect')) rows.push(...(await connectTimes(backend, 20)));
      if (only.has('p2p')) {
        const baselineFile = argv.find((arg) => arg.startsWith('--baseline='))?.slice('--baseline='.length);
        const flow = await pageFlow(backend, runsOption(argv) ?? 8, baselineFile ? readFileSync(baselineFile, 'utf8') : undefined);
        rows.push(...flow.rows);
        trace = flow.trace;
        if (flow.baselineRows) beforeAfter = comparison(flow.baselineRows, flow.rows);
      }
      if (only.has('jvb')) rows.push(...(await jvbBenchmarks(backend, 10)));
    } finally {
      await backend.stop();
    }
  }
  // Crowd benchmarks get a backend of their own: the crowds' teardown must not disturb the other benchmarks.
  // Signalling only: the crowd's simulated members have no media, so the Jicofo stand-in's sessions and the
  // bridge stay off.
  const sizes = sizesOption(argv, 'large-room');
  if (only.has('large-room') && (sizes === undefined || sizes.length > 0)) {
    const backend = await startBackend({ focusLog: false, jvb: false });
    try {
      rows.push(...(await largeRoom(backend, sizes)));
    } finally {
      await backend.stop();
    }
  }
  const presenceSizes = sizesOption(argv, 'presence-cost');
  if (only.has('presence-cost') && (presenceSizes === undefined || presenceSizes.length > 0)) {
    const backend = await startBackend({ focusLog: false, jvb: false });
    try {
      rows.push(...(await presenceCost(backend, presenceSizes)));
    } finally {
      await backend.stop();
    }
  }
  const previous = existsSync(RESULTS) ? ((JSON.parse(readFileSync(RESULTS, 'utf8')) as { rows?: BenchRow[] }).rows ?? []) : [];
  const all = merge(previous, rows);
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), machine, rows: all }, null, 2)}\n`);
  const readme = readFileSync(README, 'utf8');
  const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
  if (marked.test(readme)) {
    let text = readme.replace(marked, `$1${table(all)}\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${machine}.\n$2`);
    const traced = /(<!-- bench-trace:start -->\n)[\s\S]*?(<!-- bench-trace:end -->)/;
    if (trace && traced.test(text)) text = text.replace(traced, `$1\`\`\`\n${trace.join('\n')}\n\`\`\`\n$2`);
    const compared = /(<!-- before-after:start -->\n)[\s\S]*?(<!-- before-after:end -->)/;
    if (beforeAfter && compared.test(text)) text = text.replace(compared, `$1${beforeAfter.join('\n')}\n\nMeasured ${new Date().toISOString().slice(0, 10)}.\n$2`);
    writeFileSync(README, text);
  }
  if (trace) process.stdout.write(`trace of the median run (ms since the second join()):\n${trace.join('\n')}\n`);
  process.stdout.write(`${table(all)}\n\nwritten to ${RESULTS} and ${README}\n`);
}

// Run when executed (test/bench/run.mjs), not when imported (largeRoom() and friends from other scripts).
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
