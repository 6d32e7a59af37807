/**
 * Starts the local Jitsi-like backend: a real Prosody (see prosody.ts) and the focus stand-in
 * (see focus-stand-in.ts), on free loopback ports, in a private run directory, plus a fault-injecting
 * relay (see relay.ts) in front of Prosody's http port for tests that break the network on purpose.
 * With the option `jvb` (default on, as in a Jitsi deployment; `BACKEND_JVB=0` turns it off) the focus
 * stand-in also runs Jicofo's Jingle sessions and hosts the bridge stand-in (bridge-stand-in.ts), whose
 * Colibri websockets listen on one more loopback port (`endpoints.bridge`).
 * With the option `turn` (default on; `BACKEND_TURN=0` turns it off) it also runs a coturn (coturn.ts) whose
 * shared secret Prosody's XEP-0215 external services mint time-limited credentials from (`endpoints.turn`).
 * Used by the tests, the benchmarks and `npm run demo`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProsody, stopChild, type RunningProsody } from './prosody.js';
import type { BackendEndpoints, TestUser } from './endpoints.js';
import { FaultRelay } from './relay.js';
import { startCoturn, TURN_PORT, TURN_RELAY_PORTS, TURNS_PORT, type RunningCoturn } from './coturn.js';

export type { BackendEndpoints, TestUser } from './endpoints.js';
import type { FocusConfig } from './focus-stand-in.js';


export interface Backend {
  endpoints: BackendEndpoints;
  runDir: string;
  /** PIDs of the processes the backend owns (Prosody, focus stand-in); updated by restartProsody(). */
  pids: { prosody: number; focus: number; coturn?: number };
  /** Milliseconds from start() to both processes ready. */
  startupMs: number;
  /** The fault-injecting relay in front of Prosody's http port (`endpoints.relay`). */
  relay: FaultRelay;
  /** The per-run secret of coturn and mod_external_services (for tests that check the minted credentials). */
  turnSecret: string;
  /**
   * Stops Prosody (SIGTERM, waits for the exit) and starts it again with the same config file, data
   * directory and ports, so registered users survive. Resolves once Prosody listens again and the focus
   * stand-in has reconnected (its rooms are gone, as are every client session and room).
   */
  restartProsody(): Promise<void>;
  /**
   * Test control (option `jvb` only): the bridge stand-in "crashes" and comes back with a new id: every
   * PeerConnection and Colibri websocket is closed, and the focus stand-in re-invites every participant
   * (source-remove to the others, session-terminate reason success "moving", a new session-initiate), as
   * Jicofo does when a bridge is removed. Resolves once the bridge is back and the re-invites are under way.
   */
  restartBridge(): Promise<void>;
  /** Test control (option `jvb` only): drops every Colibri websocket abnormally; resolves with how many. */
  cutBridgeWebsockets(): Promise<number>;
  /** Test control (option `jvb` only): the focus sends an in-place ICE restart to every session of the room; resolves with how many. */
  restartJvbIce(roomJid: string): Promise<number>;
  stop(): Promise<void>;
}

export interface BackendOptions {
  domain?: string;
  debug?: boolean;
  /** Prefix for the stand-in's log lines on this process's stdout; off when false. */
  focusLog?: boolean;
  /**
   * Media through the bridge stand-in: the focus stand-in sends Jingle sessions (protocol.md 5) and the
   * bridge stand-in forwards media and runs the bridge channel (8). Default true, unless `BACKEND_JVB=0` is
   * in the environment (a backend for signalling only).
   */
  jvb?: boolean;
  /** With `jvb`: Jicofo's single-participant timeout (default 20 s). */
  singleParticipantTimeoutMs?: number;
  /**
   * Prosody's http port (websocket and BOSH). Default: a free port. `npm run backend`, `npm run demo` and the
   * browser tests use DEFAULT_HTTP_PORT, so a page can name the backend's address in its markup.
   */
  httpPort?: number;
  /**
   * A coturn (coturn.ts) on 127.0.0.1:3478 (UDP, TCP) and :5349 (TLS), announced by Prosody's XEP-0215
   * external services with time-limited credentials. Default true, unless `BACKEND_TURN=0`.
   */
  turn?: boolean;
  /** With `turn`: lifetime of the TURN credentials Prosody issues, in seconds (default 86400). */
  turnTtlSeconds?: number;
}

/** The documented address of the local backend: `ws://127.0.0.1:5280/xmpp-websocket` (Prosody's usual port). */
export const DEFAULT_HTTP_PORT = 5280;

