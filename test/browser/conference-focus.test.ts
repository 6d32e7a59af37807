/**
 * The conference request and the focus's state (issue 4, protocol.md 3.1-3.2, 4.4, 4.16), driven by the focus
 * stand-in's test controls (room names `standin-…`, see test/backend/focus-stand-in.ts).
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, joinedClient, leaveAll, newConnection, nextEvent } from '../helpers/engine.js';

const C = JitsiMeetJS.events.conference;
const ERR = JitsiMeetJS.errors.conference;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

async function failure(room: string, config = {}): Promise<unknown[]> {
  const connection = newConnection(await connectionOptions('websocket'));
  await establish(connection);
  const conference = connection.initJitsiConference(room, config);
  const failed = nextEvent<unknown[]>(conference, C.CONFERENCE_FAILED, 25_000);
  conference.join();
  return failed;
}

describe('JitsiConference: the conference request', () => {
  it('throws on a room name that is not lowercase, as lib-jitsi-meet does', async () => {
    const connection = newConnection(await connectionOptions('websocket'));
    await establish(connection);
    expect(() => connection.initJitsiConference('MyRoom', {})).to.throw(/lowercase/);
  });

  it('retries a not-ready focus with backoff and then joins', async () => {
    const started = performance.now();
    const { conference } = await joinedClient(uniqueRoomName('standin-notready2'));
    expect(conference.isJoined()).to.equal(true);
    expect(performance.now() - started).to.be.greaterThan(2500); // 1 s + 2 s of backoff
  });

  it('retries after session-invalid and then joins', async () => {
    const { conference } = await joinedClient(uniqueRoomName('standin-sessioninvalid1'));
    expect(conference.isJoined()).to.equal(true);
  });

  it('ends in CONFERENCE_FAILED(FOCUS_DISCONNECTED) when the focus never answers', async () => {
    const [error] = await failure(uniqueRoomName('standin-silent'), { testing: { focusRequestTimeout: 500 } });
    expect(error).to.equal(ERR.FOCUS_DISCONNECTED);
  });

  it('maps a join refused by restricted room creation to NOT_ALLOWED_ERROR(room-creation-restriction), after retrying', async () => {
    // Without the conference request (disableFocus, as a visitor node would) nobody creates the room.
    const connection = newConnection(await connectionOptions('websocket', { disableFocus: true }));
    await establish(connection);
    const conference = connection.initJitsiConference(uniqueRoomName('nofocus'), {});
    const failed = nextEvent<unknown[]>(conference, C.CONFERENCE_FAILED, 15_000);
    conference.join();
    expect(await failed).to.deep.equal([ERR.NOT_ALLOWED_ERROR, 'room-creation-restriction']);
  });

  it('maps not-authorized to AUTHENTICATION_REQUIRED', async () => {
    expect((await failure(uniqueRoomName('standin-notauthorized')))[0]).to.equal(ERR.AUTHENTICATION_REQUIRED);
  });

  it('maps a reservation error to RESERVATION_ERROR(code, text)', async () => {
    expect(await failure(uniqueRoomName('standin-reservation'))).to.deep.equal([ERR.RESERVATION_ERROR, '403', 'reservation refused by the stand-in']);
  });

  it('maps bridgeNotAvailable in the focus presence to VIDEOBRIDGE_NOT_AVAILABLE', async () => {
    expect((await failure(uniqueRoomName('standin-nobridge')))[0]).to.equal(ERR.VIDEOBRIDGE_NOT_AVAILABLE);
  });

  it('reports the focus leaving the room as FOCUS_LEFT', async () => {
    const { conference } = await joinedClient(uniqueRoomName('standin-leavefocus'));
    const [error] = await nextEvent<[string]>(conference, C.CONFERENCE_FAILED, 10_000);
    expect(error).to.equal(ERR.FOCUS_LEFT);
    expect(conference.isJoined()).to.equal(false);
  });

  it('passes the focus conference-properties on as PROPERTIES_CHANGED', async () => {
    let properties: Record<string, string> | undefined;
    await joinedClient(uniqueRoomName('props'), 'websocket', {}, (conference) => {
      conference.on(C.PROPERTIES_CHANGED, (p: Record<string, string>) => {
        properties = p;
      });
    });
    expect(properties?.['support-terminate-restart']).to.equal('true');
  });
});
