/**
 * Runs the browser tests: starts the local backend once, then @web/test-runner in Debian's Chromium with
 * fake devices, serving the backend's endpoints to the pages at /__backend__/endpoints.json. The backend
 * is stopped at the end, also when tests fail or the run is interrupted.
 *
 * Pages control the backend's faults with server commands (`executeServerCommand` from
 * '@web/test-runner-commands', wrapped in test/helpers/backend.ts): `backend-relay-cut`,
 * `backend-relay-blackhole`, `backend-relay-restore`, `backend-relay-stats` (each answers the relay's
 * stats), `backend-prosody-restart` (answers `true` once Prosody and the focus stand-in are back),
 * `backend-bridge-restart` (the bridge stand-in crashes and comes back; everyone is re-invited),
 * `backend-bridge-websockets-cut` (answers how many Colibri websockets it dropped), and
 * `backend-udp-block` / `backend-udp-restore`, which starve every UDP packet on `lo` (WebRTC's media and ICE
 * checks; XMPP is TCP and unaffected) with a traffic-control class of 8 bit/s; `backend-udp-firewall` /
 * `backend-udp-firewall-off`, a firewall that refuses UDP except the TURN server's relay ports (backend/network.ts);
 * and `backend-network-change` (`{ downMs }`: 127.0.0.1 removed from `lo` and added back, as a laptop changing
 * networks). The browser tests run alone in a private network namespace, so this touches nothing else.
 *
 *   tsx test/browser-runner.ts [--files GLOB ...] [--results FILE]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Reporter, TestRunnerPlugin, TestSession, TestResultError, TestSuiteResult } from '@web/test-runner';
import { startTestRunner, defaultReporter, summaryReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { build } from 'esbuild';

/**
 * sdp-transform ships CommonJS only. Vite converts it for the builds; for the test server this serves its
 * entry as one ES module bundled by esbuild.
 */
function commonjsAsEsm(packageEntry: string, names: string[]): TestRunnerPlugin {
  let bundled: Promise<string> | undefined;
  return {
    name: 'jitsi-elements-commonjs-as-esm',
    async serve(context) {
      if (!context.path.endsWith(packageEntry)) return undefined;
      // Re-export the CommonJS module's names so that `import { parse } from 'sdp-transform'` works as in Vite.
      const contents = `import m from ${JSON.stringify(`.${context.path}`)}; export const { ${names.join(', ')} } = m; export default m;`;
      bundled ??= build({ stdin: { contents, resolveDir: process.cwd() }, bundle: true, format: 'esm', write: false, logLevel: 'silent' }).then(
        (result) => result.outputFiles[0]?.text ?? '',
      );
      return { body: await bundled, type: 'js' };
    },
  };
}
import { configuredHttpPort, startBackend, type Backend } from './backend/launcher.js';
import { chromiumArgs, chromiumPath } from './chromium.js';
import { udpFirewall } from './backend/network.js';

function argValues(name: string): string[] {
  const values: string[] = [];
  process.argv.forEach((arg, i) => {
    const next = process.argv[i + 1];
    if (arg === name && next) values.push(next);
  });
  return values;
}

export interface BrowserRunCounts {
  passed: number;
  failed: number;
  skipped: number;
  fileErrors: number;
}

function countSuite(suite: TestSuiteResult | undefined, counts: BrowserRunCounts): void {
  if (!suite) return;
  for (const test of suite.tests) {
    if (test.skipped) counts.skipped++;
    else if (test.passed) counts.passed++;
    else counts.failed++;
  }
  for (const child of suite.suites) countSuite(child, counts);
}

