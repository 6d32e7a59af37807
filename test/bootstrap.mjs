/**
 * What `npm test` and `npm run demo` need before anything else, with no npm dependency of its own:
 * the npm packages (installed when missing or when package-lock.json changed) and the Debian packages
 * (installed with apt-get when running as root; otherwise the exact command is printed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const DEBIAN_PACKAGES = [
  { name: 'prosody', provides: 'prosody', why: 'the local XMPP server' },
  { name: 'chromium', provides: 'chromium', why: 'the browser the tests run in' },
  { name: 'coturn', provides: 'turnserver', why: 'the TURN server (relay-only calls, blocked UDP)' },
  { name: 'openssl', provides: 'openssl', why: 'the TURN server\'s self-signed TLS certificate' },
  { name: 'iproute2', provides: 'ip', why: 'the loopback-only network namespace of the tests' },
];

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function installed(pkg) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

export function ensureDebianPackages(packages = DEBIAN_PACKAGES) {
  const missing = packages.filter((p) => !installed(p.name));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (!isRoot()) {
    console.error('Missing Debian packages:');
    for (const p of missing) console.error(`  ${p.name}: ${p.why}`);
    console.error(`\nInstall them, then run this command again:\n\n  sudo apt-get update && sudo apt-get install -y ${names.join(' ')}\n`);
    process.exit(1);
  }
  console.log(`Installing Debian packages: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env });
}

const STAMP = 'node_modules/.jitsi-elements-lock';

export function ensureNpmPackages() {
  const lock = existsSync('package-lock.json') ? readFileSync('package-lock.json') : Buffer.from('');
  const hash = createHash('sha256').update(lock).digest('hex');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return;
  // `npm install` honours package-lock.json. Not `npm ci`: it rejects a lock whose optional
  // other-platform packages (rollup's) the registry did not list, which `npm install` tolerates.
  console.log('Installing npm packages (npm install, from package-lock.json)');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm install failed');
    process.exit(result.status ?? 1);
  }
  writeFileSync(STAMP, hash);
}

/**
 * The prefix that runs a command in a private network namespace whose only interface, `lo`, is up;
 * undefined where the machine allows none (not root and no unprivileged user namespaces).
 */
export function loopbackNamespacePrefix() {
  const flags = isRoot() ? ['--net'] : ['--map-root-user', '--net'];
  const prefix = ['unshare', ...flags, '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'];
  const probe = spawnSync(prefix[0], [...prefix.slice(1), 'ip', 'link', 'show', 'lo'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('UP') ? prefix : undefined;
}
