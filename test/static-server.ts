/** A tiny loopback HTTP server for Node-side browser checks: fixed pages, JSON routes, and files under dist/ and demo/. */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.html': 'text/html' };

export async function serveStatic(root: string, routes: Record<string, { type: string; body: string }>): Promise<StaticServer> {
  const served = [join(root, 'dist'), join(root, 'demo')];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (route) {
      response.writeHead(200, { 'content-type': route.type }).end(route.body);
      return;
    }
    const file = normalize(join(root, path));
    if (!served.some((dir) => file.startsWith(dir)) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