/** Collects pass/fail counts for the suite-wide summary line printed by test/run.mjs. */
function countingReporter(onDone: (counts: BrowserRunCounts) => void): Reporter {
  return {
    onTestRunFinished({ sessions }: { sessions: TestSession[] }) {
      const counts: BrowserRunCounts = { passed: 0, failed: 0, skipped: 0, fileErrors: 0 };
      for (const session of sessions) {
        countSuite(session.testResults, counts);
        const errors: TestResultError[] = session.errors ?? [];
        if (!session.passed && errors.length > 0) counts.fileErrors++;
      }
      onDone(counts);
    },
  };
}

/** Starves (or frees) UDP on `lo`: an htb class of 8 bit/s that a u32 filter sends every UDP packet to. */
function udpStarve(on: boolean): boolean {
  const tc = (...args: string[]): void => {
    const result = spawnSync('tc', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tc ${args.join(' ')}: ${result.stderr || result.error?.message || 'failed'}`);
  };
  spawnSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root']);
  if (!on) return true;
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10');
  tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
  tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '8bit', 'ceil', '8bit');
  tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:20');
  return true;
}

/**
 * A laptop switching networks, in the test namespace: the loopback address goes away for `downMs` and comes back
 * (every socket bound to it loses its network meanwhile). Answers true once the address is back.
 */
async function networkChange(downMs: number): Promise<boolean> {
  const ip = (...args: string[]): void => {
    const result = spawnSync('ip', args);
    if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.toString()}`);
  };
  ip('addr', 'del', '127.0.0.1/8', 'dev', 'lo');
  try {
    await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(downMs, 0), 30_000)));
  } finally {
    ip('addr', 'add', '127.0.0.1/8', 'dev', 'lo');
  }
  return true;
}

/**
 * Server commands for the backend's faults. Unknown commands answer undefined, so other plugins (and
 * @web/test-runner-commands' own) can handle them. A command must answer something non-null to count as
 * handled, hence the stats or `true`.
 */
function backendCommandsPlugin(getBackend: () => Backend): TestRunnerPlugin {
  return {
    name: 'jitsi-elements-backend-commands',
    async executeCommand({ command, payload }) {
      const backend = getBackend();
      switch (command) {
        case 'backend-relay-cut':
          backend.relay.cut();
          return backend.relay.stats();
        case 'backend-relay-blackhole':
          backend.relay.blackhole();
          return backend.relay.stats();
        case 'backend-relay-restore':
          backend.relay.restore();
          return backend.relay.stats();
        case 'backend-relay-stats':
          return backend.relay.stats();
        case 'backend-udp-block':
          return udpStarve(true);
        case 'backend-network-change':
          return networkChange(Number((payload as { downMs?: number } | undefined)?.downMs ?? 2_000));
        case 'backend-udp-restore':
          return udpStarve(false);
        case 'soak-config':
          // npm test: one fault of each kind, 20 s apart; `npm run soak` sets SOAK_CYCLES and SOAK_INTERVAL_MS.
          return {
            cycles: Number(process.env.SOAK_CYCLES ?? 5),
            intervalMs: Number(process.env.SOAK_INTERVAL_MS ?? 20_000),
            udpBlockMs: Number(process.env.SOAK_UDP_BLOCK_MS ?? 10_000),
            recoveryBoundMs: Number(process.env.SOAK_RECOVERY_BOUND_MS ?? 20_000),
            faults: process.env.SOAK_FAULTS?.split(',').filter(Boolean),
          };
        case 'soak-report':
          if (process.env.SOAK_REPORT) writeFileSync(process.env.SOAK_REPORT, JSON.stringify(payload, null, 2));
          return true;
        case 'backend-udp-firewall':
          return udpFirewall(true);
        case 'backend-udp-firewall-off':
          return udpFirewall(false);
        case 'backend-bridge-restart':
          await backend.restartBridge();
          return true;
        case 'backend-jvb-ice-restart':
          return backend.restartJvbIce((payload as { room?: string } | undefined)?.room ?? '');
        case 'backend-bridge-websockets-cut':
          return backend.cutBridgeWebsockets();
        case 'backend-prosody-restart':
          await backend.restartProsody();
          process.stdout.write(`backend: Prosody restarted (pid ${backend.pids.prosody})\n`);
          return true;
        default:
          return undefined;
      }
    },
  };
}

