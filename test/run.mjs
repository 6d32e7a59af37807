/**
 * `npm test`: installs what is missing, then type-check, lint, build, and every test: the Node tests
 * (backend launcher, packaging) and the browser tests against the real local backend. The tests run in a
 * private network namespace whose only interface is `lo`, so WebRTC traffic stays on loopback.
 * Ends with one line `tests: N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, loopbackNamespacePrefix } from './bootstrap.mjs';

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function step(name, command, args, options = {}) {
  const t = Date.now();
  console.log(`\n── ${name}`);
  const result = spawnSync(command, args, { stdio: options.capture ? ['inherit', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (options.capture) process.stdout.write(result.stdout ?? '');
  console.log(`── ${name}: ${result.status === 0 ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds(t)}`);
  return result;
}

function inside() {
  // Phase 2, inside the namespace: the tests themselves.
  const resultsDir = mkdtempSync(join(tmpdir(), 'jitsi-elements-results-'));
  const browserResults = join(resultsDir, 'browser.json');
  const nodeTests = readdirSync('test/node').filter((f) => f.endsWith('.test.ts')).map((f) => join('test/node', f));
  const node = step('node tests', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeTests], { capture: true });
  const nodeOut = node.stdout ?? '';
  const count = (label) => Number(nodeOut.match(new RegExp(`(?:#|ℹ) ${label} (\\d+)`))?.[1] ?? 0);
  const browser = step('browser tests (Chromium, real Prosody)', process.execPath, ['--import', 'tsx', 'test/browser-runner.ts', '--results', browserResults]);
  const b = existsSync(browserResults) ? JSON.parse(readFileSync(browserResults, 'utf8')) : { passed: 0, failed: 0, skipped: 0, fileErrors: 1 };
  rmSync(resultsDir, { recursive: true, force: true });
  const passed = count('pass') + b.passed;
  let failed = count('fail') + b.failed + b.fileErrors;
  // A runner that failed without a failing test (a crash, a timeout) still counts as one failure.
  if (failed === 0 && (node.status !== 0 || browser.status !== 0)) failed = 1;
  const skipped = count('skipped') + b.skipped;
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return node.status === 0 && browser.status === 0 ? 0 : 1;
}

if (process.argv.includes('--inside')) {
  process.exit(inside());
}

ensureNpmPackages();
ensureDebianPackages();

for (const [name, script] of [
  ['typecheck', 'typecheck'],
  ['lint', 'lint'],
  ['build', 'build'],
]) {
  const result = step(name, 'npm', ['run', '--silent', script]);
  if (result.status !== 0) {
    console.log(`\ntests: 0 passed, 1 failed (${name} failed)`);
    process.exit(1);
  }
}

const prefix = loopbackNamespacePrefix();
let code;
if (prefix) {
  console.log('\nRunning the tests in a private network namespace (only lo): WebRTC stays on loopback.');
  code = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, 'test/run.mjs', '--inside'], { stdio: 'inherit' }).status ?? 1;
} else {
  console.log('\nNOTE: this machine allows no private network namespace (needs root or unprivileged user namespaces);');
  console.log('the tests run on the host network. Configure no STUN/TURN servers other than local ones.');
  code = inside();
}
console.log(`npm test finished in ${seconds(started)}`);
process.exit(code);
