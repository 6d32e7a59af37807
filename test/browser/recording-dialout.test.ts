/**
 * Recording, transcription and dial-out signalling on the real backend (protocol.md 13.9-13.12), against the
 * focus stand-in's Jibri and Jigasi parts: startRecording/stopRecording with RECORDER_STATE_CHANGED and
 * JibriSession, a participant's attempt refused by the focus as a typed error, the focus's argument checks,
 * dial() with the gateway occupant joining, the dial-in number and PIN.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { RecordingError, type JibriSession } from '../../src/conference/features/Recording.js';
import { DialError } from '../../src/conference/features/DialOut.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { backendEndpoints, uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent, nextEventWhere } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const R = JitsiMeetJS.constants.recording;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

async function refusal<T>(promise: Promise<T>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('JitsiConference: recording (Jibri through the focus)', () => {
  it("a moderator starts and stops a recording; everyone sees the session's states; a participant is refused", async () => {
    const room = uniqueRoomName('rec');
    const a = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room, 'BOSH');

    // A participant: the focus refuses (not-allowed), as a typed error and an off session with that error.
    const failedAtB = nextEvent<[JibriSession]>(b.conference, C.RECORDER_STATE_CHANGED);
    const error = await refusal(b.conference.startRecording({ mode: R.mode.FILE }));
    expect(error).to.be.instanceOf(RecordingError);
    expect((error as RecordingError).error).to.equal('not-allowed');
    const [failed] = await failedAtB;
    expect(failed.getStatus()).to.equal(R.status.OFF);
    expect(failed.getError()).to.equal('not-allowed');

    const onAtB = nextEventWhere<[JibriSession]>(b.conference, C.RECORDER_STATE_CHANGED, (s) => s.getStatus() === R.status.ON);
    // The session object is updated in place: keep each status as it was emitted.
    const statesAtA: string[] = [];
    a.conference.on(C.RECORDER_STATE_CHANGED, ((s: JibriSession) => statesAtA.push(s.getStatus())));
    const session = await a.conference.startRecording({ mode: R.mode.FILE, appData: { file_recording_metadata: { share: true } } });
    expect(session.getStatus()).to.equal(R.status.PENDING);
    expect(session.getMode()).to.equal(R.mode.FILE);
    const id = session.getID();
    expect(id).to.be.a('string').and.not.equal('');
    const [onAtB_] = await onAtB;
    expect(onAtB_.getID()).to.equal(id);
    expect((onAtB_.getInitiator() as JitsiParticipant).getId()).to.equal(a.conference.myUserId());
    await until(() => session.getStatus() === R.status.ON, 'on at A');
    expect(statesAtA).to.deep.equal([R.status.PENDING, R.status.ON]);

    // A second start while one runs: unexpected-request; B cannot stop it.
    expect(((await refusal(a.conference.startRecording({ mode: R.mode.FILE }))) as RecordingError).error).to.equal('unexpected-request');
    expect(((await refusal(b.conference.stopRecording(id ?? ''))) as RecordingError).error).to.equal('not-allowed');

    const offAtB = nextEventWhere<[JibriSession]>(b.conference, C.RECORDER_STATE_CHANGED, (s) => s.getStatus() === R.status.OFF && s.getID() === id);
    await a.conference.stopRecording(id ?? '');
    const [off] = await offAtB;
    expect((off.getTerminator() as JitsiParticipant).getId()).to.equal(a.conference.myUserId());
    expect(off.getError()).to.equal(undefined);
    expect(((await refusal(a.conference.stopRecording(id ?? ''))) as RecordingError).error).to.equal('item-not-found');
  });

  it('checks stream arguments as the focus does: a stream needs a stream id, a file recording has none', async () => {
    const a = await joinedClient(uniqueRoomName('rec'));
    await until(() => a.conference.isModerator(), 'A moderator');
    expect(((await refusal(a.conference.startRecording({ mode: R.mode.STREAM }))) as RecordingError).error).to.equal('bad-request');
    expect(((await refusal(a.conference.startRecording({ mode: R.mode.FILE, streamId: 'k' }))) as RecordingError).error).to.equal('bad-request');
    const session = await a.conference.startRecording({ mode: R.mode.STREAM, streamId: 'rtmp://live.example.net/app/KEY', broadcastId: 'b1' });
    expect(session.getMode()).to.equal(R.mode.STREAM);
    await until(() => session.getStatus() === R.status.ON, 'the stream on');
    await a.conference.stopRecording(session.getID() ?? '');
  });

  it('a transcriber dialled in from the hidden domain: TRANSCRIPTION_STATUS_CHANGED ON, a second is a conflict, OFF when it leaves', async () => {
    const endpoints = await backendEndpoints();
    const config = { hiddenDomain: `recorder.${endpoints.domain}` };
    const room = uniqueRoomName('rec');
    const a = await joinedClient(room, 'websocket', config);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room, 'websocket', config);
    const on = nextEvent<[string, string, boolean]>(b.conference, C.TRANSCRIPTION_STATUS_CHANGED);
    await a.conference.dial('jitsi_meet_transcribe');
    const [status, transcriber, left] = await on;
    expect([status, left]).to.deep.equal([JitsiMeetJS.constants.transcriptionStatus.ON, false]);
    expect(b.conference.getTranscriptionStatus()).to.equal('ON');
    expect(b.conference.getParticipantById(transcriber)?.isHidden()).to.equal(true);
    expect(b.conference.getParticipantCount()).to.equal(2);
    expect(((await refusal(a.conference.dial('jitsi_meet_transcribe'))) as DialError).error).to.equal('conflict');

    const off = nextEvent<[string, string, boolean]>(b.conference, C.TRANSCRIPTION_STATUS_CHANGED);
    await a.conference.kickParticipant(transcriber);
    expect(await off).to.deep.equal(['OFF', transcriber, true]);
    expect(b.conference.getTranscriptionStatus()).to.equal('OFF');
  });

  it('has no transcription without a transcriber; setTranscriptionLanguage is a participant property', async () => {
    const room = uniqueRoomName('rec');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    expect(a.conference.getTranscriptionStatus()).to.equal(JitsiMeetJS.constants.transcriptionStatus.OFF);
    const changed = nextEventWhere<[JitsiParticipant, string]>(b.conference, C.PARTICIPANT_PROPERTY_CHANGED, (_p, key) => key === 'transcription_language');
    a.conference.setTranscriptionLanguage('de-DE');
    const [participant] = await changed;
    expect(participant.getProperty('transcription_language')).to.equal('de-DE');
  });
});

describe('JitsiConference: dial-out and dial-in (Jigasi through the focus)', () => {
  it('a moderator dials out: the gateway joins with its call status; a participant is refused; the dial-in number and PIN', async () => {
    const room = uniqueRoomName('dial');
    const a = await joinedClient(room);
    await until(() => a.conference.isModerator(), 'A moderator');
    const b = await joinedClient(room);
    expect(a.conference.isSIPCallingSupported()).to.equal(true);
    await until(() => a.conference.getPhoneNumber() !== undefined, 'the dial-in number');
    expect(a.conference.getPhoneNumber()).to.equal('+15550100');
    expect(a.conference.getPhonePin()).to.match(/^\d{9}$/);
    expect(b.conference.getPhonePin()).to.equal(a.conference.getPhonePin());

    const error = await refusal(b.conference.dial('+15551234567'));
    expect(error).to.be.instanceOf(DialError);
    expect((error as DialError).error).to.equal('forbidden');
    expect((await refusal(b.conference.hangup()))).to.have.property('message', 'No call in progress');

    const joined = nextEvent<[string, JitsiParticipant]>(b.conference, C.USER_JOINED);
    const inProgress = nextEventWhere<[string, string]>(b.conference, C.USER_STATUS_CHANGED, (_id, status) => status === 'In progress');
    await a.conference.dial('+15551234567');
    const [gatewayId] = await joined;
    expect((await inProgress)[0]).to.equal(gatewayId);
  });
});
