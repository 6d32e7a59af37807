/**
 * Room metadata on the real backend (protocol.md 13.8, 4.13, 2.6): getMetadataHandler(), METADATA_UPDATED,
 * the start-muted policy through it, the STUN/TURN services of the first push, and a participant's update
 * refused by the component.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

type Metadata = Record<string, unknown>;

describe('JitsiConference: room metadata', () => {
  it('takes the ICE servers from the first metadata push, not from XEP-0215', async () => {
    const a = await joinedClient(uniqueRoomName('meta'));
    expect(a.conference.getMetadataHandler().isSupported()).to.equal(true);
    const urls = a.connection.getIceServers().map((s) => s.urls);
    expect(urls).to.have.members(['stun:127.0.0.1:3478', 'turn:127.0.0.1:3478', 'turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp']);
    const turn = a.connection.getIceServers().find((s) => s.urls === 'turn:127.0.0.1:3478');
    expect(turn?.username).to.match(/^\d+$/);
    expect(turn?.credential).to.be.a('string').and.not.equal('');
    // The push is also the metadata: services is all a new room has.
    expect(Object.keys(a.conference.getMetadataHandler().getMetadata())).to.deep.equal(['services']);
  });

  it("a moderator's setMetadata reaches everyone as METADATA_UPDATED; a participant's is refused by the component", async () => {
    const room = uniqueRoomName('meta');
    const a = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room, 'BOSH');
    expect(b.conference.isModerator()).to.equal(false);
    const updatesAtA = record(a.conference, C.METADATA_UPDATED);

    // B's attempt goes nowhere (the engine does not even send it, as lib-jitsi-meet); A's does.
    b.conference.getMetadataHandler().setMetadata('fromB', { x: 1 });
    const atB = nextEventWhere<[Metadata]>(b.conference, C.METADATA_UPDATED, (m) => m.recording !== undefined);
    a.conference.getMetadataHandler().setMetadata('recording', { isTranscribingEnabled: true });
    const [metadata] = await atB;
    expect(metadata).to.deep.equal({ recording: { isTranscribingEnabled: true } });
    expect(b.conference.getMetadataHandler().getMetadata()).to.deep.equal(metadata);
    await until(() => updatesAtA.length === 1, 'the update at A');
    expect(updatesAtA[0]?.[0]).to.deep.equal(metadata);

    // The same value again is no update.
    a.conference.getMetadataHandler().setMetadata('recording', { isTranscribingEnabled: true });
    a.conference.getMetadataHandler().setMetadata('other', 'x');
    await until(() => updatesAtA.length === 2, 'the second update');
    expect(updatesAtA[1]?.[0]).to.deep.equal({ recording: { isTranscribingEnabled: true }, other: 'x' });
    expect(b.conference.getMetadataHandler().getMetadata()).to.not.have.property('fromB');
  });

  it('the start-muted policy goes through the metadata: a later joiner starts muted before its join completes', async () => {
    const room = uniqueRoomName('meta');
    const a = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room);
    const policyAtB = nextEventWhere<[{ audio: boolean; video: boolean }]>(b.conference, C.START_MUTED_POLICY_CHANGED, (p) => p.audio);
    const metadataAtB = nextEventWhere<[Metadata]>(b.conference, C.METADATA_UPDATED, (m) => m.startMuted !== undefined);
    a.conference.setStartMutedPolicy({ audio: true, video: false });
    expect((await metadataAtB)[0].startMuted).to.deep.equal({ audio: true, video: false });
    expect((await policyAtB)[0]).to.deep.equal({ audio: true, video: false });

    const policies: unknown[][] = [];
    const c = await joinedClient(room, 'websocket', {}, (conference) => {
      conference.on(C.START_MUTED_POLICY_CHANGED, ((...args: unknown[]) => policies.push(args)));
    });
    expect(policies).to.deep.equal([[{ audio: true, video: false }]]);
    expect(c.conference.isStartAudioMuted()).to.equal(true);
    expect(c.conference.isStartVideoMuted()).to.equal(false);
    expect(c.conference.getStartMutedPolicy()).to.deep.equal({ audio: true, video: false });
  });

  it('no P2P while the metadata says transcription is on (recording.isTranscribingEnabled)', async () => {
    const room = uniqueRoomName('meta');
    const a = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room);
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P', 15_000);
    a.conference.getMetadataHandler().setMetadata('recording', { isTranscribingEnabled: true });
    await until(() => !a.conference.isP2PActive() && !b.conference.isP2PActive(), 'P2P off while transcribing', 15_000);
    a.conference.getMetadataHandler().setMetadata('recording', { isTranscribingEnabled: false });
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P again', 15_000);
  });
});
