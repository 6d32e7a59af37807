/** Engine helpers for browser tests: connections to the local backend that are cleaned up after each test. */
import JitsiMeetJS, { type JitsiConnectionOptions } from '../../src/index.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import { backendEndpoints, type BackendEndpoints } from './backend.js';
import { waitFor } from './events.js';

const created: JitsiConnection[] = [];

export type Transport = 'websocket' | 'BOSH';

export async function connectionOptions(transport: Transport, extra: Partial<JitsiConnectionOptions> = {}): Promise<JitsiConnectionOptions> {
  const endpoints = await backendEndpoints();
  return {
    serviceUrl: transport === 'websocket' ? endpoints.websocketUrl : endpoints.boshUrl,
    hosts: { domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress },
    ...extra,
  };
}

export function newConnection(options: JitsiConnectionOptions, token: string | null = null): JitsiConnection {
  const connection = new JitsiMeetJS.JitsiConnection(null, token, options);
  created.push(connection);
  return connection;
}

/** Resolves with the arguments of the first `event` the connection emits. */
export function nextEvent<A extends unknown[]>(connection: JitsiConnection, event: string, timeoutMs = 10_000): Promise<A> {
  return waitFor<A>(`${event}`, (deliver) => {
    const listener = (...args: unknown[]): void => deliver(args as A);
    connection.on(event, listener);
    return () => connection.off(event, listener);
  }, timeoutMs);
}

/** Connects and waits for CONNECTION_ESTABLISHED; rejects with the failure otherwise. */
export async function establish(connection: JitsiConnection, connect: Parameters<JitsiConnection['connect']>[0] = {}): Promise<string> {
  const E = JitsiMeetJS.events.connection;
  const failed = nextEvent<unknown[]>(connection, E.CONNECTION_FAILED, 15_000).then((args) => {
    throw new Error(`CONNECTION_FAILED ${JSON.stringify(args)}`);
  });
  const established = nextEvent<[string]>(connection, E.CONNECTION_ESTABLISHED, 15_000);
  connection.connect(connect);
  const [resource] = await Promise.race([established, failed]);
  return resource;
}

export async function disconnectAll(): Promise<void> {
  await Promise.all(created.splice(0).map((connection) => connection.disconnect().catch(() => undefined)));
}

export type { BackendEndpoints };
