/**
 * Audio/video moderation (protocol.md 13.2) on the real Prosody with the av_moderation stand-in and the focus
 * stand-in's Jicofo side: enable/disable, approve/reject and their AV_MODERATION_* events at moderators and
 * participants, the focus's mute on enable, a participant's refused unmute, "ask to unmute", a joiner learning
 * the state, and a participant's moderator commands ignored by the component.
 */
import { expect } from '@open-wc/testing';
import { $msg } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import type { XmppConnection } from '../../src/xmpp/XmppConnection.js';
import { backendEndpoints, uniqueRoomName } from '../helpers/backend.js';
import { cleanupMedia, flow, mediaClient, remoteTracks, untilMediaFrom } from '../helpers/bridge.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const tracks: JitsiLocalTrack[] = [];

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
  await Promise.all(tracks.splice(0).map((t) => t.dispose()));
  await cleanupMedia();
});

type Joined = Awaited<ReturnType<typeof joinedClient>>;
const engineOf = (x: Joined): XmppConnection => x.connection.xmpp.engine;

/** A client with a live microphone track in the conference. */
async function withMicrophone(room: string): Promise<Joined & { mic: JitsiLocalTrack }> {
  const [mic] = (await JitsiMeetJS.createLocalTracks({ devices: ['audio'] }));
  if (!mic) throw new Error('no microphone track');
  tracks.push(mic);
  const client = await joinedClient(room, 'websocket', { p2p: { enabled: false } });
  await client.conference.addTrack(mic);
  return { ...client, mic };
}

/** The mute IQs (protocol.md 4.6) this client sends to the focus, with how each ended. */
function muteRequests(x: Joined): { text: string; outcome: Promise<string> }[] {
  const engine = engineOf(x);
  const requests: { text: string; outcome: Promise<string> }[] = [];
  const send = engine.sendIQ.bind(engine);
  engine.sendIQ = (stanza, timeoutMs) => {
    const promise = send(stanza, timeoutMs);
    const element = 'tree' in stanza ? stanza.tree() : stanza;
    const mute = element.getElementsByTagName('mute')[0];
    if (mute) {
      requests.push({ text: mute.textContent ?? '', outcome: promise.then(() => 'result', (error: { condition?: string }) => error.condition ?? 'error') });
    }
    return promise;
  };
  return requests;
}

/** A moderator A and then B and C (participants). */
async function moderatorAnd(room: string): Promise<[Joined, Joined, Joined]> {
  const a = await joinedClient(room);
  await until(() => a.conference.isModerator(), 'A moderator');
  const b = await joinedClient(room);
  const c = await joinedClient(room);
  await until(() => a.conference.getParticipants().length === 2, 'A sees everyone');
  return [a, b, c];
}

const participantAt = (at: JitsiConference, of: Joined): JitsiParticipant | undefined => at.getParticipantById(of.conference.myUserId());

