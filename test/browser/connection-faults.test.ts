/**
 * Recovery of JitsiConnection on the real Prosody, through the backend's fault-injecting relay (issue 3):
 * a cut socket is resumed with XEP-0198 and nothing is lost or duplicated; a black-holed link is declared
 * dead by the XMPP ping; a Prosody restart ends in a fresh login.
 */
import { expect } from '@open-wc/testing';
import { $iq, $msg, Strophe } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import { backendEndpoints, relayBlackhole, relayCut, relayRestore, restartProsody } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, newConnection } from '../helpers/engine.js';
import { until, waitFor } from '../helpers/events.js';
import { closeRawConnections, rawConnect, type RawConnection } from '../helpers/strophe.js';

const E = JitsiMeetJS.events.connection;

afterEach(async () => {
  await relayRestore();
  closeRawConnections();
  await disconnectAll();
});

async function relayedConnection(transport: 'websocket' | 'BOSH', xmppPing?: { interval: number; timeout: number; threshold: number }): Promise<JitsiConnection> {
  const endpoints = await backendEndpoints();
  const connection = newConnection(
    await connectionOptions(transport, {
      serviceUrl: transport === 'websocket' ? endpoints.relay.websocketUrl : endpoints.relay.boshUrl,
      ...(xmppPing ? { xmppPing } : {}),
    }),
  );
  await establish(connection);
  return connection;
}

/** Counts chat bodies a raw client receives, by text. */
function countBodies(peer: RawConnection): Map<string, number> {
  const seen = new Map<string, number>();
  peer.addHandler(
    (message) => {
      const body = message.getElementsByTagName('body')[0]?.textContent ?? '';
      seen.set(body, (seen.get(body) ?? 0) + 1);
      return true;
    },
    null,
    'message',
    'chat',
  );
  return seen;
}

function engineEvent(connection: JitsiConnection, event: 'resumed' | 'interrupted' | 'sessionReplaced', timeoutMs = 20_000): Promise<unknown[]> {
  return waitFor<unknown[]>(`engine ${event}`, (deliver) => {
    const listener = (...args: unknown[]): void => deliver(args);
    connection.xmpp.engine.on(event, listener);
    return () => connection.xmpp.engine.off(event, listener);
  }, timeoutMs);
}

function failOn(connection: JitsiConnection): unknown[][] {
  const failures: unknown[][] = [];
  connection.on(E.CONNECTION_FAILED, ((...args: unknown[]) => failures.push(args)));
  connection.on(E.CONNECTION_DISCONNECTED, ((...args: unknown[]) => failures.push(['disconnected', ...args])));
  return failures;
}


