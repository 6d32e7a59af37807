/** Engine helpers for browser tests: connections to the local backend that are cleaned up after each test. */
import JitsiMeetJS, { type JitsiConnectionOptions } from '../../src/index.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import type { ConferenceOptions, JitsiConference } from '../../src/conference/JitsiConference.js';
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

export interface Emitter {
  on(event: string, listener: never): unknown;
  off(event: string, listener: never): unknown;
}

/** Resolves with the arguments of the first `event` the emitter emits. */
export function nextEvent<A extends unknown[]>(emitter: Emitter, event: string, timeoutMs = 10_000): Promise<A> {
  return waitFor<A>(`${event}`, (deliver) => {
    const listener = (...args: unknown[]): void => deliver(args as A);
    emitter.on(event, listener as never);
    return () => emitter.off(event, listener as never);
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

/** A connected client joined to `room`: resolves once CONFERENCE_JOINED fired. `connectionExtra` adds connection options. */
export async function joinedClient(
  room: string,
  transport: Transport = 'websocket',
  config: ConferenceOptions = {},
  setup?: (conference: JitsiConference) => void,
  connectionExtra: Partial<JitsiConnectionOptions> = {},
): Promise<{ connection: JitsiConnection; conference: JitsiConference }> {
  const connection = newConnection(await connectionOptions(transport, connectionExtra));
  await establish(connection);
  const conference = connection.initJitsiConference(room, config);
  conferences.push(conference);
  setup?.(conference);
  const C = JitsiMeetJS.events.conference;
  const failed = nextEvent<unknown[]>(conference, C.CONFERENCE_FAILED, 20_000).then((args) => {
    throw new Error(`CONFERENCE_FAILED ${JSON.stringify(args)}`);
  });
  const joined = nextEvent(conference, C.CONFERENCE_JOINED, 20_000);
  conference.join();
  await Promise.race([joined, failed]);
  return { connection, conference };
}

const conferences: JitsiConference[] = [];

export async function leaveAll(): Promise<void> {
  await Promise.all(conferences.splice(0).map((conference) => conference.leave().catch(() => undefined)));
}

/** Resolves with the arguments of the first `event` whose arguments satisfy `accept`. */
export function nextEventWhere<A extends unknown[]>(emitter: Emitter, event: string, accept: (...args: A) => boolean, timeoutMs = 10_000): Promise<A> {
  return waitFor<A>(`${event} (filtered)`, (deliver) => {
    const listener = (...args: unknown[]): void => {
      if (accept(...(args as A))) deliver(args as A);
    };
    emitter.on(event, listener as never);
    return () => emitter.off(event, listener as never);
  }, timeoutMs);
}

/** Collects every emission of `event` (arguments arrays) for later assertions. */
export function record(emitter: Emitter, event: string): unknown[][] {
  const calls: unknown[][] = [];
  emitter.on(event, ((...args: unknown[]) => calls.push(args)) as never);
  return calls;
}
