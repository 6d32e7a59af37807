/**
 * join() again on the same JitsiConference after a failed join (issue 12, item 1), on the real Prosody: the
 * password prompt of Jitsi Meet calls `room.join(password)` on the conference whose join failed with
 * PASSWORD_REQUIRED. A join() while one is under way is refused with an InvalidStateError.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, joinedClient, leaveAll, newConnection, nextEvent, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const ERR = JitsiMeetJS.errors.conference;

const created: JitsiConference[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((conference) => conference.leave().catch(() => undefined)));
  await leaveAll();
  await disconnectAll();
});

/** A conference on a fresh connection, not joined. */
async function idleConference(room: string): Promise<JitsiConference> {
  const connection = newConnection(await connectionOptions('websocket'));
  await establish(connection);
  const conference = connection.initJitsiConference(room, {});
  created.push(conference);
  return conference;
}

/** The message of what `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => void): DOMException {
  try {
    fn();
  } catch (error) {
    return error as DOMException;
  }
  throw new Error('expected a throw');
}

describe('JitsiConference: join() again after a failed join', function () {
  this.timeout(60_000);

  it('the password prompt on ONE conference: PASSWORD_REQUIRED, a second join() refused while under way, a wrong password fails again, the right one joins', async () => {
    const room = uniqueRoomName('prompt');
    const owner = await joinedClient(room);
    await until(() => owner.conference.isModerator(), 'the owner to be moderator');
    await owner.conference.lock('s3cret');
    const seenByOwner = record(owner.conference, C.USER_JOINED);

    const conference = await idleConference(room);
    const failures = record(conference, C.CONFERENCE_FAILED);
    const joins = record(conference, C.CONFERENCE_JOINED);
    const lefts = record(conference, C.CONFERENCE_LEFT);

    let failed = nextEvent<[string]>(conference, C.CONFERENCE_FAILED);
    conference.join();
    const refused = thrown(() => conference.join('s3cret'));
    expect(refused.name).to.equal('InvalidStateError');
    expect(refused.message).to.match(/under way/);
    expect((await failed)[0]).to.equal(ERR.PASSWORD_REQUIRED);
    expect(conference.isJoined()).to.equal(false);

    failed = nextEvent<[string]>(conference, C.CONFERENCE_FAILED);
    conference.join('wrong');
    expect((await failed)[0]).to.equal(ERR.PASSWORD_REQUIRED);

    const joined = nextEvent(conference, C.CONFERENCE_JOINED);
    conference.join('s3cret');
    await joined;
    expect(conference.isJoined()).to.equal(true);
    await until(() => conference.getParticipantById(owner.conference.myUserId()) !== undefined, 'the guest to see the owner');
    await until(() => seenByOwner.length > 0, 'the owner to see the guest');
    expect(seenByOwner.map(([id]) => id)).to.deep.equal([conference.myUserId()]);
    expect(failures.map(([error]) => error)).to.deep.equal([ERR.PASSWORD_REQUIRED, ERR.PASSWORD_REQUIRED]);
    expect(joins).to.have.length(1);
    expect(lefts).to.have.length(0);
    expect(thrown(() => conference.join('s3cret')).message).to.match(/already joined/);

    await conference.leave();
    expect(lefts).to.have.length(1);
    expect(thrown(() => conference.join('s3cret')).message).to.match(/left/);
  });

  it('a refused conference request leaves the conference joinable too; leave() after a failure ends it', async () => {
    // The focus stand-in answers this room's conference request with not-authorized (protocol.md 3.2).
    const conference = await idleConference(uniqueRoomName('standin-notauthorized'));
    const failures = record(conference, C.CONFERENCE_FAILED);
    const lefts = record(conference, C.CONFERENCE_LEFT);
    for (let attempt = 1; attempt <= 2; attempt++) {
      const failed = nextEvent<[string]>(conference, C.CONFERENCE_FAILED);
      conference.join();
      expect((await failed)[0]).to.equal(ERR.AUTHENTICATION_REQUIRED);
    }
    expect(failures).to.have.length(2);
    await conference.leave();
    expect(lefts).to.have.length(1);
    expect(thrown(() => conference.join()).name).to.equal('InvalidStateError');
  });

  it('join() called from the CONFERENCE_FAILED listener itself starts the next attempt', async () => {
    const room = uniqueRoomName('prompt-sync');
    const owner = await joinedClient(room);
    await until(() => owner.conference.isModerator(), 'the owner to be moderator');
    await owner.conference.lock('pa55');
    const conference = await idleConference(room);
    conference.on(C.CONFERENCE_FAILED, () => conference.join('pa55'));
    const joined = nextEvent(conference, C.CONFERENCE_JOINED);
    conference.join();
    await joined;
    expect(conference.isJoined()).to.equal(true);
  });
});