describe('JitsiConference: audio/video moderation', function () {
  this.timeout(45_000);

  it('a microphone added while audio is moderated: the focus refuses the source-add, TRACK_UNMUTE_REJECTED(track); a moderator\'s is accepted', async () => {
    const room = uniqueRoomName('avsource');
    const a = await joinedClient(room, 'websocket', { p2p: { enabled: false } });
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room, 'websocket', { p2p: { enabled: false } });
    const c = await joinedClient(room, 'websocket', { p2p: { enabled: false } });
    await until(() => a.conference.getParticipants().length === 2 && Boolean(b.conference.jvbJingleSession) && Boolean(a.conference.jvbJingleSession), 'bridge sessions');
    const enabledAtB = nextEvent(b.conference, C.AV_MODERATION_CHANGED);
    a.conference.enableAVModeration('audio');
    await enabledAtB;
    const rejectedAtB = record(b.conference, C.TRACK_UNMUTE_REJECTED);
    const rejectedAtA = record(a.conference, C.TRACK_UNMUTE_REJECTED);
    const [micB] = await JitsiMeetJS.createLocalTracks({ devices: ['audio'] });
    const [micA] = await JitsiMeetJS.createLocalTracks({ devices: ['audio'] });
    if (!micA || !micB) throw new Error('no microphone track');
    tracks.push(micA, micB);
    await b.conference.addTrack(micB);
    await a.conference.addTrack(micA);
    await until(() => rejectedAtB.length === 1, 'B\'s TRACK_UNMUTE_REJECTED');
    expect(rejectedAtB[0]?.[0]).to.equal(micB);
    // The moderator's source went through: C gets A's audio track, never B's.
    await until(() => remoteTracks(c.conference, a.conference.myUserId(), 'audio').length === 1, 'A\'s audio at C');
    expect(remoteTracks(c.conference, b.conference.myUserId(), 'audio')).to.have.length(0);
    expect(rejectedAtA).to.deep.equal([]);
  });

  it('a participant\'s enable and whitelist are ignored by the component; a moderator\'s enable reaches everyone', async () => {
    const [a, b] = await moderatorAnd(uniqueRoomName('avmod'));
    for (const x of [a, b]) expect(x.conference.isAVModerationSupported()).to.equal(true);
    const changesA = record(a.conference, C.AV_MODERATION_CHANGED);
    const changesB = record(b.conference, C.AV_MODERATION_CHANGED);
    const approvals = record(b.conference, C.AV_MODERATION_APPROVED);

    // lib-jitsi-meet checks the role first: nothing is sent.
    b.conference.enableAVModeration('audio');
    // What a client without that check would send: the component ignores it.
    const address = `avmoderation.${(await backendEndpoints()).domain}`;
    engineOf(b).send($msg({ to: address }).c('av_moderation', { enable: 'true', mediaType: 'audio' }));
    engineOf(b).send($msg({ to: address }).c('av_moderation', { jidToWhitelist: participantAt(a.conference, b)?.getJid() ?? '', mediaType: 'audio' }));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(changesA).to.deep.equal([]);
    expect(changesB).to.deep.equal([]);
    expect(approvals).to.deep.equal([]);

    const atB = nextEvent<[{ enabled: boolean; mediaType: string; actor?: JitsiParticipant }]>(b.conference, C.AV_MODERATION_CHANGED);
    const atA = nextEvent<[{ enabled: boolean; mediaType: string; actor?: JitsiParticipant }]>(a.conference, C.AV_MODERATION_CHANGED);
    a.conference.enableAVModeration('audio');
    const [changeB] = await atB;
    expect(changeB.enabled).to.equal(true);
    expect(changeB.mediaType).to.equal('audio');
    expect(changeB.actor?.getId()).to.equal(a.conference.myUserId());
    const [changeA] = await atA;
    expect(changeA).to.deep.equal({ enabled: true, mediaType: 'audio', actor: undefined });
    expect(changesB).to.have.length(1);
    expect(b.conference.isAVModerationEnabled('audio')).to.equal(true);
    expect(b.conference.isUnmuteAllowed('audio')).to.equal(false);
    expect(a.conference.isUnmuteAllowed('audio')).to.equal(true);

    // A second enable is dropped locally (already enabled), as in lib-jitsi-meet.
    a.conference.enableAVModeration('audio');
    const off = [a, b].map((x) => nextEventWhere<[{ enabled: boolean }]>(x.conference, C.AV_MODERATION_CHANGED, (c) => !c.enabled));
    a.conference.disableAVModeration('audio');
    await Promise.all(off);
    expect(changesB.map(([c]) => (c as { enabled: boolean }).enabled)).to.deep.equal([true, false]);
    expect(b.conference.isUnmuteAllowed('audio')).to.equal(true);
  });

  it('enabling mutes the others; an unapproved unmute is refused by the focus, an approved one is not; reject', async () => {
    const room = uniqueRoomName('avmute');
    const a = await withMicrophone(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await withMicrophone(room);
    const c = await withMicrophone(room);
    await until(() => a.conference.getParticipants().length === 2, 'A sees everyone');
    const requestsB = muteRequests(b);
    const requestsC = muteRequests(c);
    const mutedB = nextEventWhere<[JitsiLocalTrack, JitsiParticipant | undefined]>(b.conference, C.TRACK_MUTE_CHANGED, (t) => t === b.mic);
    const mutedC = nextEventWhere<[JitsiLocalTrack]>(c.conference, C.TRACK_MUTE_CHANGED, (t) => t === c.mic);
    a.conference.enableAVModeration('audio');
    const [, actor] = await mutedB;
    expect(actor).to.equal(undefined);
    await mutedC;
    expect(b.mic.isMuted()).to.equal(true);
    expect(a.mic.isMuted()).to.equal(false);

    // B, not approved: the track unmutes (lib-jitsi-meet), the focus refuses to lift the mute.
    await b.mic.unmute();
    await until(() => requestsB.length === 1, 'B\'s unmute request');
    expect(requestsB[0]?.text).to.equal('false');
    expect(await requestsB[0]?.outcome).to.equal('not-allowed');

    // C approved: events at C and A, and the focus accepts C's unmute.
    const approvedC = nextEvent<[{ mediaType: string }]>(c.conference, C.AV_MODERATION_APPROVED);
    const approvedAtA = nextEvent<[{ participant: JitsiParticipant; mediaType: string }]>(a.conference, C.AV_MODERATION_PARTICIPANT_APPROVED);
    const approvedAtB = record(b.conference, C.AV_MODERATION_APPROVED);
    a.conference.avModerationApprove('audio', c.conference.myUserId());
    expect((await approvedC)[0]).to.deep.equal({ mediaType: 'audio' });
    const [{ participant, mediaType }] = await approvedAtA;
    expect([participant.getId(), mediaType]).to.deep.equal([c.conference.myUserId(), 'audio']);
    expect(c.conference.isUnmuteAllowed('audio')).to.equal(true);
    await c.mic.unmute();
    await until(() => requestsC.length === 1, 'C\'s unmute request');
    expect(await requestsC[0]?.outcome).to.equal('result');
    expect(approvedAtB).to.deep.equal([]);

    const rejectedC = nextEvent<[{ mediaType: string }]>(c.conference, C.AV_MODERATION_REJECTED);
    const rejectedAtA = nextEvent<[{ participant: JitsiParticipant; mediaType: string }]>(a.conference, C.AV_MODERATION_PARTICIPANT_REJECTED);
    a.conference.avModerationReject('audio', c.conference.myUserId());
    expect((await rejectedC)[0]).to.deep.equal({ mediaType: 'audio' });
    expect((await rejectedAtA)[0].participant.getId()).to.equal(c.conference.myUserId());
    expect(c.conference.isUnmuteAllowed('audio')).to.equal(false);
  });

  it('"ask to unmute" while moderation is off reaches only the target; a joiner learns that moderation is on', async () => {
    const room = uniqueRoomName('avask');
    const [a, b, c] = await moderatorAnd(room);
    const atC = record(c.conference, C.AV_MODERATION_APPROVED);
    const atA = record(a.conference, C.AV_MODERATION_PARTICIPANT_APPROVED);
    const asked = nextEvent<[{ mediaType: string }]>(b.conference, C.AV_MODERATION_APPROVED);
    a.conference.avModerationApprove('video', b.conference.myUserId());
    expect((await asked)[0]).to.deep.equal({ mediaType: 'video' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atC).to.deep.equal([]);
    expect(atA).to.deep.equal([]);

    const on = nextEvent(c.conference, C.AV_MODERATION_CHANGED);
    a.conference.enableAVModeration('video');
    await on;
    let joinerChanges: unknown[][] = [];
    const d = await joinedClient(room, 'websocket', {}, (conference) => {
      joinerChanges = record(conference, C.AV_MODERATION_CHANGED);
    });
    await until(() => joinerChanges.length === 1, 'the joiner\'s AV_MODERATION_CHANGED');
    expect((joinerChanges[0]?.[0] as { enabled: boolean; mediaType: string }).enabled).to.equal(true);
    expect((joinerChanges[0]?.[0] as { mediaType: string }).mediaType).to.equal('video');
    expect(d.conference.isAVModerationEnabled('video')).to.equal(true);
    expect(d.conference.isAVModerationEnabled('audio')).to.equal(false);
  });

  it('the bridge drops a held-back participant\'s audio, also after its own unmute, until a moderator allows it', async () => {
    const room = uniqueRoomName('avbridge');
    const a = await mediaClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await mediaClient(room);
    await untilMediaFrom(a, [b]);
    const [fromB] = remoteTracks(a.conference, b.id, 'audio');
    if (!fromB) throw new Error('no audio track from B');
    const flowing = async (): Promise<boolean> => {
      const start = await flow(a.conference, fromB);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const end = await flow(a.conference, fromB);
      return end > start;
    };

    a.conference.enableAVModeration('audio');
    const micB = b.local.find((t) => t.getType() === 'audio');
    await until(() => b.conference.isAVModerationEnabled('audio') && micB?.isMuted() === true, 'B muted by moderation');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await flowing(), 'no audio from B while held back').to.equal(false);
    await micB?.unmute();
    expect(micB?.isMuted()).to.equal(false);
    expect(await flowing(), 'no audio from B after its own unmute').to.equal(false);

    a.conference.avModerationApprove('audio', b.id);
    await until(() => b.conference.isUnmuteAllowed('audio'), 'B allowed');
    let resumed = false;
    for (let i = 0; i < 5 && !resumed; i++) resumed = await flowing();
    expect(resumed, 'B\'s audio flows once allowed').to.equal(true);
  });
});
