/**
 * `npm run soak` (issue 16): the soak of test/browser/soak.test.ts for 30 cycles, a fault a minute, in the
 * loopback-only namespace; then writes test/soak/results.json and docs/soak.md (a table per fault kind, one
 * row per cycle, and docs/soak.svg, heap and recovery time per cycle). `--cycles N` and `--interval-ms N`
 * shorten it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { ensureDebianPackages, ensureNpmPackages, loopbackNamespacePrefix } from './bootstrap.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const cycles = arg('--cycles', 30);
const intervalMs = arg('--interval-ms', 60_000);
const reportFile = 'test/soak/results.json';

ensureNpmPackages();
ensureDebianPackages();
const prefix = loopbackNamespacePrefix() ?? [];
const command = [...prefix, process.execPath, '--import', 'tsx', 'test/browser-runner.ts', '--files', 'test/browser/soak.test.ts'];
const env = {
  ...process.env,
  SOAK_CYCLES: String(cycles),
  SOAK_INTERVAL_MS: String(intervalMs),
  SOAK_REPORT: reportFile,
  TESTS_FINISH_TIMEOUT_MS: String(cycles * intervalMs + 600_000),
};
const run = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });

let report;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'));
} catch {
  process.stderr.write(`soak: no report in ${reportFile}\n`);
  process.exit(run.status || 1);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const kinds = [...new Set(report.cycles.map((c) => c.fault))];
const byKind = kinds.map((kind) => {
  const rows = report.cycles.filter((c) => c.fault === kind);
  const media = rows.filter((c) => c.mediaMs >= 0).map((c) => c.mediaMs);
  const chat = rows.filter((c) => c.chatMs >= 0).map((c) => c.chatMs);
  return `| ${kind} | ${rows.length} | ${median(media)} | ${Math.max(...media)} | ${median(chat)} | ${Math.max(...chat)} | ${rows.reduce((n, c) => n + c.lost, 0)} | ${rows.reduce((n, c) => n + c.doubled, 0)} | ${rows.filter((c) => c.error).length} |`;
});
const first = report.cycles[0];
const last = report.cycles.at(-1);
const b = report.baseline;

// The plot: heap (MB, left axis) and media recovery (s, right axis) per cycle.
const W = 720;
const H = 260;
const pad = 40;
const n = report.cycles.length;
const x = (i) => pad + (n <= 1 ? 0 : (i * (W - 2 * pad)) / (n - 1));
const heaps = [b.heapBytes, ...report.cycles.map((c) => c.heapBytes)].map((v) => v / 1e6);
const heapMax = Math.max(...heaps) * 1.2 || 1;
const recov = report.cycles.map((c) => Math.max(c.mediaMs, 0) / 1000);
const recovMax = Math.max(...recov, 1) * 1.2;
const yHeap = (v) => H - pad - (v / heapMax) * (H - 2 * pad);
const yRecov = (v) => H - pad - (v / recovMax) * (H - 2 * pad);
const line = (points) => points.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="#fff"/>
<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#999"/>
<text x="${W / 2}" y="${H - 8}" text-anchor="middle">fault cycle (1–${n})</text>
<text x="8" y="16" fill="#2563eb">JS heap, MB (0–${heapMax.toFixed(0)})</text>
<text x="${W - 8}" y="16" fill="#dc2626" text-anchor="end">media recovery, s (0–${recovMax.toFixed(1)})</text>
<path d="${line(report.cycles.map((c, i) => [x(i), yHeap(c.heapBytes / 1e6)]))}" fill="none" stroke="#2563eb" stroke-width="2"/>
<line x1="${pad}" y1="${yHeap(b.heapBytes / 1e6).toFixed(1)}" x2="${W - pad}" y2="${yHeap(b.heapBytes / 1e6).toFixed(1)}" stroke="#2563eb" stroke-dasharray="4 4"/>
${report.cycles.map((c, i) => `<circle cx="${x(i).toFixed(1)}" cy="${yRecov(Math.max(c.mediaMs, 0) / 1000).toFixed(1)}" r="3" fill="${c.error ? '#000' : '#dc2626'}"/>`).join('\n')}
</svg>
`;
writeFileSync('docs/soak.svg', svg);

const markdown = `# Soak

\`npm run soak\`: four people in a call through the bridge stand-in, the page written with the public API, and a
fault every ${report.config.intervalMs / 1000} s in turn (websocket cut, bridge restart, UDP blocked for
${report.config.udpBlockMs / 1000} s, Prosody restart, a participant leaving and another joining), ${n} cycles,
started ${report.startedAt}. Recovery is counted from the end of each fault until every participant decodes
every other's video again (media) and until each chat message of the cycle (one from everyone during the
fault, one after) reached everyone else (chat). \`npm test\` runs the same scenario for one fault of each kind.

| fault | cycles | media median (ms) | media worst (ms) | chat median (ms) | chat worst (ms) | chat lost | chat doubled | failed |
|---|---|---|---|---|---|---|---|---|
${byKind.join('\n')}

Page resources (after a forced GC), at the start, after the first and after the last cycle:

| | JS heap (MB) | DOM nodes | peer connections | live tracks | timers |
|---|---|---|---|---|---|
| start | ${mb(b.heapBytes)} | ${b.domNodes} | ${b.peerConnections} | ${b.liveTracks} | ${b.timers} |
| after cycle 1 | ${mb(first.heapBytes)} | ${first.domNodes} | ${first.peerConnections} | ${first.liveTracks} | ${first.timers} |
| after cycle ${n} | ${mb(last.heapBytes)} | ${last.domNodes} | ${last.peerConnections} | ${last.liveTracks} | ${last.timers} |

![JS heap and media recovery per cycle](soak.svg)

Every cycle: ${report.cycles.map((c) => `${c.cycle} ${c.fault} ${c.mediaMs} ms${c.error ? ` (${c.error})` : ''}`).join('; ')}.
`;
writeFileSync('docs/soak.md', markdown);
process.stdout.write(`soak: wrote ${reportFile}, docs/soak.md and docs/soak.svg\n`);
process.exit(run.status ?? 1);
