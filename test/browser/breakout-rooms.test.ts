/**
 * Breakout rooms (issue 14, protocol.md 13.3) between real clients on the real Prosody with the breakout-rooms
 * stand-in (prosody-plugins/mod_jitsi_elements_breakout_rooms.lua), the focus stand-in and the bridge stand-in:
 * create, rename, send a participant (who moves with its media), move yourself, remove (everyone back in the
 * main room), and a participant's commands going nowhere. Sessions carry `?room=` as the jitsi-meet app sends it.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { BreakoutRoom, BreakoutRoomsUpdate } from '../../src/conference/features/BreakoutRooms.js';
import { backendEndpoints, uniqueRoomName } from '../helpers/backend.js';
import { cleanupMedia, mediaClient, untilMediaFrom, type Client } from '../helpers/bridge.js';
import { nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const ERR = JitsiMeetJS.errors.conference;

/** Conferences made by switchRoom(), left after each test. */
const switched: JitsiConference[] = [];

afterEach(async () => {
  await Promise.all(switched.splice(0).map((c) => c.leave().catch(() => undefined)));
  await cleanupMedia();
});

/** A media client whose session names `room` (`?room=`), as the jitsi-meet app connects. */
async function client(room: string): Promise<Client> {
  const { websocketUrl } = await backendEndpoints();
  return mediaClient(room, {}, 360, { serviceUrl: `${websocketUrl}?room=${room}` });
}

const breakoutRoomsOf = (update: BreakoutRoomsUpdate): BreakoutRoom[] => Object.values(update.rooms).filter((r) => !r.isMainRoom);

/**
 * What jitsi-meet does on BREAKOUT_ROOMS_MOVE_TO_ROOM (and what an application does to go back): leave with
 * `switch_room`, then a new conference for the target's node on its domain, with the same local tracks.
 */
async function switchRoom(self: Client, roomJid: string): Promise<Client> {
  await self.conference.leave('switch_room');
  const [node = '', domain] = roomJid.split('@');
  const conference = self.connection.initJitsiConference(node, { p2p: { enabled: false }, customDomain: domain });
  switched.push(conference);
  for (const track of self.local) await conference.addTrack(track);
  const joined = nextEvent(conference, C.CONFERENCE_JOINED, 20_000);
  conference.join();
  await joined;
  return { ...self, conference, id: conference.myUserId() };
}

