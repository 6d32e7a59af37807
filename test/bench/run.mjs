/**
 * `npm run bench`: runs every benchmark, writes test/bench/results.json and rewrites docs/benchmarks.md's
 * benchmark table (between the bench markers). Timed targets live here, never in tests.
 */
import { spawnSync } from 'node:child_process';
import { ensureDebianPackages, ensureNpmPackages, loopbackNamespacePrefix } from '../bootstrap.mjs';

ensureNpmPackages();
ensureDebianPackages();
// The browser benchmarks load the built CDN bundle.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const prefix = loopbackNamespacePrefix() ?? [];
const command = [...prefix, process.execPath, '--import', 'tsx', 'test/bench/bench.ts', ...process.argv.slice(2)];
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
process.exit(result.status ?? 1);
