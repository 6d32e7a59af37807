/**
 * JitsiConference and JitsiParticipant on the real Prosody and the focus stand-in (issue 4): joining,
 * participants and their events, presence coalescing, chat and history, subject, commands, properties,
 * endpoint messages, start-muted policy, leave. Three or more clients, one of them over BOSH.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

const outboundPresences = (conference: JitsiConference): number =>
  conference.getConnection().xmpp.engine.getLogs().stanzas.filter((s) => s.direction === 'out' && s.xml.startsWith('<presence')).length;

describe('JitsiConference: joining and participants', () => {
  it('three clients (one over BOSH) join, see each other, not the focus; the first is moderator', async () => {
    const room = uniqueRoomName('conf');
    const a = await joinedClient(room, 'websocket');
    const aJoined = record(a.conference, C.USER_JOINED);
    const b = await joinedClient(room, 'BOSH');
    const c = await joinedClient(room, 'websocket');
    await until(() => aJoined.length === 2, 'A to see B and C');

    for (const [self, others] of [
      [a.conference, [b.conference, c.conference]],
      [b.conference, [a.conference, c.conference]],
      [c.conference, [a.conference, b.conference]],
    ] as const) {
      await until(() => self.getParticipants().length === 2, `${self.myUserId()} to see two participants`);
      expect(self.getParticipants().map((p) => p.getId()).sort()).to.deep.equal(others.map((o) => o.myUserId()).sort());
      expect(self.myUserId()).to.match(/^[0-9a-f]{8}$/);
      expect(self.getParticipantById('focus')).to.equal(undefined);
      expect(self.isJoined()).to.equal(true);
      expect(self.getParticipantCount()).to.equal(3);
    }
    const [id, participant] = aJoined[0] as [string, JitsiParticipant];
    expect(id).to.equal(b.conference.myUserId());
    expect(participant.getJid()).to.equal(`${room}@conference.meet.jitsi/${id}`);
    expect(participant.getRealJid()).to.equal(b.connection.getJid());
    expect(participant.getStatsID()).to.match(/^\w+-\w+$/);
    expect(await participant.getFeatures()).to.be.instanceOf(Set);
    expect(participant.isHidden()).to.equal(false);
    expect(participant.isAudioMuted()).to.equal(true);

    await until(() => a.conference.isModerator(), 'A to become moderator');
    expect(a.conference.getRole()).to.equal('moderator');
    await until(() => b.conference.getParticipantById(a.conference.myUserId())?.isModerator() === true, 'B to see A as moderator');
    expect(b.conference.isModerator()).to.equal(false);
  });

  it('reports the meeting id from the room information as CONFERENCE_UNIQUE_ID_SET', async () => {
    const room = uniqueRoomName('meeting');
    let meetingId: string | undefined;
    const a = await joinedClient(room, 'websocket', {}, (conference) => {
      conference.on(C.CONFERENCE_UNIQUE_ID_SET, (id: string) => {
        meetingId = id;
      });
    });
    await until(() => meetingId !== undefined, 'the meeting id');
    expect(meetingId).to.match(/^[0-9a-f-]{36}$/);
    expect(a.conference.getMeetingUniqueId()).to.equal(meetingId);
    const b = await joinedClient(room, 'BOSH');
    await until(() => b.conference.getMeetingUniqueId() !== undefined, 'the meeting id at B');
    expect(b.conference.getMeetingUniqueId()).to.equal(meetingId);
  });

  it('fires DISPLAY_NAME_CHANGED and PARTICIPANT_PROPERTY_CHANGED once per change, and coalesces one tick into one presence', async () => {
    const room = uniqueRoomName('conf');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    await until(() => b.conference.getParticipants().length === 1, 'B to see A');
    const names = record(b.conference, C.DISPLAY_NAME_CHANGED);
    const properties = record(b.conference, C.PARTICIPANT_PROPERTY_CHANGED);
    const before = outboundPresences(a.conference);
    // Published from the start, as lib-jitsi-meet does (protocol.md 4.3): the codecs A decodes.
    const defaultCodecs = a.conference.getLocalParticipantProperty('codecList');
    expect(defaultCodecs).to.match(/^[a-z0-9]+(,[a-z0-9]+)*$/);

    a.conference.setDisplayName('Alice <b>&amp;</b>\u0007');
    a.conference.setLocalParticipantProperty('raisedHand', '1700000000000');
    a.conference.setLocalParticipantProperty('codecList', ['vp9', 'vp8']);
    a.conference.sendCommand('avatar-url', { value: 'https://example.com/a.png' });
    await until(() => properties.length === 2 && names.length === 1, 'the changes at B');
    expect(outboundPresences(a.conference) - before).to.equal(1);

    expect(names[0]).to.deep.equal([a.conference.myUserId(), 'Alice <b>&amp;</b>']);
    const participant = b.conference.getParticipantById(a.conference.myUserId());
    expect(participant?.getDisplayName()).to.equal('Alice <b>&amp;</b>');
    expect(participant?.getProperty('raisedHand')).to.equal('1700000000000');
    expect(participant?.getProperty('codecList')).to.equal('vp9,vp8');
    expect(properties.map((p) => [p[1], p[2], p[3]])).to.deep.include.members([
      ['raisedHand', undefined, '1700000000000'],
      ['codecList', defaultCodecs, 'vp9,vp8'],
    ]);

    // Another presence that repeats the same name and properties must not fire them again.
    a.conference.setLocalParticipantProperty('other', 'x');
    await until(() => properties.length === 3, 'the third property');
    expect(names).to.have.length(1);

    a.conference.removeLocalParticipantProperty('raisedHand');
    await until(() => properties.length === 4, 'the removal');
    expect(properties[3]?.slice(1)).to.deep.equal(['raisedHand', '1700000000000', undefined]);
    expect(a.conference.getLocalParticipantProperty('raisedHand')).to.equal(undefined);
  });

  it('delivers commands to listeners (sendCommand, sendCommandOnce, removeCommand)', async () => {
    const room = uniqueRoomName('conf');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    const seen: { value?: string; attributes: Record<string, string>; id: string }[] = [];
    b.conference.addCommandListener('emoji', (node, id) => {
      seen.push({ value: node.value, attributes: node.attributes, id });
    });
    a.conference.sendCommand('emoji', { value: '👍', attributes: { size: 2 } });
    await until(() => seen.length >= 1, 'the command');
    expect(seen[0]).to.deep.equal({ value: '👍', attributes: { size: '2' }, id: a.conference.myUserId() });

    a.conference.removeCommand('emoji');
    a.conference.sendCommandOnce('wave', { value: 'hi' });
    const waves: string[] = [];
    b.conference.addCommandListener('wave', (node) => waves.push(node.value ?? ''));
    await until(() => waves.length === 1, 'the one-shot command');
    const seenBefore = seen.length;
    a.conference.setDisplayName('next presence');
    await until(() => b.conference.getParticipantById(a.conference.myUserId())?.getDisplayName() === 'next presence', 'the next presence');
    expect(waves).to.deep.equal(['hi']);
    expect(seen.length).to.equal(seenBefore);
  });

  it('leave() resolves, emits CONFERENCE_LEFT, and the others see USER_LEFT', async () => {
    const room = uniqueRoomName('conf');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    await until(() => a.conference.getParticipants().length === 1, 'A to see B');
    const left = nextEvent<[string]>(a.conference, C.USER_LEFT);
    const bLeft = nextEvent(b.conference, C.CONFERENCE_LEFT);
    const id = b.conference.myUserId();
    await b.conference.leave();
    await bLeft;
    expect((await left)[0]).to.equal(id);
    expect(a.conference.getParticipants()).to.have.length(0);
    expect(b.conference.isJoined()).to.equal(false);
  });
});

describe('JitsiConference: chat', () => {
  it('delivers group and private messages with lib-jitsi-meet arguments, text as plain data', async () => {
    const room = uniqueRoomName('chat');
    const a = await joinedClient(room);
    a.conference.setDisplayName('Alice');
    const b = await joinedClient(room, 'BOSH');
    const c = await joinedClient(room);
    await until(() => b.conference.getParticipants().length === 2 && c.conference.getParticipants().length === 2, 'everyone');
    await until(() => b.conference.getParticipantById(a.conference.myUserId())?.getDisplayName() === 'Alice', 'the name');

    const atB = nextEvent<unknown[]>(b.conference, C.MESSAGE_RECEIVED);
    const atC = nextEvent<unknown[]>(c.conference, C.MESSAGE_RECEIVED);
    a.conference.sendTextMessage('<script>alert(1)</script> & \u0001bell');
    for (const args of [await atB, await atC]) {
      const [id, text, ts, displayName, isVisitor, messageId] = args;
      expect(id).to.equal(a.conference.myUserId());
      expect(text).to.equal('<script>alert(1)</script> & bell');
      expect(ts).to.equal(undefined);
      expect(displayName).to.equal('Alice');
      expect(isVisitor).to.equal(false);
      expect(messageId).to.be.a('string').and.not.equal('');
    }

    const privateAtC = record(c.conference, C.PRIVATE_MESSAGE_RECEIVED);
    const privateAtB = nextEvent<unknown[]>(b.conference, C.PRIVATE_MESSAGE_RECEIVED);
    a.conference.sendPrivateTextMessage(b.conference.myUserId(), 'just for you');
    const [pid, ptext, pts, pmessageId, pname] = await privateAtB;
    expect([pid, ptext, pts, pname]).to.deep.equal([a.conference.myUserId(), 'just for you', undefined, 'Alice']);
    expect(pmessageId).to.be.a('string');
    // lib-jitsi-meet's fourth argument: the id is a full occupant JID (how visitors are addressed).
    const byJid = nextEvent<unknown[]>(b.conference, C.PRIVATE_MESSAGE_RECEIVED);
    a.conference.sendPrivateTextMessage(`${a.conference.roomJid}/${b.conference.myUserId()}`, 'to your JID', 'body', true);
    expect((await byJid)[1]).to.equal('to your JID');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(privateAtC).to.deep.equal([]);
  });

  it('says why it left: leave(reason) reaches the others as USER_LEFT\'s status text', async () => {
    const room = uniqueRoomName('leave-reason');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    await until(() => a.conference.getParticipants().length === 1, 'B at A');
    const left = nextEvent<unknown[]>(a.conference, C.USER_LEFT);
    await b.conference.leave('switching rooms');
    const [id, , statusText] = await left;
    expect(id).to.equal(b.conference.myUserId());
    expect(statusText).to.equal('switching rooms');
  });

  it('gives a late joiner the room history with the original timestamps', async () => {
    const room = uniqueRoomName('history');
    const a = await joinedClient(room);
    a.conference.sendTextMessage('first');
    a.conference.sendTextMessage('second');
    await new Promise((resolve) => setTimeout(resolve, 300));
    let history: unknown[][] = [];
    const b = await joinedClient(room, 'BOSH', {}, (conference) => {
      history = record(conference, C.MESSAGE_RECEIVED);
    });
    await until(() => history.length >= 2, 'the history');
    expect(history.map((m) => m[1])).to.deep.equal(['first', 'second']);
    for (const message of history) {
      expect(message[0]).to.equal(a.conference.myUserId());
      expect(Date.parse(String(message[2]))).to.be.closeTo(Date.now(), 60_000);
    }
    expect(b.conference.isJoined()).to.equal(true);
  });

  it('sends endpoint messages over XMPP to one participant or to all (no bridge channel)', async () => {
    const room = uniqueRoomName('endpoint');
    const config = { openBridgeChannel: false };
    const a = await joinedClient(room, 'websocket', config);
    const b = await joinedClient(room, 'websocket', config);
    const c = await joinedClient(room, 'BOSH', config);
    await until(() => b.conference.getParticipants().length === 2 && c.conference.getParticipants().length === 2, 'everyone');
    const toB = nextEvent<[JitsiParticipant, Record<string, unknown>]>(b.conference, C.ENDPOINT_MESSAGE_RECEIVED);
    const atC = record(c.conference, C.ENDPOINT_MESSAGE_RECEIVED);
    a.conference.sendEndpointMessage(b.conference.myUserId(), { type: 'ping', n: 1 });
    const [from, payload] = await toB;
    expect(from.getId()).to.equal(a.conference.myUserId());
    expect(payload).to.deep.equal({ type: 'ping', n: 1 });

    const broadcastAtB = nextEvent<[JitsiParticipant, Record<string, unknown>]>(b.conference, C.ENDPOINT_MESSAGE_RECEIVED);
    a.conference.broadcastEndpointMessage({ hello: 'all' });
    expect((await broadcastAtB)[1]).to.deep.equal({ type: '', hello: 'all' });
    await until(() => atC.length === 1, 'the broadcast at C');
    expect(atC[0]?.[1]).to.deep.equal({ type: '', hello: 'all' });
  });

  it('changes the subject (moderator) with SUBJECT_CHANGED everywhere', async () => {
    const room = uniqueRoomName('subject');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    await until(() => a.conference.isModerator(), 'A moderator');
    const atB = nextEvent<[string]>(b.conference, C.SUBJECT_CHANGED);
    a.conference.setSubject('  Weekly sync  ');
    expect((await atB)[0]).to.equal('Weekly sync');
    expect(b.conference.getSubject()).to.equal('Weekly sync');
  });
});

describe('JitsiConference: start-muted policy', () => {
  it('a moderator sets the policy; others get START_MUTED_POLICY_CHANGED; a later joiner starts muted', async () => {
    const room = uniqueRoomName('startmuted');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const atB = nextEvent<[{ audio: boolean; video: boolean }]>(b.conference, C.START_MUTED_POLICY_CHANGED);
    a.conference.setStartMutedPolicy({ audio: true, video: false });
    expect((await atB)[0]).to.deep.equal({ audio: true, video: false });
    expect(a.conference.getStartMutedPolicy()).to.deep.equal({ audio: true, video: false });
    expect(b.conference.isStartAudioMuted()).to.equal(false); // joined before the policy

    const c = await joinedClient(room, 'BOSH');
    await until(() => c.conference.getStartMutedPolicy().audio, 'the policy at C');
    expect(c.conference.isStartAudioMuted()).to.equal(true);
    expect(c.conference.isStartVideoMuted()).to.equal(false);

    b.conference.setStartMutedPolicy({ audio: false, video: true }); // not a moderator: ignored
    expect(b.conference.getStartMutedPolicy()).to.deep.equal({ audio: true, video: false });
  });

  it('applies the local startAudioMuted: N option from the N+1th participant on', async () => {
    const room = uniqueRoomName('startmuted');
    const a = await joinedClient(room, 'websocket', { startAudioMuted: 1 });
    expect(a.conference.isStartAudioMuted()).to.equal(false);
    const b = await joinedClient(room, 'websocket', { startAudioMuted: 1, startVideoMuted: 5 });
    expect(b.conference.isStartAudioMuted()).to.equal(true);
    expect(b.conference.isStartVideoMuted()).to.equal(false);
  });
});