describe('breakout rooms', function () {
  this.timeout(90_000);

  it('is supported with the rename feature; a participant’s create, rename and send go nowhere', async () => {
    const room = uniqueRoomName('bo-refuse');
    const a = await client(room);
    const b = await client(room);
    await until(() => a.conference.isModerator() && !b.conference.isModerator(), 'A moderator, B not');
    const rooms = b.conference.getBreakoutRooms();
    expect(rooms.isSupported()).to.equal(true);
    expect(rooms.getComponentAddress()).to.equal(`breakout.${(await backendEndpoints()).domain}`);
    await until(() => rooms.isFeatureSupported('rename'), 'the rename feature');
    expect(rooms.isBreakoutRoom()).to.equal(false);
    expect(rooms.getMainRoomJid()).to.equal(undefined);

    const updatesAtA = record(a.conference, C.BREAKOUT_ROOMS_UPDATED);
    const updatesAtB = record(b.conference, C.BREAKOUT_ROOMS_UPDATED);
    expect(() => rooms.createBreakoutRoom('by b')).not.to.throw();
    rooms.sendParticipantToRoom('nobody@example.com/x', `x@breakout.${(await backendEndpoints()).domain}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(updatesAtA).to.deep.equal([]);
    expect(updatesAtB).to.deep.equal([]);

    // The moderator's create reaches both.
    const atB = nextEventWhere<[BreakoutRoomsUpdate]>(b.conference, C.BREAKOUT_ROOMS_UPDATED, (u) => breakoutRoomsOf(u).length === 1);
    a.conference.getBreakoutRooms().createBreakoutRoom('Room 1');
    const [update] = await atB;
    expect(breakoutRoomsOf(update).map((r) => r.name)).to.deep.equal(['Room 1']);
    expect(update.roomCounter).to.equal(1);
  });

  it('creates and renames; sends a participant, who moves with its media; another moves itself; remove brings both back', async () => {
    const room = uniqueRoomName('bo');
    const { domain, mucDomain } = await backendEndpoints();
    const mainJid = `${room}@${mucDomain}`;
    const a = await client(room);
    let b = await client(room);
    let c = await client(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    await untilMediaFrom(a, [b, c]);
    const moderator = a.conference.getBreakoutRooms();

    // create, then rename: every occupant gets the updates.
    const created = nextEventWhere<[BreakoutRoomsUpdate]>(c.conference, C.BREAKOUT_ROOMS_UPDATED, (u) => breakoutRoomsOf(u).length === 1);
    moderator.createBreakoutRoom('Room 1');
    const [first] = await created;
    const [breakout] = breakoutRoomsOf(first);
    if (!breakout) throw new Error('no breakout room');
    expect(breakout.jid.endsWith(`@breakout.${domain}`)).to.equal(true);
    expect(first.rooms[room]?.isMainRoom).to.equal(true);
    expect(first.rooms[room]?.jid).to.equal(mainJid);
    expect(Object.keys(first.rooms[room]?.participants ?? {}).sort()).to.deep.equal([a, b, c].map((x) => `${mainJid}/${x.id}`).sort());
    const renamed = nextEventWhere<[BreakoutRoomsUpdate]>(b.conference, C.BREAKOUT_ROOMS_UPDATED, (u) => breakoutRoomsOf(u)[0]?.name === 'Group A');
    moderator.renameBreakoutRoom(breakout.jid, 'Group A');
    await renamed;
    await until(() => Object.values(moderator.getRooms()).find((r) => !r.isMainRoom)?.name === 'Group A', 'getRooms() at A to follow');

    // send B: B alone gets MOVE_TO_ROOM with the room, and moves.
    const bJid = first.rooms[room]?.participants[`${mainJid}/${b.id}`]?.jid;
    if (!bJid) throw new Error('no real JID for B');
    const movesAtC = record(c.conference, C.BREAKOUT_ROOMS_MOVE_TO_ROOM);
    const told = nextEvent<[string]>(b.conference, C.BREAKOUT_ROOMS_MOVE_TO_ROOM);
    moderator.sendParticipantToRoom(bJid, breakout.jid);
    expect((await told)[0]).to.equal(breakout.jid);
    const subject = record(b.conference, C.SUBJECT_CHANGED);
    b = await switchRoom(b, breakout.jid);
    expect(b.conference.getBreakoutRooms().isBreakoutRoom()).to.equal(true);
    await until(() => b.conference.getBreakoutRooms().getMainRoomJid() === mainJid, 'the main room from the disco form');
    await until(() => b.conference.getSubject() === 'Group A', 'the room name as subject');
    expect(subject).to.deep.equal([]);
    expect(movesAtC).to.deep.equal([]);
    await until(() => a.conference.getParticipantById(b.id) === undefined || a.conference.getParticipants().length === 1, 'B gone from the main room');

    // C moves itself; B and C meet in the breakout room with media.
    const seenByA = nextEventWhere<[BreakoutRoomsUpdate]>(a.conference, C.BREAKOUT_ROOMS_UPDATED, (u) =>
      Object.keys(breakoutRoomsOf(u)[0]?.participants ?? {}).length === 2,
    );
    c = await switchRoom(c, breakout.jid);
    await untilMediaFrom(b, [c]);
    await untilMediaFrom(c, [b]);
    const [withBoth] = await seenByA;
    expect(Object.keys(breakoutRoomsOf(withBoth)[0]?.participants ?? {}).sort()).to.deep.equal([b, c].map((x) => `${breakout.jid}/${x.id}`).sort());
    expect(Object.keys(withBoth.rooms[room]?.participants ?? {})).to.deep.equal([`${mainJid}/${a.id}`]);
    // Moderators of the main room are the breakout rooms' too; the others are not.
    expect(b.conference.isModerator()).to.equal(false);

    // remove: both get CONFERENCE_DESTROYED naming the main room, go back, and A has their media again.
    const failedB = nextEvent<[string, string, string]>(b.conference, C.CONFERENCE_FAILED);
    const failedC = nextEvent<[string, string, string]>(c.conference, C.CONFERENCE_FAILED);
    moderator.removeBreakoutRoom(breakout.jid);
    for (const failed of [failedB, failedC]) expect(await failed).to.deep.equal([ERR.CONFERENCE_DESTROYED, 'Breakout room removed.', mainJid]);
    const gone = nextEventWhere<[BreakoutRoomsUpdate]>(a.conference, C.BREAKOUT_ROOMS_UPDATED, (u) => breakoutRoomsOf(u).length === 0);
    b = await switchRoom(b, mainJid);
    c = await switchRoom(c, mainJid);
    await gone;
    expect(b.conference.getBreakoutRooms().isBreakoutRoom()).to.equal(false);
    await untilMediaFrom(a, [b, c]);
    await untilMediaFrom(b, [a, c]);
  });

  it('a moderator moves itself into a breakout room and still manages the rooms from there', async () => {
    const room = uniqueRoomName('bo-mod');
    const { mucDomain } = await backendEndpoints();
    let a = await client(room);
    const b = await client(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const created = nextEventWhere<[BreakoutRoomsUpdate]>(a.conference, C.BREAKOUT_ROOMS_UPDATED, (u) => breakoutRoomsOf(u).length === 1);
    a.conference.getBreakoutRooms().createBreakoutRoom('Room 1');
    const [breakout] = breakoutRoomsOf((await created)[0]);
    if (!breakout) throw new Error('no breakout room');
    a = await switchRoom(a, breakout.jid);
    await until(() => a.conference.isModerator(), 'A moderator in the breakout room');
    await until(() => a.conference.getBreakoutRooms().getMainRoomJid() === `${room}@${mucDomain}`, 'the main room from the disco form');
    const second = nextEventWhere<[BreakoutRoomsUpdate]>(b.conference, C.BREAKOUT_ROOMS_UPDATED, (u) => breakoutRoomsOf(u).length === 2);
    a.conference.getBreakoutRooms().createBreakoutRoom('Room 2');
    const [update] = await second;
    expect(update.roomCounter).to.equal(2);
    expect(Object.keys(update.rooms[breakout.jid.split('@')[0] ?? '']?.participants ?? {})).to.deep.equal([`${breakout.jid}/${a.id}`]);

    // end() is refused inside a breakout room (protocol.md 13.3): the main room goes on.
    const failedAtA = record(a.conference, C.CONFERENCE_FAILED);
    const failedAtB = record(b.conference, C.CONFERENCE_FAILED);
    a.conference.end();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...failedAtA, ...failedAtB]).to.deep.equal([]);
    expect(a.conference.isJoined() && b.conference.isJoined()).to.equal(true);
  });
});
