/** A plain strophe.js client for tests: the "other side" of the engine under test. */
import { $iq, Strophe } from 'strophe.js';

export type RawConnection = InstanceType<typeof Strophe.Connection>;

Strophe.setLogLevel(Strophe.LogLevel.WARN);

const open: RawConnection[] = [];

/** Logs in with plain strophe.js; rejects on AUTHFAIL, CONNFAIL or DISCONNECTED. */
export function rawConnect(service: string, jid: string, password = ''): Promise<RawConnection> {
  const connection = new Strophe.Connection(service);
  open.push(connection);
  return new Promise((resolve, reject) => {
    connection.connect(jid, password, (status: number, condition?: string | null) => {
      if (status === Strophe.Status.CONNECTED) resolve(connection);
      else if (status === Strophe.Status.AUTHFAIL) reject(new Error(`authfail ${condition ?? ''}`));
      else if (status === Strophe.Status.CONNFAIL) reject(new Error(`connfail ${condition ?? ''}`));
      else if (status === Strophe.Status.DISCONNECTED) reject(new Error('disconnected'));
    });
  });
}

/** Disconnects every raw connection opened so far (call from afterEach). */
export function closeRawConnections(): void {
  for (const connection of open.splice(0)) connection.disconnect('test done');
}

export class RawIqError extends Error {
  constructor(readonly stanza: Element) {
    super(`IQ error: ${stanza.outerHTML}`);
  }
}

export function rawSendIQ(connection: RawConnection, iq: ReturnType<typeof $iq>, timeoutMs = 10_000): Promise<Element> {
  return new Promise((resolve, reject) => {
    connection.sendIQ(iq, resolve, (error) => reject(error ? new RawIqError(error) : new Error('IQ timeout')), timeoutMs);
  });
}

/** The conference request to the focus (protocol.md 3.1). */
export function conferenceRequest(connection: RawConnection, focusAddress: string, roomJid: string): Promise<Element> {
  return rawSendIQ(
    connection,
    $iq({ type: 'set', to: focusAddress }).c('conference', {
      xmlns: 'http://jitsi.org/protocol/focus',
      room: roomJid,
      'machine-uid': crypto.randomUUID().replaceAll('-', ''),
    }),
  );
}
