/** Unit tests with vectors for the breakout-rooms update filter (protocol.md 13.3 (c), (d)): what the server sends is checked, never trusted. */
import { expect } from '@open-wc/testing';
import { filterUpdate } from '../../../src/conference/features/BreakoutRooms.js';

const update = {
  type: 'breakout_rooms',
  event: 'features/breakout-rooms/update',
  roomCounter: 2,
  rooms: {
    myroom: {
      isMainRoom: true,
      id: 'myroom',
      jid: 'myroom@conference.example.com',
      name: 'Daily',
      participants: {
        'myroom@conference.example.com/5e6f7a8b': { jid: 'alice@example.com/r1', role: 'moderator', displayName: 'Alice' },
        'myroom@conference.example.com/rec': { jid: 'recorder@recorder.example.com/r2', role: 'participant' },
      },
    },
    '6c1f': { id: '6c1f', jid: '6c1f@breakout.example.com', name: 'Room 1', participants: {} },
  },
};

describe('breakout rooms: the update filter', () => {
  it('keeps the payload and drops participants on the hidden domain, as lib-jitsi-meet', () => {
    const out = filterUpdate(update, 'recorder.example.com');
    expect(out?.roomCounter).to.equal(2);
    expect(Object.keys(out?.rooms ?? {}).sort()).to.deep.equal(['6c1f', 'myroom']);
    expect(Object.keys(out?.rooms.myroom?.participants ?? {})).to.deep.equal(['myroom@conference.example.com/5e6f7a8b']);
    expect(out?.rooms.myroom?.participants['myroom@conference.example.com/5e6f7a8b']?.displayName).to.equal('Alice');
    expect(out?.rooms['6c1f']?.name).to.equal('Room 1');
    expect(Object.keys(filterUpdate(update, undefined)?.rooms.myroom?.participants ?? {})).to.have.length(2);
  });

  it('ignores what is malformed instead of throwing', () => {
    expect(filterUpdate({ type: 'breakout_rooms' }, undefined)).to.equal(undefined);
    expect(filterUpdate({ rooms: [] }, undefined)).to.equal(undefined);
    const out = filterUpdate(
      {
        rooms: {
          bad: { id: 1, jid: 'x@breakout.example.com' },
          nojid: { id: 'nojid' },
          ok: { id: 'ok', jid: 'ok@breakout.example.com', participants: { a: { jid: 7 }, b: null, c: { jid: 'c@example.com/1' } } },
          noparticipants: { id: 'np', jid: 'np@breakout.example.com', participants: 'none' },
        },
      },
      undefined,
    );
    expect(Object.keys(out?.rooms ?? {}).sort()).to.deep.equal(['noparticipants', 'ok']);
    expect(Object.keys(out?.rooms.ok?.participants ?? {})).to.deep.equal(['c']);
    expect(out?.rooms.noparticipants?.participants).to.deep.equal({});
  });
});
