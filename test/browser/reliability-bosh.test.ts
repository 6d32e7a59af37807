/**
 * BOSH recovery from a Prosody restart (issue 16): a BOSH client is back, with a fresh login, within the
 * same 3 s bound a websocket client meets, counted from the moment Prosody listens again.
 */
import { expect } from '@open-wc/testing';
import { $iq } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConnection } from '../../src/connection/JitsiConnection.js';
import { backendEndpoints, restartProsody } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, newConnection, type Transport } from '../helpers/engine.js';
import { waitFor } from '../helpers/events.js';

const E = JitsiMeetJS.events.connection;
const BOUND_MS = 3_000;

afterEach(disconnectAll);

/** Resolves with performance.now() of the engine's next fresh login (sessionReplaced) or resume. */
function backAt(connection: JitsiConnection): Promise<number> {
  return waitFor<number>('back after the restart', (deliver) => {
    const listener = (): void => deliver(performance.now());
    connection.xmpp.engine.on('sessionReplaced', listener);
    connection.xmpp.engine.on('resumed', listener);
    return () => {
      connection.xmpp.engine.off('sessionReplaced', listener);
      connection.xmpp.engine.off('resumed', listener);
    };
  }, 30_000);
}

async function connected(transport: Transport): Promise<{ connection: JitsiConnection; failures: unknown[][] }> {
  const connection = newConnection(await connectionOptions(transport));
  await establish(connection);
  const failures: unknown[][] = [];
  connection.on(E.CONNECTION_FAILED, ((...args: unknown[]) => failures.push(args)));
  connection.on(E.CONNECTION_DISCONNECTED, ((...args: unknown[]) => failures.push(['disconnected', ...args])));
  return { connection, failures };
}

describe('BOSH recovery after a Prosody restart', () => {
  it('a BOSH client logs in afresh within 3 s of Prosody listening again, as a websocket client does', async function () {
    this.timeout(60_000);
    const endpoints = await backendEndpoints();
    const bosh = await connected('BOSH');
    const websocket = await connected('websocket');
    const boshBack = backAt(bosh.connection);
    const websocketBack = backAt(websocket.connection);
    const started = performance.now();
    await restartProsody();
    const listening = performance.now();
    const [boshAt, websocketAt] = await Promise.all([boshBack, websocketBack]);
    const boshMs = Math.round(Math.max(0, boshAt - listening));
    const websocketMs = Math.round(Math.max(0, websocketAt - listening));
    console.log(`prosody restart took ${Math.round(listening - started)} ms; back after it listened: BOSH ${boshMs} ms, websocket ${websocketMs} ms`);
    expect(boshMs, 'BOSH recovery').to.be.lessThan(BOUND_MS);
    // The websocket client resumes on protocol.md 2.5's 1.5-3 s schedule, counted from its socket closing.
    expect(websocketMs, 'websocket recovery').to.be.lessThan(BOUND_MS + 1_000);
    for (const { connection, failures } of [bosh, websocket]) {
      const pong = await connection.xmpp.engine.sendIQ($iq({ type: 'get', to: endpoints.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }));
      expect(pong.getAttribute('type')).to.equal('result');
      expect(failures).to.deep.equal([]);
      expect(connection.xmpp.engine.state).to.equal('connected');
    }
  });
});
