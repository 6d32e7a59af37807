/**
 * Proves the pieces of the local backend with plain strophe.js (no engine yet): the real Prosody over
 * websocket and BOSH, SASL ANONYMOUS and password logins, the conference request to the focus stand-in
 * (protocol.md 3.1), and the MUC join that sees the focus occupant (protocol.md 4.2, 4.4).
 */
import { expect } from '@open-wc/testing';
import { $iq, $pres, Strophe } from 'strophe.js';
import { backendEndpoints, uniqueRoomName, type BackendEndpoints } from '../helpers/backend.js';
import { waitFor } from '../helpers/events.js';
import { closeRawConnections, conferenceRequest, rawConnect, rawJoinRoom, rawSendIQ, type RawConnection, type RawIqError } from '../helpers/strophe.js';

type Connection = RawConnection;

const NS_FOCUS = 'http://jitsi.org/protocol/focus';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

const connect = rawConnect;
type IqError = RawIqError;


interface Occupant {
  nick: string;
  jid: string | null;
  affiliation: string | null;
  statuses: string[];
  type: string | null;
  error: string | null;
}

function parsePresence(presence: Element): Occupant {
  const from = presence.getAttribute('from') ?? '';
  const x = [...presence.getElementsByTagNameNS(NS_MUC_USER, 'x')][0];
  const item = x?.getElementsByTagName('item')[0];
  const error = presence.getElementsByTagName('error')[0];
  return {
    nick: from.slice(from.indexOf('/') + 1),
    jid: item?.getAttribute('jid') ?? null,
    affiliation: item?.getAttribute('affiliation') ?? null,
    statuses: [...(x?.getElementsByTagName('status') ?? [])].map((s) => s.getAttribute('code') ?? ''),
    type: presence.getAttribute('type'),
    error: error?.firstElementChild?.localName ?? null,
  };
}

/** Sends the join presence and collects room presences until our own (status 110) or an error. */
async function joinRoom(connection: Connection, roomJid: string, nick: string): Promise<Occupant[]> {
  return (await rawJoinRoom(connection, roomJid, nick)).presences.map(parsePresence);
}

const randomNick = (): string => Math.random().toString(16).slice(2, 10).padEnd(8, '0');

afterEach(() => closeRawConnections());

for (const transport of ['websocket', 'BOSH'] as const) {
  describe(`local backend over ${transport}`, () => {
    let endpoints: BackendEndpoints;
    let service: string;
    before(async () => {
      endpoints = await backendEndpoints();
      service = transport === 'websocket' ? endpoints.websocketUrl : endpoints.boshUrl;
    });

    it('logs in anonymously on the main domain', async () => {
      const connection = await connect(service, endpoints.domain);
      const jid = connection.jid ?? '';
      expect(Strophe.getDomainFromJid(jid)).to.equal(endpoints.domain);
      expect(Strophe.getNodeFromJid(jid)).to.match(/^[\w-]+$/);
    });

    it('refuses a room join before the conference request (restricted room creation)', async () => {
      const connection = await connect(service, endpoints.domain);
      const roomJid = `${uniqueRoomName()}@${endpoints.mucDomain}`;
      const presences = await joinRoom(connection, roomJid, randomNick());
      expect(presences.at(-1)?.type).to.equal('error');
      expect(presences.at(-1)?.error).to.equal('not-allowed');
    });

    it('gets ready="true" from the focus, joins the MUC, sees the focus and becomes owner', async () => {
      const connection = await connect(service, endpoints.domain);
      const roomJid = `${uniqueRoomName()}@${endpoints.mucDomain}`;
      const result = await conferenceRequest(connection, endpoints.focusAddress, roomJid);
      const conference = result.getElementsByTagNameNS(NS_FOCUS, 'conference')[0];
      expect(result.getAttribute('type')).to.equal('result');
      expect(conference?.getAttribute('ready')).to.equal('true');
      expect(conference?.getAttribute('room')).to.equal(roomJid);
      expect(conference?.getAttribute('focusjid')).to.equal(endpoints.focusJid);

      const ownerGranted = waitFor<Occupant>('owner affiliation', (deliver) => {
        const handler = connection.addHandler((presence) => {
          const occupant = parsePresence(presence);
          if (occupant.statuses.includes('110') && occupant.affiliation === 'owner') deliver(occupant);
          return true;
        }, null, 'presence', null);
        return () => connection.deleteHandler(handler);
      });
      const nick = randomNick();
      const presences = await joinRoom(connection, roomJid, nick);
      const focus = presences.find((p) => p.nick === 'focus');
      expect(focus, 'focus occupant').to.not.equal(undefined);
      expect(focus?.jid?.startsWith(`${endpoints.focusJid}/`)).to.equal(true);
      const self = presences.at(-1);
      expect(self?.nick).to.equal(nick);
      expect(self?.jid).to.equal(connection.jid);
      await ownerGranted;
    });

    it('hands ownership to the next participant when the owner leaves', async () => {
      const first = await connect(service, endpoints.domain);
      const second = await connect(service, endpoints.domain);
      const roomJid = `${uniqueRoomName()}@${endpoints.mucDomain}`;
      await conferenceRequest(first, endpoints.focusAddress, roomJid);
      await joinRoom(first, roomJid, randomNick());
      await conferenceRequest(second, endpoints.focusAddress, roomJid);
      const secondNick = randomNick();
      const secondOwner = waitFor<Occupant>('owner for the second participant', (deliver) => {
        const handler = second.addHandler((presence) => {
          const occupant = parsePresence(presence);
          if (occupant.nick === secondNick && occupant.affiliation === 'owner') deliver(occupant);
          return true;
        }, null, 'presence', null);
        return () => second.deleteHandler(handler);
      });
      const presences = await joinRoom(second, roomJid, secondNick);
      expect(presences.at(-1)?.affiliation).to.equal('none');
      first.disconnect('leaving');
      await secondOwner;
    });

    it('logs the test user in with a password and refuses a wrong one', async () => {
      const { testUser } = endpoints;
      const connection = await connect(service, testUser.jid, testUser.password);
      expect(Strophe.getBareJidFromJid(connection.jid ?? '')).to.equal(testUser.jid);
      let failure: Error | undefined;
      await connect(service, testUser.jid, `${testUser.password}-wrong`).catch((error: Error) => {
        failure = error;
      });
      expect(failure?.message).to.match(/^authfail/);
    });
  });
}