/** The http port asked for by `BACKEND_HTTP_PORT` or `--http-port N`, else DEFAULT_HTTP_PORT. */
export function configuredHttpPort(argv: readonly string[] = process.argv): number {
  const flag = argv.indexOf('--http-port');
  const value = flag >= 0 ? argv[flag + 1] : process.env.BACKEND_HTTP_PORT;
  const port = Number(value ?? DEFAULT_HTTP_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`not a port: ${String(value)}`);
  return port;
}

/** Rejects with a clear message when something already listens on the port. */
async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(new Error(`port ${port} on 127.0.0.1 is in use (another backend or demo?); choose one with BACKEND_HTTP_PORT or --http-port`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
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

interface FocusHandle {
  child: ChildProcess;
  /** Resolves at the stand-in's next `FOCUS_STAND_IN_ONLINE` (both connections back after a drop). */
  nextOnline(timeoutMs: number): Promise<void>;
  /** Sends a test control line and resolves with the rest of the answering marker line. */
  control(command: string, marker: string, timeoutMs: number): Promise<string>;
}

const MARKERS = /^(?:FOCUS_STAND_IN_(READY|ONLINE)|(BRIDGE_RESTARTED|BRIDGE_WEBSOCKETS_CUT|JVB_ICE_RESTARTED))(?: (.*))?$/;

async function startFocus(config: FocusConfig, echo: boolean): Promise<FocusHandle> {
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
  let partial = '';
  const markerWaiters = new Map<string, Set<(rest: string) => void>>();
  const onLine = (line: string): void => {
    const match = MARKERS.exec(line);
    const marker = match?.[1] ?? match?.[2];
    if (marker) {
      for (const deliver of markerWaiters.get(marker) ?? []) deliver(match?.[3] ?? '');
      markerWaiters.delete(marker);
    } else if (echo) {
      process.stdout.write(`${line}\n`);
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-8000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    if (echo) process.stderr.write(chunk);
  });
  const nextMarker = (marker: string, timeoutMs: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const done = (error?: Error, rest = ''): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        markerWaiters.get(marker)?.delete(deliver);
        if (error) reject(error);
        else resolve(rest);
      };
      const deliver = (rest: string): void => done(undefined, rest);
      const onExit = (code: number | null): void => done(new Error(`focus stand-in exited (${code}):\n${output}`));
      const timer = setTimeout(() => done(new Error(`no ${marker} marker within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      if (child.exitCode !== null || child.signalCode !== null) {
        onExit(child.exitCode);
        return;
      }
      child.once('exit', onExit);
      const waiters = markerWaiters.get(marker) ?? new Set<(rest: string) => void>();
      waiters.add(deliver);
      markerWaiters.set(marker, waiters);
    });
  try {
    await nextMarker('READY', 15_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    child,
    nextOnline: async (timeoutMs) => {
      await nextMarker('ONLINE', timeoutMs);
    },
    control: (command, marker, timeoutMs) => {
      const answer = nextMarker(marker, timeoutMs);
      child.stdin?.write(`${command}\n`);
      return answer;
    },
  };
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  installExitHook();
  const started = performance.now();
  const domain = options.domain ?? 'meet.jitsi';
  const runDir = mkdtempSync(join(tmpdir(), 'jitsi-elements-backend-'));
  runDirs.add(runDir);
  if (options.httpPort !== undefined) await ensurePortFree(options.httpPort);
  const [c2s, component, http] = [await freePort(), await freePort(), options.httpPort ?? (await freePort())];
  const jvb = options.jvb ?? process.env.BACKEND_JVB !== '0';
  const bridgePort = jvb ? await freePort() : undefined;
  const focusPassword = secret();
  const componentSecret = secret();
  const turnSecret = secret();
  const turn = options.turn ?? process.env.BACKEND_TURN !== '0';
  const testUser: TestUser = { username: 'tester', jid: `tester@auth.${domain}`, password: secret() };

  // The Prosody process, Backend.pids and the exit hook follow restarts.
  const pids: Backend['pids'] = { prosody: -1, focus: -1 };
  const onOwnedSpawn = (child: ChildProcess): void => {
    owned.add(child);
    child.on('exit', () => owned.delete(child));
  };
  const onSpawn = (child: ChildProcess): void => {
    onOwnedSpawn(child);
    pids.prosody = child.pid ?? -1;
  };
  let prosody: RunningProsody | undefined;
  let focus: FocusHandle | undefined;
  let relay: FaultRelay | undefined;
  let coturn: RunningCoturn | undefined;
  try {
    if (turn) {
      coturn = await startCoturn({ runDir, realm: domain, secret: turnSecret }, onOwnedSpawn);
      pids.coturn = coturn.process.pid ?? -1;
    }
    prosody = await startProsody({
      runDir,
      domain,
      ports: { c2s, component, http },
      componentSecret,
      turnSecret,
      ...(options.turnTtlSeconds !== undefined ? { turnTtlSeconds: options.turnTtlSeconds } : {}),
      debug: options.debug,
      accounts: [
        { username: 'focus', host: `auth.${domain}`, password: focusPassword },
        { username: testUser.username, host: `auth.${domain}`, password: testUser.password },
      ],
    }, { onSpawn });
    focus = await startFocus(
      {
        domain,
        c2sPort: c2s,
        componentPort: component,
        componentSecret,
        focusPassword,
        ...(bridgePort !== undefined
          ? { jvb: { port: bridgePort, ...(options.singleParticipantTimeoutMs !== undefined ? { singleParticipantTimeoutMs: options.singleParticipantTimeoutMs } : {}) } }
          : {}),
      },
      options.focusLog !== false,
    );
    pids.focus = focus.child.pid ?? -1;
    relay = await FaultRelay.start(http);
  } catch (error) {
    if (relay) await relay.stop();
    if (focus) await stopChild(focus.child);
    if (prosody) await prosody.stop();
    if (coturn) await coturn.stop();
    rmSync(runDir, { recursive: true, force: true });
    runDirs.delete(runDir);
    throw error;
  }
  const prosodyServer = prosody;
  const focusHandle = focus;
  const faultRelay = relay;
  const turnServer = coturn;
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
    relay: {
      websocketUrl: `ws://127.0.0.1:${faultRelay.port}/xmpp-websocket`,
      boshUrl: `http://127.0.0.1:${faultRelay.port}/http-bind`,
      httpPort: faultRelay.port,
    },
    ...(turnServer ? { turn: { host: '127.0.0.1', port: TURN_PORT, tlsPort: TURNS_PORT, certSpki: turnServer.certSpki, relayPorts: { ...TURN_RELAY_PORTS } } } : {}),
    ...(bridgePort !== undefined ? { bridge: { colibriWebsocketBase: `ws://127.0.0.1:${bridgePort}/colibri-ws/`, port: bridgePort } } : {}),
  };
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;
  return {
    endpoints,
    runDir,
    pids,
    startupMs: Math.round(performance.now() - started),
    relay: faultRelay,
    turnSecret,
    restartProsody: () =>
      (restarting ??= (async () => {
        try {
          if (stopping) throw new Error('the backend is stopping');
          // Armed before the drop, so the stand-in's reconnection cannot be missed.
          const focusBack = focusHandle.nextOnline(25_000);
          focusBack.catch(() => undefined);
          await prosodyServer.restart();
          await focusBack;
        } finally {
          restarting = undefined;
        }
      })()),
    restartBridge: async () => {
      if (bridgePort === undefined) throw new Error('restartBridge(): the backend runs without the bridge (option jvb)');
      await focusHandle.control('restart-bridge', 'BRIDGE_RESTARTED', 10_000);
    },
    restartJvbIce: async (roomJid) => {
      if (bridgePort === undefined) throw new Error('restartJvbIce(): the backend runs without the bridge (option jvb)');
      return Number(await focusHandle.control(`ice-restart ${roomJid}`, 'JVB_ICE_RESTARTED', 15_000));
    },
    cutBridgeWebsockets: async () => {
      if (bridgePort === undefined) throw new Error('cutBridgeWebsockets(): the backend runs without the bridge (option jvb)');
      return Number(await focusHandle.control('cut-bridge-websockets', 'BRIDGE_WEBSOCKETS_CUT', 10_000));
    },
    stop: () =>
      (stopping ??= (async () => {
        await restarting?.catch(() => undefined);
        await faultRelay.stop();
        await stopChild(focusHandle.child);
        await prosodyServer.stop();
        owned.delete(prosodyServer.process);
        await turnServer?.stop();
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
    `  relay       ${endpoints.relay.websocketUrl}  ${endpoints.relay.boshUrl} (fault injection, for tests)`,
    `  domain      ${endpoints.domain} (anonymous)`,
    `  MUC         ${endpoints.mucDomain}`,
    `  focus       ${endpoints.focusAddress} (stand-in for Jicofo, user ${endpoints.focusJid})`,
    endpoints.turn
      ? `  TURN        turn:${endpoints.turn.host}:${endpoints.turn.port} (udp, tcp), turns:${endpoints.turn.host}:${endpoints.turn.tlsPort} (coturn; credentials via XEP-0215)`
      : '  TURN        off (BACKEND_TURN=0)',
    endpoints.bridge
      ? `  bridge      ${endpoints.bridge.colibriWebsocketBase}<jvb-id>/<conference-id>/<endpoint-id>?pwd=… (stand-in for the JVB; Jingle sessions on)`
      : '  bridge      off (no Jingle sessions: --no-jvb or BACKEND_JVB=0)',
    `  test user   ${endpoints.testUser.jid} / ${endpoints.testUser.password}`,
  ].join('\n');
}
