/**
 * End the meeting for all (protocol.md 13.4) on the real Prosody with the end_conference stand-in: a
 * moderator's end() gives everyone CONFERENCE_FAILED(CONFERENCE_DESTROYED, reason); a participant's end() is
 * sent and ignored by the component.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const ERR = JitsiMeetJS.errors.conference;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

describe('JitsiConference: end for all', function () {
  this.timeout(30_000);

  it('a participant\'s end() is ignored; a moderator\'s ends it for everyone with CONFERENCE_DESTROYED and the reason', async () => {
    const room = uniqueRoomName('endall');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    const c = await joinedClient(room);
    await until(() => a.conference.isModerator() && b.conference.getParticipants().length === 2, 'A moderator, B sees everyone');
    for (const x of [a, b, c]) expect(x.conference.isEndConferenceSupported()).to.equal(true);
    expect(b.conference.isModerator()).to.equal(false);
    const failures = [a, b, c].map((x) => record(x.conference, C.CONFERENCE_FAILED));

    b.conference.end();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(failures.flat()).to.deep.equal([]);
    for (const x of [a, b, c]) expect(x.conference.isJoined()).to.equal(true);

    const ended = [a, b, c].map((x) => nextEvent<unknown[]>(x.conference, C.CONFERENCE_FAILED));
    a.conference.end();
    for (const event of await Promise.all(ended)) {
      expect(event).to.deep.equal([ERR.CONFERENCE_DESTROYED, 'The meeting has been terminated', undefined]);
    }
    for (const x of [a, b, c]) expect(x.conference.isJoined()).to.equal(false);
  });

  it('end() after leaving sends nothing and does not throw', async () => {
    const room = uniqueRoomName('endearly');
    const a = await joinedClient(room);
    const failures = record(a.conference, C.CONFERENCE_FAILED);
    await a.conference.leave();
    a.conference.end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failures).to.deep.equal([]);
  });
});