describe('JitsiConnection recovery', () => {
  it('resumes a cut websocket with the same JID; chat in both directions across the cut arrives exactly once', async () => {
    const endpoints = await backendEndpoints();
    const connection = await relayedConnection('websocket');
    const failures = failOn(connection);
    const jid = connection.getJid();
    await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');

    const peer = await rawConnect(endpoints.websocketUrl, endpoints.domain);
    const atPeer = countBodies(peer);
    const atUs = new Map<string, number>();
    connection.xmpp.connection.addHandler(
      (message) => {
        const body = message.getElementsByTagName('body')[0]?.textContent ?? '';
        atUs.set(body, (atUs.get(body) ?? 0) + 1);
        return true;
      },
      null,
      'message',
      'chat',
    );
    const chat = (text: string): void => connection.xmpp.connection.send($msg({ to: peer.jid ?? '', type: 'chat' }).c('body', {}, text));

    chat('before the cut');
    await until(() => atPeer.get('before the cut') === 1, 'the first message');

    const interrupted = engineEvent(connection, 'interrupted');
    const resumed = engineEvent(connection, 'resumed');
    await relayCut();
    chat('during the cut');
    await interrupted;
    chat('while resuming');
    peer.send($msg({ to: jid, type: 'chat' }).c('body', {}, 'to a hibernating session'));
    await resumed;
    chat('after the resume');
    peer.send($msg({ to: jid, type: 'chat' }).c('body', {}, 'to the resumed session'));

    await until(() => atPeer.get('after the resume') === 1 && atUs.get('to the resumed session') === 1, 'messages after the resume');
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up
    expect(Object.fromEntries(atPeer)).to.deep.equal({
      'before the cut': 1,
      'during the cut': 1,
      'while resuming': 1,
      'after the resume': 1,
    });
    expect(Object.fromEntries(atUs)).to.deep.equal({ 'to a hibernating session': 1, 'to the resumed session': 1 });
    expect(connection.getJid()).to.equal(jid);
    expect(failures).to.deep.equal([]);
    const previd = new URL(connection.xmpp.engine.stropheConnection?.service ?? 'ws://x').searchParams.get('previd');
    expect(previd).to.be.a('string').and.not.equal('');
  });

  it('resumes two anonymous connections of one page each into its own session', async () => {
    const first = await relayedConnection('websocket');
    const second = await relayedConnection('websocket');
    const jids = [first.getJid(), second.getJid()];
    for (const connection of [first, second]) {
      await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
    }
    const resumed = Promise.all([engineEvent(first, 'resumed'), engineEvent(second, 'resumed')]);
    await relayCut();
    await resumed;
    expect([first.getJid(), second.getJid()]).to.deep.equal(jids);
  });

  it('keeps an IQ sent during the cut and resolves it after the resume', async () => {
    const endpoints = await backendEndpoints();
    const connection = await relayedConnection('websocket');
    await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
    const interrupted = engineEvent(connection, 'interrupted');
    await relayCut();
    await interrupted;
    const pong = await connection.xmpp.engine.sendIQ($iq({ type: 'get', to: endpoints.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }), 15_000);
    expect(pong.getAttribute('type')).to.equal('result');
  });

  it('declares a black-holed link dead within interval x threshold + timeout, then resumes once traffic flows', async () => {
    const ping = { interval: 1000, timeout: 500, threshold: 2 };
    const connection = await relayedConnection('websocket', ping);
    const failures = failOn(connection);
    const jid = connection.getJid();
    await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
    const interrupted = engineEvent(connection, 'interrupted');
    await relayBlackhole();
    const start = performance.now();
    await interrupted;
    const elapsed = performance.now() - start;
    const bound = ping.interval * ping.threshold + ping.timeout;
    // A tick lands at most one interval after the black hole starts; allow one interval of scheduling slack.
    expect(elapsed).to.be.lessThan(bound + ping.interval);
    expect(elapsed).to.be.greaterThan(ping.timeout);
    const resumed = engineEvent(connection, 'resumed', 30_000);
    await relayRestore();
    await resumed;
    expect(connection.getJid()).to.equal(jid);
    expect(failures).to.deep.equal([]);
  });

  it('logs in afresh when Prosody restarts (the resume is refused) and keeps working', async () => {
    const endpoints = await backendEndpoints();
    const connection = await relayedConnection('websocket');
    const failures = failOn(connection);
    const oldJid = connection.getJid();
    await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
    const replaced = engineEvent(connection, 'sessionReplaced', 30_000);
    await restartProsody();
    const [previous, current] = (await replaced) as [string, string];
    expect(previous).to.equal(oldJid);
    expect(current).to.not.equal(oldJid);
    expect(connection.getJid()).to.equal(current);
    expect(Strophe.getDomainFromJid(current)).to.equal(endpoints.domain);
    const pong = await connection.xmpp.engine.sendIQ($iq({ type: 'get', to: endpoints.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }));
    expect(pong.getAttribute('type')).to.equal('result');
    expect(failures).to.deep.equal([]);
  });

  it('rides out a cut under BOSH: the next request carries the same session id (same JID, nothing fails)', async () => {
    const endpoints = await backendEndpoints();
    const connection = await relayedConnection('BOSH');
    const failures = failOn(connection);
    const jid = connection.getJid();
    await relayCut();
    const pong = await connection.xmpp.engine.sendIQ($iq({ type: 'get', to: endpoints.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }), 15_000);
    expect(pong.getAttribute('type')).to.equal('result');
    expect(connection.getJid()).to.equal(jid);
    expect(connection.xmpp.engine.state).to.equal('connected');
    expect(failures).to.deep.equal([]);
  });
});
