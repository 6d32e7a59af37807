/**
 * The backend launcher: it starts a real Prosody and the focus stand-in, and nothing it starts survives
 * a stop, a Ctrl-C of the backend CLI, or a Ctrl-C of a browser test run (issue 2 acceptance).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../backend/launcher.js';
import { descendants, isAlive, waitUntil, type ProcessInfo } from './processes.js';

const tsxNode = [process.execPath, '--import', 'tsx'];

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function spawnGroup(args: string[], env: NodeJS.ProcessEnv = process.env): ReturnType<typeof spawn> & { output: () => string } {
  // detached: its own process group, which is what a terminal's Ctrl-C signals.
  const child = spawn(args[0] ?? process.execPath, args.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

function ctrlC(pid: number): void {
  process.kill(-pid, 'SIGINT');
}

describe('backend launcher', () => {
  it('starts Prosody and the focus stand-in on loopback ports, and stops both', async () => {
    const backend = await startBackend({ focusLog: false });
    try {
      assert.ok(isAlive(backend.pids.prosody), 'prosody runs');
      assert.ok(isAlive(backend.pids.focus), 'focus stand-in runs');
      assert.match(backend.endpoints.websocketUrl, /^ws:\/\/127\.0\.0\.1:\d+\/xmpp-websocket$/);
      assert.match(backend.endpoints.boshUrl, /^http:\/\/127\.0\.0\.1:\d+\/http-bind$/);
      assert.equal(backend.endpoints.focusAddress, 'focus.meet.jitsi');
      assert.equal(backend.endpoints.mucDomain, 'conference.meet.jitsi');
      assert.ok(await portOpen(backend.endpoints.httpPort));
      assert.ok(await portOpen(backend.endpoints.c2sPort));
      const response = await fetch(backend.endpoints.boshUrl.replace('/http-bind', '/http-bind'), { method: 'GET' });
      assert.equal(response.status, 200, 'mod_bosh answers GET');
    } finally {
      await backend.stop();
    }
    assert.ok(!isAlive(backend.pids.prosody), 'prosody stopped');
    assert.ok(!isAlive(backend.pids.focus), 'focus stand-in stopped');
    assert.ok(!existsSync(backend.runDir), 'run directory removed');
    assert.equal(await portOpen(backend.endpoints.httpPort), false);
  });

  it('runs two backends side by side without collisions', async () => {
    const [a, b] = await Promise.all([startBackend({ focusLog: false }), startBackend({ focusLog: false })]);
    try {
      assert.notEqual(a.endpoints.httpPort, b.endpoints.httpPort);
      assert.notEqual(a.runDir, b.runDir);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('leaves nothing behind when the backend CLI gets Ctrl-C', async () => {
    const cli = spawnGroup([...tsxNode, 'test/backend/cli.ts', '--json']);
    await waitUntil('backend endpoints on stdout', () => cli.output().includes('"websocketUrl"'), 20_000);
    const info = JSON.parse(cli.output().split('\n').find((line) => line.startsWith('{')) ?? '{}') as {
      pids: { prosody: number; focus: number };
    };
    assert.ok(isAlive(info.pids.prosody) && isAlive(info.pids.focus));
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    ctrlC(cli.pid ?? 0);
    await exited;
    await waitUntil('backend processes to end', () => !isAlive(info.pids.prosody) && !isAlive(info.pids.focus), 5000);
  });

  for (const [how, interrupt] of [
    ['Ctrl-C (SIGINT to the process group)', (pid: number) => process.kill(-pid, 'SIGINT')],
    ['SIGTERM to the runner alone', (pid: number) => process.kill(pid, 'SIGTERM')],
  ] as const) {
    it(`leaves no Prosody, focus stand-in or Chromium behind when a browser test run gets ${how}`, async () => {
      // A private TMPDIR: the backend's run directory and Chromium's profile land there.
      const tmp = mkdtempSync(join(tmpdir(), 'jitsi-elements-interrupt-'));
      after(() => rmSync(tmp, { recursive: true, force: true }));
      const run = spawnGroup([...tsxNode, 'test/browser-runner.ts', '--files', 'test/fixtures/waits.test.ts'], {
        ...process.env,
        TMPDIR: tmp,
      });
      const pid = run.pid ?? 0;
      let tree: ProcessInfo[] = [];
      const has = (pattern: RegExp): boolean => tree.some((p) => pattern.test(p.cmdline));
      await waitUntil(
        'Prosody, the focus stand-in and Chromium to run under the test run',
        () => {
          tree = descendants(pid);
          return has(/prosody/) && has(/focus-stand-in/) && has(/chromium/) && run.output().includes('Running');
        },
        60_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${run.output()}`);
      });
      tree = descendants(pid);
      const exited = new Promise((resolve) => run.once('exit', resolve));
      interrupt(pid);
      await exited;
      await waitUntil('every process of the run to end', () => tree.every((p) => !isAlive(p.pid)), 10_000).catch(
        (error: Error) => {
          const left = tree.filter((p) => isAlive(p.pid)).map((p) => `${p.pid} ${p.cmdline.slice(0, 120)}`);
          throw new Error(`${error.message}; still running:\n${left.join('\n')}`);
        },
      );
      const backendDirs = readdirSync(tmp).filter((name) => name.startsWith('jitsi-elements-backend-'));
      assert.deepEqual(backendDirs, [], 'the backend run directory is removed');
    });
  }
});
