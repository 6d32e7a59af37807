/** The demo server: the local backend plus Vite serving demo/, with the endpoints at /__backend__/endpoints.json. */
import { createServer, type Plugin } from 'vite';
import { configuredHttpPort, describeEndpoints, startBackend, type Backend } from '../test/backend/launcher.js';

const withBackend = !process.argv.includes('--no-backend');
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 5173;

let backend: Backend | undefined;
if (withBackend) {
  backend = await startBackend({ httpPort: configuredHttpPort() });
  process.stdout.write(`\nLocal Jitsi-like backend ready in ${backend.startupMs} ms (Prosody + focus stand-in):\n${describeEndpoints(backend.endpoints)}\n`);
}

const endpointsPlugin: Plugin = {
  name: 'jitsi-elements-demo-endpoints',
  configureServer(server) {
    server.middlewares.use('/__backend__/endpoints.json', (_request, response) => {
      if (!backend) {
        response.statusCode = 404;
        response.end('{}');
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(backend.endpoints));
    });
  },
};

const server = await createServer({
  configFile: 'vite.config.ts',
  plugins: [endpointsPlugin],
  server: { host: '127.0.0.1', port },
  logLevel: 'warn',
});
await server.listen();
const url = `${server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`}demo/`;
process.stdout.write(`\nDemo: ${url}\n(Ctrl-C stops the demo${backend ? ' and the backend' : ''})\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void Promise.allSettled([server.close(), backend?.stop()]).finally(() => process.exit(0));
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
