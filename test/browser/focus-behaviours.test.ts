/**
 * The focus stand-in's test controls (test/backend/focus-stand-in.ts, file header), checked with plain
 * strophe.js against the running stand-in: room names starting with `standin-<control>` make it answer the
 * conference request with `ready="false"`, silence, or the errors of protocol.md 3.2, or put failures in the
 * focus presence (4.4, 4.16). Also the `session-id` of the result (3.1). Real Jicofo has no such controls;
 * they exist so that engine tests can reach those paths.
 */
import { expect } from '@open-wc/testing';
import { $iq } from 'strophe.js';
import { backendEndpoints, uniqueRoomName, type BackendEndpoints } from '../helpers/backend.js';
import { until, waitFor } from '../helpers/events.js';
import {
  closeRawConnections,
  conferenceRequest,
  rawConnect,
  rawSendIQ,
  RawIqError,
  type RawConnection,
  nickOf,
  rawJoinRoom,
  statusCodes,
  type RawJoin,
} from '../helpers/strophe.js';

const NS_FOCUS = 'http://jitsi.org/protocol/focus';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

const randomNick = (): string => Math.random().toString(16).slice(2, 10).padEnd(8, '0');

/** The `<conference>` of a result, after checking it is one. */
function conferenceOf(result: Element): Element {
  expect(result.getAttribute('type')).to.equal('result');
  const conference = result.getElementsByTagNameNS(NS_FOCUS, 'conference')[0];
  expect(conference, 'conference element').to.not.equal(undefined);
  return conference as Element;
}

/** The `<error>` child of an IQ error stanza the request was answered with (fails on a result). */
async function requestError(request: Promise<Element>): Promise<Element> {
  const outcome = await request.then(
    (result) => result,
    (error: unknown) => error,
  );
  if (!(outcome instanceof RawIqError)) {
    throw new Error(`expected an IQ error, got ${outcome instanceof Element ? outcome.outerHTML : String(outcome)}`);
  }
  expect(outcome.stanza.getAttribute('type')).to.equal('error');
  const error = [...outcome.stanza.children].find((child) => child.localName === 'error');
  expect(error, 'error element').to.not.equal(undefined);
  return error as Element;
}

/** Names of the element children of `parent`, as `namespace localName`. */
const childNames = (parent: Element): string[] =>
  [...parent.children].map((child) => `${child.namespaceURI ?? ''} ${child.localName}`);

const joined = (join: RawJoin): boolean =>
  join.last.getAttribute('type') !== 'error' && statusCodes(join.last).includes('110');
const joinError = (join: RawJoin): string | undefined =>
  join.last.getAttribute('type') === 'error'
    ? join.last.getElementsByTagName('error')[0]?.firstElementChild?.localName
    : undefined;

afterEach(() => closeRawConnections());

