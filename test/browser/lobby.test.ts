/**
 * The lobby (issue 14, protocol.md 13.1) against the real Prosody and its lobby stand-in: a moderator switches
 * it on, knockers are refused with MEMBERS_ONLY_ERROR and wait in the lobby room, the moderator sees them,
 * chats with them, admits one (who joins the main room), refuses another (CONFERENCE_ACCESS_DENIED), and
 * switching the lobby off lets the last one in. Non-moderators get the server's refusal or nothing happens.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { IqError } from '../../src/xmpp/StanzaRouter.js';
import { backendEndpoints, uniqueRoomName } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, joinedClient, leaveAll, newConnection, nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const ERR = JitsiMeetJS.errors.conference;

const knockers: JitsiConference[] = [];

afterEach(async () => {
  await Promise.all(knockers.splice(0).map((k) => k.leave().catch(() => undefined)));
  await leaveAll();
  await disconnectAll();
});

/** A client whose join the members-only room refuses; resolves with the lobby JID it was given. */
async function knocker(room: string): Promise<{ conference: JitsiConference; lobbyJid: unknown }> {
  const connection = newConnection(await connectionOptions('websocket'));
  await establish(connection);
  const conference = connection.initJitsiConference(room, {});
  knockers.push(conference);
  const failed = nextEvent<[string, unknown, unknown]>(conference, C.CONFERENCE_FAILED);
  conference.join();
  const [error, lobbyJid, waitingForHost] = await failed;
  expect(error).to.equal(ERR.MEMBERS_ONLY_ERROR);
  expect(waitingForHost).to.equal(false);
  return { conference, lobbyJid };
}

/** A moderator and a participant in a room whose lobby the moderator switched on. */
async function roomWithLobby(prefix: string): Promise<{ room: string; a: JitsiConference; b: JitsiConference }> {
  const room = uniqueRoomName(prefix);
  const { conference: a } = await joinedClient(room);
  const { conference: b } = await joinedClient(room);
  await until(() => a.isModerator() && !b.isModerator() && a.getParticipants().length === 1, 'A moderator, B participant');
  const onAtB = nextEvent<[boolean]>(b, C.MEMBERS_ONLY_CHANGED);
  await a.enableLobby();
  expect((await onAtB)[0]).to.equal(true);
  await until(() => a.isMembersOnly(), 'members-only at A');
  return { room, a, b };
}

