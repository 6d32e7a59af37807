/**
 * The pure parts of the meeting features with a stand-in ComponentChannel: AV moderation JSON to events
 * (protocol.md 13.2: the whitelist diff, the room check, hostile payloads ignored without a throw) and speaker
 * stats (13.5: counting paused while silent, the snapshot merged and validated, reports only on a change).
 */
import { expect } from '@open-wc/testing';
import { AVModeration } from '../../../src/conference/features/AVModeration.js';
import type { ComponentChannel, ComponentJsonHandler } from '../../../src/conference/features/ComponentChannel.js';
import { SpeakerStats, SpeakerStatsCollector } from '../../../src/conference/features/SpeakerStats.js';
import type { JitsiParticipant } from '../../../src/conference/JitsiParticipant.js';
import { EventEmitter } from '../../../src/util/EventEmitter.js';
import type { ConferenceEventMap } from '../../../src/conference/types.js';

const ROOM = 'room@conference.example.com';

function fakeChannel(): { channel: ComponentChannel; deliver: (kind: string, payload: unknown) => void; sent: string[] } {
  const handlers = new Map<string, ComponentJsonHandler>();
  const sent: string[] = [];
  const channel = {
    isSupported: () => true,
    on: (kind: string, handler: ComponentJsonHandler) => {
      handlers.set(kind, handler);
      return () => handlers.delete(kind);
    },
    send: (_type: string, build: (m: { c: (name: string, attrs: Record<string, string>) => unknown }) => void) => {
      build({ c: (name, attrs) => sent.push(`${name} ${JSON.stringify(attrs)}`) });
      return true;
    },
  } as unknown as ComponentChannel;
  return { channel, sent, deliver: (kind, payload) => handlers.get(kind)?.(payload as Record<string, unknown>, 'component.example.com', document.createElement('x')) };
}

const participant = (id: string, extra: Partial<Record<'hidden', boolean>> = {}): JitsiParticipant =>
  ({ getId: () => id, getJid: () => `${ROOM}/${id}`, isHidden: () => extra.hidden ?? false, getDisplayName: () => `Name ${id}` }) as unknown as JitsiParticipant;

describe('AV moderation JSON (features/AVModeration.ts)', () => {
  function setup(moderator = true) {
    const fake = fakeChannel();
    const events: [string, unknown][] = [];
    const people = new Map([['bob', participant('bob')]]);
    const moderation = new AVModeration(fake.channel, {
      roomJid: ROOM,
      isModerator: () => moderator,
      getParticipants: () => [...people.values()],
      getParticipantById: (id) => people.get(id),
      emit: ((event: string, arg: unknown) => events.push([event, arg]) > 0) as never,
    });
    return { ...fake, events, moderation };
  }

  it('turns the component\'s messages into lib-jitsi-meet\'s events, diffing the whitelists', () => {
    const { deliver, events, moderation } = setup();
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, enabled: true, mediaType: 'audio', actor: `${ROOM}/bob` });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, enabled: true, mediaType: 'audio', actor: `${ROOM}/bob` });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, whitelists: { audio: [`${ROOM}/me`] }, mediaType: 'audio' });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, whitelists: { audio: [`${ROOM}/me`, `${ROOM}/bob`, `${ROOM}/ghost`] }, mediaType: 'audio' });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, whitelists: { audio: [`${ROOM}/me`] }, mediaType: 'audio', removed: true });
    expect(events.map(([e]) => e)).to.deep.equal([
      'conference.av_moderation.changed',
      'conference.av_moderation.participant.approved',
      'conference.av_moderation.participant.rejected',
    ]);
    expect((events[0]?.[1] as { actor: JitsiParticipant }).actor.getId()).to.equal('bob');
    expect(moderation.isEnabled('audio')).to.equal(true);
  });

  it('ignores other rooms, unknown media types and malformed lists without throwing', () => {
    const { deliver, events, moderation } = setup(false);
    deliver('av_moderation', { type: 'av_moderation', room: 'other@conference.example.com', enabled: true, mediaType: 'audio' });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, enabled: true, mediaType: 'screen' });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, enabled: 'yes', mediaType: 'audio' });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, whitelists: 'all', mediaType: 'audio' });
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, whitelists: { audio: [1, null, {}] }, mediaType: 'audio' });
    expect(events).to.deep.equal([]);
    expect(moderation.isEnabled('audio')).to.equal(false);
    // Approval counts only while moderation is on; a rejection takes it back.
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, enabled: true, mediaType: 'video' });
    expect(moderation.isUnmuteAllowed('video')).to.equal(false);
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, approved: true, mediaType: 'video' });
    expect(moderation.isUnmuteAllowed('video')).to.equal(true);
    deliver('av_moderation', { type: 'av_moderation', room: ROOM, removed: true, mediaType: 'video' });
    expect(moderation.isUnmuteAllowed('video')).to.equal(false);
    expect(events.map(([e, arg]) => [e, arg])).to.deep.equal([
      ['conference.av_moderation.changed', { enabled: true, mediaType: 'video', actor: undefined }],
      ['conference.av_moderation.approved', { mediaType: 'video' }],
      ['conference.av_moderation.rejected', { mediaType: 'video' }],
    ]);
  });

  it('a participant\'s enable and approve send nothing (lib-jitsi-meet\'s local check)', () => {
    const { moderation, sent } = setup(false);
    moderation.enable(true, 'audio');
    moderation.approve('audio', 'bob');
    expect(sent).to.deep.equal([]);
  });
});

