/**
 * JitsiConnection session features on the real Prosody (issue 3): BOSH attach (prebind), token refresh with an
 * immediate resume, an expired token ending recovery with CONNECTION_TOKEN_EXPIRED, and the websocket
 * keep-alive GET.
 */
import { expect } from '@open-wc/testing';
import { $iq, Strophe } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import { backendEndpoints, relayCut } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, newConnection, nextEvent } from '../helpers/engine.js';
import { until } from '../helpers/events.js';
import { closeRawConnections, rawConnect } from '../helpers/strophe.js';

const E = JitsiMeetJS.events.connection;

afterEach(async () => {
  closeRawConnections();
  await disconnectAll();
});

/** A JWT-shaped token with the given expiry (the local anonymous host does not validate tokens). */
function jwt(expSeconds: number): string {
  const enc = (o: object): string => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ exp: expSeconds, room: '*' })}.c2lnbmF0dXJl`;
}

const ping = (connection: ReturnType<typeof newConnection>, to: string): Promise<Element> =>
  connection.xmpp.engine.sendIQ($iq({ type: 'get', to }).c('ping', { xmlns: 'urn:xmpp:ping' }));

describe('JitsiConnection sessions', () => {
  it('attaches to a prebound BOSH session (jid, sid, rid) and uses it', async () => {
    const endpoints = await backendEndpoints();
    const prebind = await rawConnect(endpoints.boshUrl, endpoints.domain);
    const proto = (prebind as unknown as { _proto: { sid: string | null; rid: number } })._proto;
    prebind.pause(); // hand the session over: the prebinding side sends nothing more
    const session = { jid: prebind.jid ?? '', sid: proto.sid ?? '', rid: proto.rid };

    const connection = newConnection(await connectionOptions('BOSH'));
    const established = nextEvent<[string]>(connection, E.CONNECTION_ESTABLISHED);
    connection.attach(session);
    const [resource] = await established;
    expect(resource).to.equal(Strophe.getResourceFromJid(session.jid));
    expect(connection.getJid()).to.equal(session.jid);
    expect((await ping(connection, endpoints.domain)).getAttribute('type')).to.equal('result');
  });

  it('refreshToken() puts the new token in the URL and resumes the same session at once', async () => {
    const endpoints = await backendEndpoints();
    const first = jwt(Math.floor(Date.now() / 1000) + 3600);
    const second = jwt(Math.floor(Date.now() / 1000) + 7200);
    const connection = newConnection(await connectionOptions('websocket', { serviceUrl: endpoints.relay.websocketUrl }), first);
    await establish(connection);
    const jid = connection.getJid();
    await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
    const started = performance.now();
    await connection.refreshToken(second);
    expect(performance.now() - started).to.be.lessThan(3000);
    const url = new URL(connection.xmpp.engine.stropheConnection?.service ?? 'ws://x');
    expect(url.searchParams.get('token')).to.equal(second);
    expect(url.searchParams.get('previd')).to.be.a('string').and.not.equal('');
    expect(connection.getJid()).to.equal(jid);
    expect((await ping(connection, endpoints.domain)).getAttribute('type')).to.equal('result');
  });

  it('stops recovering with CONNECTION_TOKEN_EXPIRED when the link drops after the token expired', async () => {
    const endpoints = await backendEndpoints();
    const connection = newConnection(
      await connectionOptions('websocket', { serviceUrl: endpoints.relay.websocketUrl }),
      jwt(Math.floor(Date.now() / 1000) + 2),
    );
    await establish(connection);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = nextEvent(connection, E.CONNECTION_TOKEN_EXPIRED);
    await relayCut();
    await expired;
    expect(connection.xmpp.engine.state).to.equal('failed');
  });

  it('sends the websocket keep-alive GET', async () => {
    const url = `${location.origin}/__backend__/endpoints.json?keepalive=${Date.now()}`;
    const connection = newConnection(await connectionOptions('websocket', { websocketKeepAlive: 1000, websocketKeepAliveUrl: url }));
    await establish(connection);
    // The first GET goes 5 s after connecting (protocol.md 2.4).
    await until(() => performance.getEntriesByName(url).length > 0, 'the keep-alive GET', 8000);
    expect(performance.getEntriesByName(url).length).to.be.greaterThan(0);
  });
});
