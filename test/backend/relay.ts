/**
 * A fault-injecting TCP relay for the local backend: it listens on a free 127.0.0.1 port and forwards every
 * connection to a loopback target (Prosody's http port, which serves both `/xmpp-websocket` and
 * `/http-bind`), so tests can break the network between a client and the server on purpose:
 *
 * - `cut()`: every open client<->server pair is reset on both ends at once, like a dropped network that
 *   both sides notice. New connections are accepted and forwarded normally afterwards.
 * - `blackhole()`: from then on, bytes in both directions are silently dropped on existing AND new
 *   connections; no socket is closed (no FIN, no RST), and a close on one end is not passed to the other,
 *   so only the peers' own timeouts (XMPP pings, websocket keep-alives) can notice.
 * - `restore()`: connections accepted from then on are forwarded normally again. Connections that were
 *   black-holed STAY black-holed (dead but open) until one of their ends closes them, `cut()` or `stop()`:
 *   their byte streams have lost data, so resuming them would hand the peers a corrupt stream.
 *
 * Only loopback addresses are ever used: the relay listens on 127.0.0.1 and refuses a non-loopback target.
 * It arms no timers.
 */
import { createConnection, createServer, isIP, type Server, type Socket } from 'node:net';
import type { RelayStats } from './endpoints.js';

export type { RelayStats } from './endpoints.js';


interface Pair {
  client: Socket;
  /** Undefined for a connection accepted while black-holing: nothing is ever forwarded for it. */
  server: Socket | undefined;
  blackholed: boolean;
}

function isLoopback(host: string): boolean {
  if (host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Closes a socket at once; a connected TCP socket gets an RST so its peer sees the drop immediately. */
function kill(socket: Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

export class FaultRelay {
  private readonly pairs = new Set<Pair>();
  private accepted = 0;
  private cutCount = 0;
  private blackholing = false;
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    /** The relay's own port on 127.0.0.1. */
    readonly port: number,
    readonly targetPort: number,
    readonly targetHost: string,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a relay on a free 127.0.0.1 port forwarding to `targetHost:targetPort` (loopback only). */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultRelay> {
    if (!isLoopback(targetHost)) throw new Error(`FaultRelay forwards to loopback only, not ${targetHost}`);
    if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65_535) {
      throw new Error(`FaultRelay: bad target port ${targetPort}`);
    }
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('FaultRelay: no port'));
      });
    });
    return new FaultRelay(server, port, targetPort, targetHost);
  }

  /** Resets every open connection on both ends. Returns how many were cut. */
  cut(): number {
    const pairs = [...this.pairs];
    for (const pair of pairs) {
      this.pairs.delete(pair);
      kill(pair.client);
      kill(pair.server);
    }
    this.cutCount += pairs.length;
    return pairs.length;
  }

  /** Drops every byte, both ways, on existing and new connections, until `restore()`. Closes nothing. */
  blackhole(): void {
    this.blackholing = true;
    for (const pair of this.pairs) this.swallow(pair);
  }

  /** New connections are forwarded again; black-holed ones stay black-holed (see the header). */
  restore(): void {
    this.blackholing = false;
  }

  stats(): RelayStats {
    let blackholed = 0;
    for (const pair of this.pairs) if (pair.blackholed) blackholed++;
    return {
      open: this.pairs.size,
      accepted: this.accepted,
      blackholed,
      cut: this.cutCount,
      blackholing: this.blackholing,
    };
  }

  /** Closes the listener and every connection; resolves once the port no longer listens. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const pair of this.pairs) {
        pair.client.destroy();
        pair.server?.destroy();
      }
      this.pairs.clear();
    });
    return this.stopped;
  }

  private accept(client: Socket): void {
    if (this.stopped) {
      client.destroy();
      return;
    }
    this.accepted++;
    client.setNoDelay(true);
    const pair: Pair = { client, server: undefined, blackholed: false };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    if (this.blackholing) {
      this.swallow(pair);
      client.once('close', () => this.pairs.delete(pair));
      return;
    }
    const server = createConnection({ host: this.targetHost, port: this.targetPort });
    server.setNoDelay(true);
    server.on('error', () => undefined);
    pair.server = server;
    // Bytes the client sends before the upstream connects are buffered by server.write().
    this.forward(pair, client, server);
    this.forward(pair, server, client);
  }

  /** One direction of a forwarding pair, with backpressure. */
  private forward(pair: Pair, from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (pair.blackholed) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!pair.blackholed) from.resume();
        });
      }
    });
    from.on('end', () => {
      if (!pair.blackholed) to.end();
    });
    from.on('close', (hadError: boolean) => {
      if (pair.client.destroyed && (pair.server?.destroyed ?? true)) this.pairs.delete(pair);
      if (pair.blackholed) return;
      // A reset or failure on one leg resets the other; an orderly close is passed on as a FIN.
      if (hadError) to.destroy();
      else to.end();
    });
  }

  /** Turns a pair into a black hole: read and drop everything, pass nothing on, close nothing. */
  private swallow(pair: Pair): void {
    if (pair.blackholed) return;
    pair.blackholed = true;
    for (const socket of [pair.client, pair.server]) {
      if (!socket) continue;
      // Keep reading (and dropping), so neither kernel buffer fills and nothing looks paused.
      socket.on('data', () => undefined);
      socket.resume();
      // A leg whose own peer closes it just closes; the other leg is not told and stays open.
      socket.once('close', () => {
        if (pair.client.destroyed && (pair.server?.destroyed ?? true)) this.pairs.delete(pair);
      });
    }
  }
}