describe('meeting-feature components', () => {
  it('the main host announces each component as a disco#info identity, and the XEP-0114 ones answer', async () => {
    const endpoints = await backendEndpoints();
    const connection = await rawConnect(endpoints.websocketUrl, endpoints.domain);
    const info = await rawSendIQ(connection, $iq({ type: 'get', to: endpoints.domain }).c('query', { xmlns: 'http://jabber.org/protocol/disco#info' }));
    const identities: Record<string, string> = {};
    for (const identity of Array.from(info.querySelectorAll('identity'))) {
      if (identity.getAttribute('category') === 'component') identities[identity.getAttribute('type') ?? ''] = identity.getAttribute('name') ?? '';
    }
    const d = endpoints.domain;
    expect(identities).to.deep.include({
      speakerstats: `speakerstats.${d}`,
      av_moderation: `avmoderation.${d}`,
      end_conference: `endconference.${d}`,
      polls: `polls.${d}`,
      room_metadata: `metadata.${d}`,
      lobbyrooms: `lobby.${d}`,
      breakout_rooms: `breakout.${d}`,
    });
    // Every XEP-0114 component is connected (an unconnected component address bounces with an error).
    for (const address of [`speakerstats.${d}`, `avmoderation.${d}`, `endconference.${d}`, `polls.${d}`]) {
      const pong = await rawSendIQ(connection, $iq({ type: 'get', to: address }).c('ping', { xmlns: 'urn:xmpp:ping' })).catch((error: RawIqError) => error.stanza);
      expect(pong.getAttribute('type'), `${address} answers ping`).to.equal('result');
    }
  });
});

describe('focus stand-in', () => {
  it('answers a malformed conference request with bad-request', async () => {
    const endpoints = await backendEndpoints();
    const connection = await connect(endpoints.websocketUrl, endpoints.domain);
    let error: Element | undefined;
    await conferenceRequest(connection, endpoints.focusAddress, 'Not A Room@elsewhere').catch((e: IqError) => {
      error = e.stanza;
    });
    expect(error?.getAttribute('type')).to.equal('error');
    expect(error?.getElementsByTagName('bad-request').length).to.equal(1);
  });

  it('leaves a room when its last participant leaves, so the room is destroyed', async () => {
    const endpoints = await backendEndpoints();
    const connection = await connect(endpoints.websocketUrl, endpoints.domain);
    const roomJid = `${uniqueRoomName()}@${endpoints.mucDomain}`;
    await conferenceRequest(connection, endpoints.focusAddress, roomJid);
    const nick = randomNick();
    await joinRoom(connection, roomJid, nick);
    connection.send($pres({ to: `${roomJid}/${nick}`, type: 'unavailable' }));
    // Once the focus is gone the room no longer exists, and joining it without a request is refused.
    const watcher = await connect(endpoints.websocketUrl, endpoints.domain);
    const refused = await waitFor<boolean>('room destruction', (deliver) => {
      let stop = false;
      void (async () => {
        while (!stop) {
          const presences = await joinRoom(watcher, roomJid, randomNick());
          const last = presences.at(-1);
          if (last?.type === 'error' && last.error === 'not-allowed') {
            deliver(true);
            return;
          }
          watcher.send($pres({ to: `${roomJid}/${last?.nick ?? ''}`, type: 'unavailable' }));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      return () => {
        stop = true;
      };
    }, 5000);
    expect(refused).to.equal(true);
  });
});
