/** The benchmarks. Each returns rows for the README table; all results go to test/bench/results.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startBackend } from '../backend/launcher.js';

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

const RESULTS = 'test/bench/results.json';
const README = 'README.md';

function table(rows: BenchRow[]): string {
  const lines = ['| Benchmark | Runs | Median | p95 |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.name} | ${row.runs} | ${row.median} ${row.unit} | ${row.p95} ${row.unit} |`);
  return lines.join('\n');
}

const rows = [await backendStartup(10)];
const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`);
const readme = readFileSync(README, 'utf8');
const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
if (marked.test(readme)) {
  writeFileSync(README, readme.replace(marked, `$1${table(rows)}\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${machine}.\n$2`));
}
process.stdout.write(`${table(rows)}\n\nwritten to ${RESULTS} and ${README}\n`);
