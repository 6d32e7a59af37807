/**
 * The local backend's fault injection, with plain strophe.js: the relay in front of Prosody's http port
 * (cut, black hole), a Prosody restart that the focus stand-in survives, and XEP-0198 resumption of an
 * ANONYMOUS session, which works only because the client names the session in `?previd=` and our
 * Prosody auth plugin (test/backend/prosody-plugins) keeps that session's username.
 */
import { expect } from '@open-wc/testing';
import { $iq, $msg, MemoryStorageBackend, Strophe, type ConnectionOptions } from 'strophe.js';
import {
  backendEndpoints,
  relayBlackhole,
  relayCut,
  relayRestore,
  relayStats,
  restartProsody,
  uniqueRoomName,
  type BackendEndpoints,
} from '../helpers/backend.js';
import { waitFor } from '../helpers/events.js';
import { conferenceRequest } from '../helpers/strophe.js';

type Connection = InstanceType<typeof Strophe.Connection>;

const NS_FOCUS = 'http://jitsi.org/protocol/focus';
const NS_PING = 'urn:xmpp:ping';

Strophe.setLogLevel(Strophe.LogLevel.FATAL);

const open: Connection[] = [];

/** Records every status a connection reports; `next(status)` resolves at the next one of that kind. */
class StatusLog {
  readonly seen: number[] = [];
  private waiters: { status: number; deliver: () => void }[] = [];

  readonly callback = (status: number): void => {
    this.seen.push(status);
    for (const waiter of this.waiters.filter((w) => w.status === status)) waiter.deliver();
    this.waiters = this.waiters.filter((w) => w.status !== status);
  };

  next(status: number, what: string, timeoutMs = 10_000): Promise<void> {
    return waitFor<void>(what, (deliver) => {
      const waiter = { status, deliver: () => deliver(undefined) };
      this.waiters.push(waiter);
      return () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
    }, timeoutMs);
  }
}

/** Connects and resolves on CONNECTED; any failure first rejects. */
function connectWith(connection: Connection, jid: string, password: string, log: StatusLog): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.connect(jid, password, (status: number, condition?: string | null) => {
      log.callback(status);
      if (status === Strophe.Status.CONNECTED) resolve();
      else if (status === Strophe.Status.AUTHFAIL) reject(new Error(`authfail ${condition ?? ''}`));
      else if (status === Strophe.Status.CONNFAIL) reject(new Error(`connfail ${condition ?? ''}`));
      else if (status === Strophe.Status.DISCONNECTED) reject(new Error('disconnected'));
    });
  });
}

async function connect(
  service: string,
  jid: string,
  password = '',
  options: ConnectionOptions = {},
): Promise<{ connection: Connection; log: StatusLog }> {
  const connection = new Strophe.Connection(service, options);
  open.push(connection);
  const log = new StatusLog();
  await connectWith(connection, jid, password, log);
  return { connection, log };
}

function sendIQ(connection: Connection, iq: ReturnType<typeof $iq>, timeoutMs = 10_000): Promise<Element> {
  return new Promise((resolve, reject) => {
    connection.sendIQ(
      iq,
      resolve,
      (error) => reject(new Error(error ? `IQ error: ${error.outerHTML}` : 'IQ timeout')),
      timeoutMs,
    );
  });
}

const ping = (connection: Connection, to: string, timeoutMs?: number): Promise<Element> =>
  sendIQ(connection, $iq({ type: 'get', to }).c('ping', { xmlns: NS_PING }), timeoutMs);


/**
 * strophe.js 5 keeps the XEP-0198 engine on `connection.sm` (`sm.state.id` is the SM id sent as previd), but
 * its published types lose that member's type, so this is the slice the tests read.
 */
interface StreamManagementView {
  state: { id: string | null; resumeSupported: boolean };
  hasResumableState(): boolean;
}
const streamManagement = (connection: Connection): StreamManagementView | undefined =>
  (connection as unknown as { sm?: StreamManagementView }).sm;

/** Resolves when `condition` holds, polling. */
async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A message handler that collects bodies (handlers must be re-added after a disconnect: strophe drops them). */
function collectBodies(connection: Connection, bodies: string[]): void {
  connection.addHandler(
    (message) => {
      const body = message.getElementsByTagName('body')[0]?.textContent;
      if (body) bodies.push(body);
      return true;
    },
    null,
    'message',
    null,
    null,
    null,
  );
}