const files = argValues('--files');
const resultsFile = argValues('--results')[0];
const manual = process.argv.includes('--manual');

let backend: Backend | undefined;
let counts: BrowserRunCounts | undefined;
try {
  // FOCUS_LOG=1 echoes the focus stand-in's log; BACKEND_DEBUG=1 makes Prosody log at debug level.
  // The documented port: the hand-written pages of test/pages name ws://127.0.0.1:5280/xmpp-websocket.
  backend = await startBackend({ httpPort: configuredHttpPort([]), focusLog: process.env.FOCUS_LOG === '1', debug: process.env.BACKEND_DEBUG === '1' });
} catch (error) {
  process.stderr.write(`backend did not start: ${(error as Error).message}\n`);
  process.exit(1);
}
const activeBackend = backend;
process.stdout.write(`backend ready in ${activeBackend.startupMs} ms (Prosody pid ${activeBackend.pids.prosody}, focus stand-in pid ${activeBackend.pids.focus})\n`);

const runner = await startTestRunner({
  readCliArgs: false,
  readFileConfig: false,
  autoExitProcess: false,
  config: {
    rootDir: process.cwd(),
    files: files.length > 0 ? files : ['test/browser/**/*.test.ts'],
    nodeResolve: { exportConditions: ['browser', 'production'] },
    concurrency: 1,
    manual,
    open: false,
    port: 8000 + Math.floor(Math.random() * 1000),
    testFramework: { config: { timeout: 20_000 } },
    // A soak run (`npm run soak`) lasts its cycles; everything else finishes well within 5 minutes.
    testsFinishTimeout: Number(process.env.TESTS_FINISH_TIMEOUT_MS ?? 300_000),
    browserStartTimeout: 60_000,
    browsers: [
      chromeLauncher({
        // Our signal handlers stop the backend before exiting; puppeteer's own would exit first.
        launchOptions: {
          executablePath: chromiumPath,
          headless: true,
          // TURN over TLS: the browser trusts the backend coturn's self-signed key, and only that one.
          args: [...chromiumArgs, ...(activeBackend.endpoints.turn ? [`--ignore-certificate-errors-spki-list=${activeBackend.endpoints.turn.certSpki}`] : [])],
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
        },
      }),
    ],
    plugins: [
      commonjsAsEsm('/node_modules/sdp-transform/lib/index.js', [
        'write',
        'parse',
        'parseParams',
        'parseFmtpConfig',
        'parsePayloads',
        'parseRemoteCandidates',
        'parseImageAttributes',
        'parseSimulcastStreamList',
      ]),
      esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
      backendCommandsPlugin(() => activeBackend),
      {
        name: 'jitsi-elements-backend-endpoints',
        serve(context) {
          if (context.path === '/__backend__/endpoints.json') {
            return { body: JSON.stringify(activeBackend.endpoints), type: 'application/json' };
          }
          return undefined;
        },
      },
    ],
    reporters: [defaultReporter(), summaryReporter({ flatten: false }), countingReporter((c) => (counts = c))],
  },
});

let finishing: Promise<never> | undefined;
/** Stops the backend (waiting for Prosody to exit, so its run directory can go), then exits. Once. */
function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    await activeBackend.stop().catch(() => undefined);
    if (resultsFile && counts) writeFileSync(resultsFile, JSON.stringify(counts));
    process.exit(code);
  })();
  return finishing;
}

if (!runner) await finish(1);
runner?.on('stopped', (passed: boolean) => void finish(passed ? 0 : 1));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A second signal while stopping exits at once; the launcher's exit hook still signals its children.
    if (finishing) process.exit(130);
    void runner?.stop();
    void finish(130);
  });
}
