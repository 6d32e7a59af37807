/**
 * Starts the local Jitsi-like backend: a real Prosody (see prosody.ts) and the focus stand-in
 * (see focus-stand-in.ts), on free loopback ports, in a private run directory. Used by the tests, the
 * benchmarks and `npm run demo`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProsody, stopChild, type RunningProsody } from './prosody.js';
import type { FocusConfig } from './focus-stand-in.js';

export interface TestUser {
  username: string;
  /** Bare JID on the `auth.` host, the `id` a client passes to `connect()`. */
  jid: string;
  password: string;
}

/** What clients need to reach the backend; served to browser tests as JSON. */
export interface BackendEndpoints {
  domain: string;
  mucDomain: string;
  authDomain: string;
  /** Where conference requests go (protocol.md 3.1). */
  focusAddress: string;
  /** The focus user's bare JID, as Jicofo answers it in `focusjid`. */
  focusJid: string;
  websocketUrl: string;
  boshUrl: string;
  c2sPort: number;
  httpPort: number;
  testUser: TestUser;
}

export interface Backend {
  endpoints: BackendEndpoints;
  runDir: string;
  /** PIDs of the processes the backend owns (Prosody, focus stand-in). */
  pids: { prosody: number; focus: number };
  /** Milliseconds from start() to both processes ready. */
  startupMs: number;
  stop(): Promise<void>;
}

export interface BackendOptions {
  domain?: string;
  debug?: boolean;
  /** Prefix for the stand-in's log lines on this process's stdout; off when false. */
  focusLog?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const secret = (): string => randomBytes(12).toString('hex');

/** Children that must not outlive this process, even when it dies abruptly. */
const owned = new Set<ChildProcess>();
const runDirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of owned) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  });
}

async function startFocus(config: FocusConfig, echo: boolean): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'focus-stand-in.ts')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: join(here, '..', '..'),
      // Through the environment, not argv: secrets stay out of `ps`.
      env: { ...process.env, FOCUS_STAND_IN_CONFIG: JSON.stringify(config) },
    },
  );
  owned.add(child);
  child.on('exit', () => owned.delete(child));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`focus stand-in did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      if (echo) process.stdout.write(text.replace(/^FOCUS_STAND_IN_READY\n/m, ''));
      if (output.includes('FOCUS_STAND_IN_READY')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`focus stand-in exited (${code}):\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  child.on('exit', () => owned.delete(child));
  return child;
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  installExitHook();
  const started = performance.now();
  const domain = options.domain ?? 'meet.jitsi';
  const runDir = mkdtempSync(join(tmpdir(), 'jitsi-elements-backend-'));
  runDirs.add(runDir);
  const [c2s, component, http] = [await freePort(), await freePort(), await freePort()];
  const focusPassword = secret();
  const componentSecret = secret();
  const testUser: TestUser = { username: 'tester', jid: `tester@auth.${domain}`, password: secret() };

  let prosody: RunningProsody | undefined;
  let focus: ChildProcess | undefined;
  try {
    prosody = await startProsody({
      runDir,
      domain,
      ports: { c2s, component, http },
      componentSecret,
      debug: options.debug,
      accounts: [
        { username: 'focus', host: `auth.${domain}`, password: focusPassword },
        { username: testUser.username, host: `auth.${domain}`, password: testUser.password },
      ],
    });
    owned.add(prosody.process);
    focus = await startFocus(
      { domain, c2sPort: c2s, componentPort: component, componentSecret, focusPassword },
      options.focusLog !== false,
    );
  } catch (error) {
    if (focus) await stopChild(focus);
    if (prosody) await prosody.stop();
    rmSync(runDir, { recursive: true, force: true });
    runDirs.delete(runDir);
    throw error;
  }
  const prosodyProcess = prosody;
  const focusProcess = focus;
  const endpoints: BackendEndpoints = {
    domain,
    mucDomain: `conference.${domain}`,
    authDomain: `auth.${domain}`,
    focusAddress: `focus.${domain}`,
    focusJid: `focus@auth.${domain}`,
    websocketUrl: `ws://127.0.0.1:${http}/xmpp-websocket`,
    boshUrl: `http://127.0.0.1:${http}/http-bind`,
    c2sPort: c2s,
    httpPort: http,
    testUser,
  };
  let stopping: Promise<void> | undefined;
  return {
    endpoints,
    runDir,
    pids: { prosody: prosodyProcess.pid, focus: focusProcess.pid ?? -1 },
    startupMs: Math.round(performance.now() - started),
    stop: () =>
      (stopping ??= (async () => {
        await stopChild(focusProcess);
        await prosodyProcess.stop();
        owned.delete(prosodyProcess.process);
        rmSync(runDir, { recursive: true, force: true });
        runDirs.delete(runDir);
      })()),
  };
}

/** Endpoints as printed for people: no secrets other than the local test user's password. */
export function describeEndpoints(endpoints: BackendEndpoints): string {
  return [
    `  websocket   ${endpoints.websocketUrl}`,
    `  BOSH        ${endpoints.boshUrl}`,
    `  domain      ${endpoints.domain} (anonymous)`,
    `  MUC         ${endpoints.mucDomain}`,
    `  focus       ${endpoints.focusAddress} (stand-in for Jicofo, user ${endpoints.focusJid})`,
    `  test user   ${endpoints.testUser.jid} / ${endpoints.testUser.password}`,
  ].join('\n');
}
