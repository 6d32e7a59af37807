/**
 * `npm run screenshots`: builds, then runs test/screenshots.ts in the loopback-only network namespace (WebRTC
 * stays on lo). Arguments pass through: `--widths 375,768,1280`, `--only index,cms`, `--out DIR`, `--docs`.
 */
import { spawnSync } from 'node:child_process';
import { ensureDebianPackages, ensureNpmPackages, loopbackNamespacePrefix } from './bootstrap.mjs';

ensureNpmPackages();
ensureDebianPackages();
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const prefix = loopbackNamespacePrefix() ?? [];
const command = [...prefix, process.execPath, '--import', 'tsx', 'test/screenshots.ts', ...process.argv.slice(2)];
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
process.exit(result.status ?? 1);