describe('focus stand-in test controls', () => {
  let endpoints: BackendEndpoints;
  let connection: RawConnection;
  const room = (prefix: string): string => `${uniqueRoomName(prefix)}@${endpoints.mucDomain}`;
  const request = (roomJid: string): Promise<Element> => conferenceRequest(connection, endpoints.focusAddress, roomJid);

  before(async () => {
    endpoints = await backendEndpoints();
  });
  beforeEach(async () => {
    connection = await rawConnect(endpoints.websocketUrl, endpoints.domain);
  });

  describe('session-id (protocol.md 3.1)', () => {
    it('hands out a random session id when the request carries none, with the usual properties', async () => {
      const first = conferenceOf(await request(room('plain')));
      const second = conferenceOf(await request(room('plain')));
      const id = first.getAttribute('session-id') ?? '';
      expect(id).to.match(/^[\w-]{8,}$/);
      expect(second.getAttribute('session-id')).to.not.equal(id);
      expect(first.getAttribute('ready')).to.equal('true');
      expect(first.getAttribute('focusjid')).to.equal(endpoints.focusJid);
      const properties = [...first.getElementsByTagNameNS(NS_FOCUS, 'property')].map(
        (p) => `${p.getAttribute('name') ?? ''}=${p.getAttribute('value') ?? ''}`,
      );
      // sipGatewayEnabled: the Jigasi stand-in (test/backend/features/jigasi.ts, protocol.md 13.11).
      expect(properties).to.deep.equal(['authentication=false', 'visitors-supported=false', 'sipGatewayEnabled=true']);
    });

    it('echoes the session id of the request', async () => {
      const roomJid = room('plain');
      const result = await rawSendIQ(
        connection,
        $iq({ type: 'set', to: endpoints.focusAddress }).c('conference', {
          xmlns: NS_FOCUS,
          room: roomJid,
          'machine-uid': crypto.randomUUID().replaceAll('-', ''),
          'session-id': 's-echo-123',
        }),
      );
      const conference = conferenceOf(result);
      expect(conference.getAttribute('session-id')).to.equal('s-echo-123');
      expect(conference.getAttribute('room')).to.equal(roomJid);
    });
  });

  it('standin-notready2: ready="false" twice without creating the room, then ready="true" and the room exists', async () => {
    const roomJid = room('standin-notready2');
    for (const attempt of [1, 2]) {
      const conference = conferenceOf(await request(roomJid));
      expect(conference.getAttribute('ready'), `attempt ${attempt}`).to.equal('false');
      expect(conference.getAttribute('room')).to.equal(roomJid);
      expect(conference.getAttribute('focusjid')).to.equal(endpoints.focusJid);
      expect(conference.getAttribute('session-id')).to.not.equal(null);
    }
    // Not created: only the focus may create rooms, so joining now is refused.
    const early = await rawJoinRoom(connection, roomJid, randomNick());
    expect(joinError(early)).to.equal('not-allowed');

    const third = conferenceOf(await request(roomJid));
    expect(third.getAttribute('ready')).to.equal('true');
    const join = await rawJoinRoom(connection, roomJid, randomNick());
    expect(joined(join)).to.equal(true);
    expect(join.presences.some((p) => nickOf(p) === 'focus')).to.equal(true);
  });

  it('counts notready requests per room', async () => {
    const a = room('standin-notready1');
    const b = room('standin-notready1');
    expect(conferenceOf(await request(a)).getAttribute('ready')).to.equal('false');
    expect(conferenceOf(await request(b)).getAttribute('ready')).to.equal('false');
    expect(conferenceOf(await request(a)).getAttribute('ready')).to.equal('true');
    expect(conferenceOf(await request(b)).getAttribute('ready')).to.equal('true');
  });

  it('standin-silent: the request gets no answer at all (the IQ times out)', async () => {
    const roomJid = room('standin-silent');
    const started = performance.now();
    const outcome = await rawSendIQ(
      connection,
      $iq({ type: 'set', to: endpoints.focusAddress }).c('conference', { xmlns: NS_FOCUS, room: roomJid }),
      3000,
    ).then(
      (result) => result,
      (error: unknown) => error,
    );
    expect(outcome).to.be.instanceOf(Error);
    expect(outcome).to.not.be.instanceOf(RawIqError);
    expect((outcome as Error).message).to.equal('IQ timeout');
    expect(performance.now() - started).to.be.greaterThan(2900);
    // Still connected and the focus still answers other rooms.
    expect(conferenceOf(await request(room('plain'))).getAttribute('ready')).to.equal('true');
  });

  it('standin-notauthorized: IQ error cancel/not-authorized', async () => {
    const error = await requestError(request(room('standin-notauthorized')));
    expect(error.getAttribute('type')).to.equal('cancel');
    expect(childNames(error)).to.deep.equal([`${NS_STANZAS} not-authorized`]);
  });

  it('standin-reservation: IQ error with reservation-error 403 and its text inside <error>', async () => {
    const error = await requestError(request(room('standin-reservation')));
    expect(error.getAttribute('type')).to.equal('cancel');
    expect(childNames(error)).to.have.members([
      `${NS_STANZAS} not-acceptable`,
      `${NS_STANZAS} text`,
      `${NS_FOCUS} reservation-error`,
    ]);
    const reservation = [...error.children].find((child) => child.localName === 'reservation-error');
    expect(reservation?.getAttribute('error-code')).to.equal('403');
    const text = [...error.children].find((child) => child.localName === 'text');
    expect(text?.textContent).to.equal('reservation refused by the stand-in');
  });

  it('standin-sessioninvalid2: session-invalid twice, then ready="true" and the room exists', async () => {
    const roomJid = room('standin-sessioninvalid2');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const error = await requestError(request(roomJid));
      expect(error.getAttribute('type'), `attempt ${attempt}`).to.equal('cancel');
      expect(childNames(error)).to.deep.equal([`${NS_STANZAS} not-acceptable`, `${NS_FOCUS} session-invalid`]);
    }
    expect(conferenceOf(await request(roomJid)).getAttribute('ready')).to.equal('true');
    expect(joined(await rawJoinRoom(connection, roomJid, randomNick()))).to.equal(true);
  });

  it('refuses a standin- room naming no control with bad-request', async () => {
    const error = await requestError(request(room('standin-nosuchcontrol')));
    expect(childNames(error)).to.include(`${NS_STANZAS} bad-request`);
  });

  it('standin-nobridge: the focus presence carries bridgeNotAvailable; ordinary rooms do not', async () => {
    const focusPresence = async (roomJid: string): Promise<Element> => {
      expect(conferenceOf(await request(roomJid)).getAttribute('ready')).to.equal('true');
      const join = await rawJoinRoom(connection, roomJid, randomNick());
      expect(joined(join)).to.equal(true);
      const focus = join.presences.find((p) => nickOf(p) === 'focus');
      expect(focus, 'focus presence').to.not.equal(undefined);
      return focus as Element;
    };
    const nobridge = await focusPresence(room('standin-nobridge'));
    expect(nobridge.getElementsByTagNameNS(NS_FOCUS, 'bridgeNotAvailable').length).to.equal(1);
    expect(nobridge.getElementsByTagNameNS(NS_FOCUS, 'conference-properties').length).to.equal(1);
    const plain = await focusPresence(room('plain'));
    expect(plain.getElementsByTagNameNS(NS_FOCUS, 'bridgeNotAvailable').length).to.equal(0);
  });

  it('standin-leavefocus: the focus leaves ~1.5 s after the first participant joins; the room lives on', async () => {
    const roomJid = room('standin-leavefocus');
    expect(conferenceOf(await request(roomJid)).getAttribute('ready')).to.equal('true');
    let focusLeft: ((at: number) => void) | undefined;
    const focusGone = new Promise<number>((resolve) => {
      focusLeft = resolve;
    });
    const ownUnavailable: Element[] = [];
    const nick = randomNick();
    connection.addHandler(
      (presence) => {
        if (presence.getAttribute('type') !== 'unavailable') return true;
        if (nickOf(presence) === 'focus') focusLeft?.(performance.now());
        if (nickOf(presence) === nick) ownUnavailable.push(presence);
        return true;
      },
      null,
      'presence',
      null,
      null,
      roomJid,
      { matchBareFromJid: true },
    );
    const join = await rawJoinRoom(connection, roomJid, nick);
    expect(joined(join)).to.equal(true);
    expect(join.presences.some((p) => nickOf(p) === 'focus')).to.equal(true);
    const leftAt = await waitFor<number>('the focus to leave', (deliver) => void focusGone.then(deliver), 6000);
    const delay = leftAt - join.at;
    expect(delay).to.be.within(1000, 4000);
    expect(ownUnavailable).to.deep.equal([]);

    // Nothing else destroyed: the room still exists, so a second client joins it without a conference
    // request (creating a room without the focus is refused, see the notready test).
    const second = await rawConnect(endpoints.websocketUrl, endpoints.domain);
    const secondJoin = await rawJoinRoom(second, roomJid, randomNick());
    expect(joined(secondJoin)).to.equal(true);
    expect(secondJoin.presences.map(nickOf)).to.include(nick);
    expect(secondJoin.presences.map(nickOf)).to.not.include('focus');
    expect(ownUnavailable).to.deep.equal([]);

    // Once per room: a new request brings the focus back, and this time it stays.
    let focusLeftAgain = false;
    let focusBack = false;
    connection.addHandler(
      (presence) => {
        if (nickOf(presence) !== 'focus') return true;
        if (presence.getAttribute('type') === 'unavailable') focusLeftAgain = true;
        else focusBack = true;
        return true;
      },
      null,
      'presence',
      null,
      null,
      roomJid,
      { matchBareFromJid: true },
    );
    expect(conferenceOf(await request(roomJid)).getAttribute('ready')).to.equal('true');
    await until(() => focusBack, 'the focus to rejoin', 2000);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(focusLeftAgain).to.equal(false);
  });
});
