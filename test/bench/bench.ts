/** The benchmarks. Each returns rows for the README table; all results go to test/bench/results.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import puppeteer from 'puppeteer-core';
import { startBackend, type Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic } from '../static-server.js';

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
    window.measure = async (serviceUrl, hosts, runs) => {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const connection = new JitsiMeetJS.JitsiConnection(null, null, { serviceUrl, hosts });
        const started = performance.now();
        await new Promise((resolve, reject) => {
          connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, resolve);
          connection.addEventListener(JitsiMeetJS.events.connection.CONNECTION_FAILED, (e) => reject(new Error(e)));
          connection.connect();
        });
        samples.push(performance.now() - started);
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
    const hosts = { domain: endpoints.domain, muc: endpoints.mucDomain };
    const rows: BenchRow[] = [];
    for (const [name, url] of [
      ['websocket', endpoints.websocketUrl],
      ['BOSH', endpoints.boshUrl],
    ] as const) {
      await tab.evaluate(`window.measure(${JSON.stringify(url)}, ${JSON.stringify(hosts)}, 2)`); // warm-up
      const samples = (await tab.evaluate(`window.measure(${JSON.stringify(url)}, ${JSON.stringify(hosts)}, ${runs})`)) as number[];
      rows.push(summarise(`connect() -> CONNECTION_ESTABLISHED, ${name}, anonymous`, samples.map((v) => Math.round(v)), 'ms', 'test/bench/bench.ts'));
    }
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
}

const RESULTS = 'test/bench/results.json';
const README = 'README.md';

function table(rows: BenchRow[]): string {
  const lines = ['| Benchmark | Runs | Median | p95 |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.name} | ${row.runs} | ${row.median} ${row.unit} | ${row.p95} ${row.unit} |`);
  return lines.join('\n');
}

const rows = [await backendStartup(10)];
{
  const backend = await startBackend({ focusLog: false });
  try {
    rows.push(...(await connectTimes(backend, 20)));
  } finally {
    await backend.stop();
  }
}
const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`);
const readme = readFileSync(README, 'utf8');
const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
if (marked.test(readme)) {
  writeFileSync(README, readme.replace(marked, `$1${table(rows)}\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${machine}.\n$2`));
}
process.stdout.write(`${table(rows)}\n\nwritten to ${RESULTS} and ${README}\n`);
