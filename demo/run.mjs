/**
 * `npm run demo`: installs what is missing, starts the local Jitsi-like backend (real Prosody + focus
 * stand-in), builds, serves the demo pages (demo/*.html, loading dist/cdn/jitsi-elements.js), and prints the URL. Ctrl-C stops everything.
 * `npm run demo -- --no-backend` serves the page only (to point it at a real deployment, see README).
 */
import { spawn, spawnSync } from 'node:child_process';
import { DEBIAN_PACKAGES, ensureDebianPackages, ensureNpmPackages } from '../test/bootstrap.mjs';

ensureNpmPackages();
if (!process.argv.includes('--no-backend')) ensureDebianPackages(DEBIAN_PACKAGES.filter((p) => p.name === 'prosody'));

// The demo pages load the built CDN file, as a page without a build step would.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(process.execPath, ['--import', 'tsx', 'demo/serve.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