describe('speaker stats (features/SpeakerStats.ts)', () => {
  const realNow = Date.now;
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    Date.now = () => now;
  });
  afterEach(() => {
    Date.now = realNow;
  });

  it('counts while dominant and speaking, pauses while silent, stops when another takes over or it leaves', () => {
    const stats = new SpeakerStats('bob', 'Bob', false);
    stats.setDominantSpeaker(true, false);
    now += 1000;
    stats.setDominantSpeaker(true, true);
    now += 5000;
    expect(stats.getTotalDominantSpeakerTime()).to.equal(1000);
    stats.setDominantSpeaker(true, false);
    now += 500;
    expect(stats.getTotalDominantSpeakerTime()).to.equal(1500);
    stats.markAsHasLeft();
    now += 500;
    expect([stats.getTotalDominantSpeakerTime(), stats.hasLeft(), stats.isDominantSpeaker()]).to.deep.equal([1500, true, false]);
  });

  it('merges the snapshot (unknown users as left, hidden and malformed ones skipped) and reports our dominance once per change', () => {
    const fake = fakeChannel();
    const conference = new EventEmitter<ConferenceEventMap>();
    const people = new Map([['bob', participant('bob')], ['rec', participant('rec', { hidden: true })]]);
    const collector = new SpeakerStatsCollector(fake.channel, {
      roomJid: ROOM,
      myUserId: () => 'me',
      getParticipantById: (id) => people.get(id),
      on: conference.on.bind(conference),
      off: conference.off.bind(conference),
    });
    conference.emit('conference.userJoined', 'bob', people.get('bob') as JitsiParticipant);
    fake.deliver('speakerstats', {
      type: 'speakerstats',
      users: {
        bob: { displayName: 'Bob', totalDominantSpeakerTime: 4000, faceLandmarks: [{ faceExpression: 'happy', duration: 2 }, 'junk'] },
        gone: { displayName: 'Gone', totalDominantSpeakerTime: 7000 },
        rec: { totalDominantSpeakerTime: 9 },
        bad: { totalDominantSpeakerTime: 'lots' },
        worse: null,
      },
    });
    fake.deliver('speakerstats', { type: 'speakerstats', users: 'nope' });
    const all = collector.getStats();
    expect(Object.keys(all).sort()).to.deep.equal(['bad', 'bob', 'gone', 'me']);
    expect(all.bob?.getTotalDominantSpeakerTime()).to.equal(4000);
    expect(all.bob?.getFaceLandmarks()).to.deep.equal([{ faceExpression: 'happy', duration: 2 }]);
    expect([all.gone?.hasLeft(), all.gone?.getDisplayName(), all.bob?.hasLeft()]).to.deep.equal([true, 'Gone', false]);
    expect(all.bad?.getTotalDominantSpeakerTime()).to.equal(0);
    expect(all.me?.isLocalStats()).to.equal(true);

    conference.emit('conference.dominantSpeaker', 'me', [], false);
    conference.emit('conference.dominantSpeaker', 'me', [], false);
    conference.emit('conference.dominantSpeaker', 'me', [], true);
    conference.emit('conference.dominantSpeaker', 'bob', ['me'], false);
    conference.emit('conference.dominantSpeaker', 'me', ['bob'], false);
    expect(fake.sent).to.deep.equal([
      `speakerstats ${JSON.stringify({ xmlns: 'http://jitsi.org/jitmeet', room: ROOM, silence: 'false' })}`,
      `speakerstats ${JSON.stringify({ xmlns: 'http://jitsi.org/jitmeet', room: ROOM, silence: 'true' })}`,
      `speakerstats ${JSON.stringify({ xmlns: 'http://jitsi.org/jitmeet', room: ROOM, silence: 'false' })}`,
    ]);
    collector.dispose();
  });
});