/** A stream-managed websocket connection through the relay, logged in anonymously, SM enabled. */
async function smConnection(endpoints: BackendEndpoints): Promise<{ connection: Connection; log: StatusLog; jid: string; smId: string }> {
  const result = await connect(endpoints.relay.websocketUrl, endpoints.domain, '', {
    enableStreamManagement: true,
    // Per connection: the default sessionStorage backend would share state between connections of one page.
    streamManagement: { storage: new MemoryStorageBackend() },
  });
  const { connection } = result;
  await until('stream management enabled', () => connection.isStreamManagementEnabled());
  const smId = streamManagement(connection)?.state.id ?? '';
  expect(smId, 'SM id').to.not.equal('');
  expect(streamManagement(connection)?.state.resumeSupported, 'resumable').to.equal(true);
  return { ...result, jid: connection.jid ?? '', smId };
}

afterEach(async () => {
  // A failed test must not leave the relay black-holing for the next one.
  await relayRestore();
  for (const connection of open.splice(0)) connection.disconnect('test done');
});

describe('backend fault injection: relay', () => {
  let endpoints: BackendEndpoints;
  before(async () => {
    endpoints = await backendEndpoints();
  });

  it('exposes relay endpoints on another port with the same paths', () => {
    expect(endpoints.relay.httpPort).to.not.equal(endpoints.httpPort);
    expect(endpoints.relay.websocketUrl).to.equal(`ws://127.0.0.1:${endpoints.relay.httpPort}/xmpp-websocket`);
    expect(endpoints.relay.boshUrl).to.equal(`http://127.0.0.1:${endpoints.relay.httpPort}/http-bind`);
  });

  it('drops a websocket connection made through the relay when relayCut() is called', async () => {
    const before = await relayStats();
    const { connection, log } = await connect(endpoints.relay.websocketUrl, endpoints.domain);
    await ping(connection, endpoints.domain);
    const during = await relayStats();
    expect(during.accepted).to.equal(before.accepted + 1);
    expect(during.open).to.be.greaterThan(0);

    const disconnected = log.next(Strophe.Status.DISCONNECTED, 'DISCONNECTED after the cut', 5000);
    const after = await relayCut();
    await disconnected;
    expect(after.open).to.equal(0);
    expect(after.cut).to.be.greaterThan(before.cut);
    expect(connection.connected).to.equal(false);

    // The relay keeps accepting: a new login through it works.
    const again = await connect(endpoints.relay.websocketUrl, endpoints.domain);
    await ping(again.connection, endpoints.domain);
  });

  it('black-holes a connection (no answer, no close) until it is restored for new connections', async () => {
    const { connection, log } = await connect(endpoints.relay.websocketUrl, endpoints.domain);
    await ping(connection, endpoints.domain);
    const stats = await relayBlackhole();
    expect(stats.blackholing).to.equal(true);
    expect(stats.blackholed).to.be.greaterThan(0);

    let failure: Error | undefined;
    await ping(connection, endpoints.domain, 1500).catch((error: Error) => {
      failure = error;
    });
    expect(failure?.message).to.equal('IQ timeout');
    expect(log.seen).to.not.include(Strophe.Status.DISCONNECTED);
    expect(connection.connected).to.equal(true);

    await relayRestore();
    const fresh = await connect(endpoints.relay.websocketUrl, endpoints.domain);
    await ping(fresh.connection, endpoints.domain);
  });
});

