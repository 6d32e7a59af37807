/** A plain strophe.js client for tests: the "other side" of the engine under test. */
import { $iq, $pres, Strophe } from 'strophe.js';
import { waitFor } from './events.js';

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

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

/** The occupant nick (resource) a presence comes from. */
export const nickOf = (presence: Element): string => {
  const from = presence.getAttribute('from') ?? '';
  return from.slice(from.indexOf('/') + 1);
};

/** The muc#user status codes of a presence. */
export const statusCodes = (presence: Element): string[] =>
  [...(presence.getElementsByTagNameNS(NS_MUC_USER, 'x')[0]?.getElementsByTagName('status') ?? [])].map(
    (status) => status.getAttribute('code') ?? '',
  );

export interface RawJoin {
  /** Every room presence received up to our own (status 110) or an error. */
  presences: Element[];
  /** Our own presence, or the error presence. */
  last: Element;
  /** performance.now() when our own presence (or the error) arrived. */
  at: number;
}

/** Sends the MUC join presence and collects the room's presences until our own (110) or an error. */
export function rawJoinRoom(connection: RawConnection, roomJid: string, nick: string): Promise<RawJoin> {
  const presences: Element[] = [];
  const done = waitFor<RawJoin>(`MUC join of ${roomJid}`, (deliver) => {
    const handler = connection.addHandler(
      (presence) => {
        presences.push(presence);
        const mine = nickOf(presence) === nick && statusCodes(presence).includes('110');
        if (presence.getAttribute('type') === 'error' || mine) {
          deliver({ presences, last: presence, at: performance.now() });
          return false;
        }
        return true;
      },
      null,
      'presence',
      null,
      null,
      roomJid,
      { matchBareFromJid: true },
    );
    return () => connection.deleteHandler(handler);
  });
  connection.send($pres({ to: `${roomJid}/${nick}` }).c('x', { xmlns: 'http://jabber.org/protocol/muc' }));
  return done;
}
