/**
 * `npm run backend`: start the local Jitsi-like backend, print its endpoints (add `--json` for a
 * machine-readable line), and keep it running until Ctrl-C. It includes media (the focus stand-in's Jingle
 * sessions and the bridge stand-in) unless started with `--no-jvb` (or `BACKEND_JVB=0`), and a coturn on 3478/5349
 * unless `--no-turn` (or `BACKEND_TURN=0`). Prosody's websocket and
 * BOSH listen on 127.0.0.1:5280 unless `--http-port N` (or `BACKEND_HTTP_PORT=N`) says otherwise.
 */
import { configuredHttpPort, describeEndpoints, startBackend } from './launcher.js';

const json = process.argv.includes('--json');
const backend = await startBackend({
  httpPort: configuredHttpPort(),
  debug: process.argv.includes('--debug'),
  focusLog: !json,
  ...(process.argv.includes('--no-jvb') ? { jvb: false } : {}),
  ...(process.argv.includes('--no-turn') ? { turn: false } : {}),
});
if (json) {
  process.stdout.write(`${JSON.stringify({ ...backend.endpoints, pids: backend.pids, startupMs: backend.startupMs })}\n`);
} else {
  process.stdout.write(
    `Local Jitsi-like backend ready in ${backend.startupMs} ms (Prosody + focus stand-in${backend.endpoints.bridge ? ' + bridge stand-in' : ''}${backend.endpoints.turn ? ' + coturn' : ''}):\n${describeEndpoints(backend.endpoints)}\n`,
  );
}
const shutdown = (): void => {
  void backend.stop().finally(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
process.once('SIGHUP', shutdown);
