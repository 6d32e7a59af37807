/**
 * `npm run demo`: installs what is missing, starts the local Jitsi-like backend (real Prosody + focus
 * stand-in) and the demo page's Vite dev server, and prints the URL. Ctrl-C stops everything.
 * `npm run demo -- --no-backend` serves the page only (to point it at a real deployment, see README).
 */
import { spawn } from 'node:child_process';
import { DEBIAN_PACKAGES, ensureDebianPackages, ensureNpmPackages } from '../test/bootstrap.mjs';

ensureNpmPackages();
if (!process.argv.includes('--no-backend')) ensureDebianPackages(DEBIAN_PACKAGES.filter((p) => p.name === 'prosody'));

const child = spawn(process.execPath, ['--import', 'tsx', 'demo/serve.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