describe('backend fault injection: Prosody restart', () => {
  it('drops sessions; afterwards logins work and the focus stand-in answers again', async () => {
    const endpoints = await backendEndpoints();
    const roomBefore = `${uniqueRoomName('restart')}@${endpoints.mucDomain}`;
    const { connection: old, log } = await connect(endpoints.websocketUrl, endpoints.domain);
    await conferenceRequest(old, endpoints.focusAddress, roomBefore);
    const dropped = log.next(Strophe.Status.DISCONNECTED, 'DISCONNECTED by the restart', 15_000);

    await restartProsody();
    await dropped;

    for (const service of [endpoints.websocketUrl, endpoints.boshUrl, endpoints.relay.websocketUrl]) {
      const { connection } = await connect(service, endpoints.domain);
      expect(Strophe.getDomainFromJid(connection.jid ?? '')).to.equal(endpoints.domain);
      const roomJid = `${uniqueRoomName('restart')}@${endpoints.mucDomain}`;
      const result = await conferenceRequest(connection, endpoints.focusAddress, roomJid);
      const conference = result.getElementsByTagNameNS(NS_FOCUS, 'conference')[0];
      expect(conference?.getAttribute('ready')).to.equal('true');
      expect(conference?.getAttribute('room')).to.equal(roomJid);
    }
    // The room that existed before the restart is created afresh, not taken from stale state.
    const { connection } = await connect(endpoints.websocketUrl, endpoints.domain);
    const again = await conferenceRequest(connection, endpoints.focusAddress, roomBefore);
    expect(again.getElementsByTagNameNS(NS_FOCUS, 'conference')[0]?.getAttribute('ready')).to.equal('true');
    // Registered users survive (same data directory).
    const { testUser } = endpoints;
    const user = await connect(endpoints.websocketUrl, testUser.jid, testUser.password);
    expect(Strophe.getBareJidFromJid(user.connection.jid ?? '')).to.equal(testUser.jid);
  });
});

describe('backend fault injection: anonymous XEP-0198 resumption', () => {
  let endpoints: BackendEndpoints;
  before(async () => {
    endpoints = await backendEndpoints();
  });

  it('resumes the same anonymous session when the websocket URL carries ?previd=<sm id>', async () => {
    const { connection, log, jid, smId } = await smConnection(endpoints);
    expect(connection.hasResumed()).to.equal(false);

    const disconnected = log.next(Strophe.Status.DISCONNECTED, 'DISCONNECTED after the cut', 5000);
    await relayCut();
    await disconnected;

    // While the session hibernates, a message for it is queued by Prosody and delivered on resumption.
    const { connection: sender } = await connect(endpoints.websocketUrl, endpoints.domain);
    sender.send($msg({ to: jid, type: 'chat' }).c('body').t('while you were away'));
    await ping(sender, endpoints.domain);

    const bodies: string[] = [];
    collectBodies(connection, bodies);
    connection.service = `${endpoints.relay.websocketUrl}?previd=${encodeURIComponent(smId)}`;
    await connectWith(connection, endpoints.domain, '', log);

    expect(connection.hasResumed()).to.equal(true);
    expect(connection.jid).to.equal(jid);
    await until('the queued message', () => bodies.includes('while you were away'), 5000);
    // The resumed stream is alive.
    await ping(connection, endpoints.domain);
  });

  it('does not resume without ?previd= (a fresh anonymous user instead): the plugin is what makes it work', async () => {
    const { connection, log, jid } = await smConnection(endpoints);

    const disconnected = log.next(Strophe.Status.DISCONNECTED, 'DISCONNECTED after the cut', 5000);
    await relayCut();
    await disconnected;

    // Same resumable state in strophe, same URL as before: <resume/> is sent and refused.
    expect(streamManagement(connection)?.hasResumableState()).to.equal(true);
    connection.service = endpoints.relay.websocketUrl;
    await connectWith(connection, endpoints.domain, '', log);

    expect(connection.hasResumed()).to.equal(false);
    expect(connection.jid).to.not.equal(jid);
    expect(Strophe.getNodeFromJid(connection.jid ?? '')).to.not.equal(Strophe.getNodeFromJid(jid));
    await ping(connection, endpoints.domain);
  });

  it('does not resume with a previd that names no session', async () => {
    const { connection, log, jid } = await smConnection(endpoints);
    const disconnected = log.next(Strophe.Status.DISCONNECTED, 'DISCONNECTED after the cut', 5000);
    await relayCut();
    await disconnected;
    connection.service = `${endpoints.relay.websocketUrl}?previd=no-such-session`;
    await connectWith(connection, endpoints.domain, '', log);
    expect(connection.hasResumed()).to.equal(false);
    expect(connection.jid).to.not.equal(jid);
  });
});