describe('JitsiConference: lobby', () => {
  it('revokeOwner() in a members-only room leaves the person a member, still in the room (lib-jitsi-meet\'s rule)', async () => {
    const { a, b } = await roomWithLobby('lobby-revoke');
    const bId = b.myUserId();
    await a.grantOwner(bId);
    await until(() => b.isModerator() && a.getParticipantById(bId)?.isModerator() === true, 'B made moderator');
    const left = record(a, C.USER_LEFT);
    await a.revokeOwner(bId);
    await until(() => !b.isModerator() && a.getParticipantById(bId)?.getRole() === 'participant', 'B participant again');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.isJoined(), 'B is still in the room').to.equal(true);
    expect(left).to.deep.equal([]);
    expect(a.getParticipantById(bId)?.getAffiliation()).to.equal('member');
  });

  it('is supported here; a participant\'s enableLobby() gets the server\'s forbidden; the moderator\'s switches members-only on and keeps everyone in', async () => {
    const room = uniqueRoomName('lobby-on');
    const { conference: a } = await joinedClient(room);
    const { conference: b } = await joinedClient(room);
    await until(() => a.isModerator() && a.getParticipants().length === 1, 'A moderator with B');
    expect(a.isLobbySupported()).to.equal(true);
    expect(a.isMembersOnly()).to.equal(false);

    const refusal = await b.enableLobby().then(() => undefined, (error: unknown) => error);
    expect(refusal).to.be.instanceOf(IqError);
    expect((refusal as IqError).condition).to.equal('forbidden');
    expect(b.isMembersOnly()).to.equal(false);

    const onAtA = nextEvent<[boolean]>(a, C.MEMBERS_ONLY_CHANGED);
    const onAtB = nextEvent<[boolean]>(b, C.MEMBERS_ONLY_CHANGED);
    const left = record(b, C.USER_LEFT);
    await a.enableLobby();
    expect((await onAtA)[0]).to.equal(true);
    expect((await onAtB)[0]).to.equal(true);
    expect(b.isMembersOnly()).to.equal(true);
    // B was made a member first, so the members-only switch did not remove it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.isJoined()).to.equal(true);
    expect(left).to.deep.equal([]);
    // Enabling an enabled lobby is a no-op.
    await a.enableLobby();
  });

  it('a knocker waits with its name and e-mail, chats, is ignored by a participant\'s approve, and the moderator\'s approve brings it into the main room', async () => {
    const { room, a, b } = await roomWithLobby('lobby-admit');
    const endpoints = await backendEndpoints();
    const { conference: k, lobbyJid } = await knocker(room);
    expect(lobbyJid).to.equal(`${room}@lobby.${endpoints.domain}`);
    expect(k.myLobbyUserId()).to.equal(undefined);

    const seen = nextEvent<[string, string | undefined, unknown]>(a, C.LOBBY_USER_JOINED);
    const updated = nextEvent<[string, { email?: string }]>(a, C.LOBBY_USER_UPDATED);
    const notSeenByB = record(b, C.LOBBY_USER_JOINED);
    await k.joinLobby('Kim', 'kim@example.org');
    const id = k.myLobbyUserId();
    expect(id).to.match(/^[0-9a-f]{8}$/);
    const [seenId, name] = await seen;
    expect(seenId).to.equal(id);
    expect(name).to.equal('Kim');
    expect(await updated).to.deep.equal([id, { email: 'kim@example.org' }]);

    // Lobby chat both ways (the knocker to everyone who may hear it, the moderator privately back).
    const atModerator = new Promise<[Record<string, unknown>, string]>((resolve) => a.addLobbyMessageListener((message, from) => resolve([message, from])));
    k.sendLobbyMessage({ type: 'LOBBY_CHAT_MESSAGE', message: 'may I?' });
    const [question, from] = await atModerator;
    expect(question).to.deep.equal({ type: 'LOBBY_CHAT_MESSAGE', message: 'may I?' });
    expect(from).to.equal(id);
    const atKnocker = new Promise<[Record<string, unknown>, string]>((resolve) => k.addLobbyMessageListener((message, sender) => resolve([message, sender])));
    const ignored = (): void => {
      throw new Error('a removed lobby listener was called');
    };
    k.removeLobbyMessageHandler(k.addLobbyMessageListener(ignored));
    a.sendLobbyMessage({ type: 'LOBBY_CHAT_MESSAGE', message: 'one moment' }, id);
    const [answer, sender] = await atKnocker;
    expect(answer).to.deep.equal({ type: 'LOBBY_CHAT_MESSAGE', message: 'one moment' });
    expect(sender).to.equal(a.myLobbyUserId());

    // A participant cannot admit: nothing happens (lib-jitsi-meet checks the role; the server would refuse too).
    b.lobbyApproveAccess(id ?? '');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(k.isJoined()).to.equal(false);
    expect(notSeenByB).to.deep.equal([]);

    const joined = nextEvent(k, C.CONFERENCE_JOINED, 15_000);
    const gone = nextEvent<[string]>(a, C.LOBBY_USER_LEFT, 15_000);
    const granted = nextEventWhere<[JitsiParticipant, Record<string, unknown>]>(b, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.event === 'LOBBY-ACCESS-GRANTED', 15_000);
    const arrived = nextEvent<[string]>(a, C.USER_JOINED, 15_000);
    a.lobbyApproveAccess(id ?? '');
    await joined;
    expect((await gone)[0]).to.equal(id);
    expect((await arrived)[0]).to.equal(k.myUserId());
    const [actor, payload] = await granted;
    expect(actor.getId()).to.equal(a.myUserId());
    expect(payload).to.deep.equal({ type: 'lobby-notify', event: 'LOBBY-ACCESS-GRANTED', value: `${String(lobbyJid)}/${String(id)}`, name: 'Kim' });
    await until(() => k.myLobbyUserId() === undefined, 'the admitted knocker to leave the lobby');
    await until(() => k.isMembersOnly(), 'the admitted knocker to read members-only from the room');
  });

  it('a refused knocker gets CONFERENCE_ACCESS_DENIED; a participant\'s deny does nothing', async () => {
    const { room, a, b } = await roomWithLobby('lobby-deny');
    const { conference: k } = await knocker(room);
    const seen = nextEvent<[string]>(a, C.LOBBY_USER_JOINED);
    await k.joinLobby('Dana');
    const [id] = await seen;

    b.lobbyDenyAccess(id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(k.myLobbyUserId()).to.equal(id);

    const denied = nextEvent<[string]>(k, C.CONFERENCE_FAILED);
    const gone = nextEvent<[string]>(a, C.LOBBY_USER_LEFT);
    const notice = nextEventWhere<[JitsiParticipant, Record<string, unknown>]>(b, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => payload.event === 'LOBBY-ACCESS-DENIED');
    a.lobbyDenyAccess(id);
    expect((await denied)[0]).to.equal(ERR.CONFERENCE_ACCESS_DENIED);
    expect((await gone)[0]).to.equal(id);
    expect((await notice)[1]).to.include({ type: 'lobby-notify', event: 'LOBBY-ACCESS-DENIED', name: 'Dana' });
    expect(k.isJoined()).to.equal(false);
  });

  it('switching the lobby off lets the waiting knocker in; a participant\'s disableLobby() does nothing', async () => {
    const { room, a, b } = await roomWithLobby('lobby-off');
    const { conference: k } = await knocker(room);
    const seen = nextEvent<[string]>(a, C.LOBBY_USER_JOINED);
    await k.joinLobby('Eve');
    const [id] = await seen;

    b.disableLobby();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(a.isMembersOnly()).to.equal(true);

    const off = nextEvent<[boolean]>(a, C.MEMBERS_ONLY_CHANGED);
    const joined = nextEvent(k, C.CONFERENCE_JOINED, 15_000);
    const gone = nextEvent<[string]>(a, C.LOBBY_USER_LEFT);
    a.disableLobby();
    expect((await off)[0]).to.equal(false);
    expect((await gone)[0]).to.equal(id);
    await joined;
    await until(() => a.getParticipants().length === 2, 'A to see B and the former knocker');
  });

  it('a knocker whose meeting ends (everyone left) gets CONFERENCE_DESTROYED', async () => {
    const { room, a, b } = await roomWithLobby('lobby-gone');
    const { conference: k } = await knocker(room);
    const seen = nextEvent<[string]>(a, C.LOBBY_USER_JOINED);
    await k.joinLobby('Finn');
    await seen;
    const failed = nextEvent<[string, unknown]>(k, C.CONFERENCE_FAILED, 15_000);
    await Promise.all([a.leave(), b.leave()]);
    const [error, reason] = await failed;
    expect(error).to.equal(ERR.CONFERENCE_DESTROYED);
    expect(reason).to.be.a('string');
    expect(k.myLobbyUserId()).to.equal(undefined);
  });

  it('joinLobby() without a lobby to join rejects', async () => {
    const room = uniqueRoomName('lobby-none');
    const { conference: a } = await joinedClient(room);
    const error = await a.joinLobby('Nobody').then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).to.equal('Missing lobbyRoomJid, cannot join lobby room.');
  });
});
