/**
 * Moderation and room state on the real backend (issue 4): password lock/unlock through the owner form,
 * kick, ownership hand-over when the owner leaves, grantOwner/revokeOwner.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, joinedClient, leaveAll, newConnection, nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const ERR = JitsiMeetJS.errors.conference;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

describe('JitsiConference: moderation', () => {
  it('locks the room with a password: LOCK_STATE_CHANGED, PASSWORD_REQUIRED without it, join with it, unlock', async () => {
    const room = uniqueRoomName('lock');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    await until(() => a.conference.isModerator(), 'A moderator');
    const lockedAtA = nextEvent<[boolean]>(a.conference, C.LOCK_STATE_CHANGED);
    const lockedAtB = nextEvent<[boolean]>(b.conference, C.LOCK_STATE_CHANGED);
    await a.conference.lock('s3cret');
    expect((await lockedAtA)[0]).to.equal(true);
    expect((await lockedAtB)[0]).to.equal(true);
    expect(b.conference.isLocked()).to.equal(true);

    const intruder = newConnection(await connectionOptions('websocket'));
    await establish(intruder);
    const refused = intruder.initJitsiConference(room, {});
    const failed = nextEvent<[string]>(refused, C.CONFERENCE_FAILED);
    refused.join();
    expect((await failed)[0]).to.equal(ERR.PASSWORD_REQUIRED);

    const guest = newConnection(await connectionOptions('websocket'));
    await establish(guest);
    const admitted = guest.initJitsiConference(room, {});
    const joined = nextEvent(admitted, C.CONFERENCE_JOINED);
    admitted.join('s3cret');
    await joined;
    await admitted.leave();

    const unlocked = nextEvent<[boolean]>(a.conference, C.LOCK_STATE_CHANGED);
    await a.conference.unlock();
    expect((await unlocked)[0]).to.equal(false);
  });

  it('kicks a participant: KICKED for them, PARTICIPANT_KICKED and USER_LEFT for the others', async () => {
    const room = uniqueRoomName('kick');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    const c = await joinedClient(room);
    await until(() => a.conference.isModerator() && a.conference.getParticipants().length === 2, 'A moderator with two others');
    await until(() => b.conference.getParticipants().length === 2, 'B to see everyone');
    const kicked = nextEvent<[JitsiParticipant | undefined, string, boolean]>(c.conference, C.KICKED);
    const seenByB = nextEvent<[JitsiParticipant | undefined, JitsiParticipant | undefined, string]>(b.conference, C.PARTICIPANT_KICKED);
    const leftAtB = nextEvent<[string]>(b.conference, C.USER_LEFT);
    const leftEvents = record(c.conference, C.CONFERENCE_LEFT);
    await a.conference.kickParticipant(c.conference.myUserId(), 'Be nice');

    const [actor, reason] = await kicked;
    expect(actor?.getId()).to.equal(a.conference.myUserId());
    expect(reason).to.equal('Be nice');
    const [actorAtB, kickedAtB, reasonAtB] = await seenByB;
    expect(actorAtB?.getId()).to.equal(a.conference.myUserId());
    expect(kickedAtB?.getId()).to.equal(c.conference.myUserId());
    expect(reasonAtB).to.equal('Be nice');
    expect((await leftAtB)[0]).to.equal(c.conference.myUserId());
    expect(c.conference.isJoined()).to.equal(false);
    expect(leftEvents).to.deep.equal([]);
  });

  it('hands ownership to the next participant when the owner leaves; grantOwner and revokeOwner', async () => {
    const room = uniqueRoomName('owner');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    const c = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const bId = b.conference.myUserId();
    const bPromoted = nextEventWhere<[string, string]>(b.conference, C.USER_ROLE_CHANGED, (id) => id === bId);
    await a.conference.leave();
    const [id, role] = await bPromoted;
    expect([id, role]).to.deep.equal([b.conference.myUserId(), 'moderator']);
    expect(b.conference.isModerator()).to.equal(true);

    const cId = c.conference.myUserId();
    const cPromoted = nextEventWhere<[string, string]>(c.conference, C.USER_ROLE_CHANGED, (id) => id === cId);
    await b.conference.grantOwner(c.conference.myUserId());
    expect(await cPromoted).to.deep.equal([c.conference.myUserId(), 'moderator']);
    await until(() => b.conference.getParticipantById(c.conference.myUserId())?.getAffiliation() === 'owner', 'C owner at B');

    const cDemoted = nextEventWhere<[string, string]>(c.conference, C.USER_ROLE_CHANGED, (id) => id === cId);
    await b.conference.revokeOwner(c.conference.myUserId());
    expect(await cDemoted).to.deep.equal([c.conference.myUserId(), 'participant']);
    expect(c.conference.isModerator()).to.equal(false);
  });
});
