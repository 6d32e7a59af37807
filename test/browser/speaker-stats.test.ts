/**
 * Speaker statistics (protocol.md 13.5) through the bridge stand-in's dominant speaker and the speakerstats
 * stand-in: getSpeakerStats() counts the dominant speaker's time locally, the dominant client reports itself
 * to the component, and a later joiner gets the totals (of those who left too) from the component's snapshot.
 */
import { expect } from '@open-wc/testing';
import { uniqueRoomName } from '../helpers/backend.js';
import { cleanupMedia, mediaClient, untilMediaFrom } from '../helpers/bridge.js';
import { joinedClient } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

afterEach(cleanupMedia);

describe('JitsiConference: speaker stats', function () {
  this.timeout(60_000);

  it('counts the dominant speaker\'s time; a joiner gets the totals, of a departed speaker too, from the component', async () => {
    const room = uniqueRoomName('stats');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    const c = await mediaClient(room);
    b.conference.setDisplayName('Bea');
    await untilMediaFrom(a, [b, c]);
    for (const other of [a, c]) await other.local.find((t) => t.getType() === 'audio')?.mute();
    await until(() => a.speakers.at(-1)?.[0] === b.id && b.speakers.at(-1)?.[0] === b.id, 'B dominant', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const atA = a.conference.getSpeakerStats();
    expect(atA[a.id]?.isLocalStats()).to.equal(true);
    expect(atA[b.id]?.isLocalStats()).to.equal(false);
    expect(atA[b.id]?.isDominantSpeaker()).to.equal(true);
    expect(atA[b.id]?.getTotalDominantSpeakerTime()).to.be.at.least(1400);
    expect(atA[b.id]?.getDisplayName()).to.equal('Bea');
    expect(b.conference.getSpeakerStats()[b.id]?.getTotalDominantSpeakerTime()).to.be.at.least(1400);

    // B's own count comes from the same DOMINANT_SPEAKER_CHANGED events as B's reports to the component.
    const bOwn = b.conference.getSpeakerStats()[b.id]?.getTotalDominantSpeakerTime() ?? 0;
    await b.conference.leave();
    await until(() => a.conference.getSpeakerStats()[b.id]?.hasLeft() === true, 'B marked as left at A');
    const frozen = a.conference.getSpeakerStats()[b.id]?.getTotalDominantSpeakerTime() ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.conference.getSpeakerStats()[b.id]?.getTotalDominantSpeakerTime()).to.equal(frozen);

    const d = await joinedClient(room);
    await until(() => d.conference.getSpeakerStats()[b.id] !== undefined, 'B in the joiner\'s stats');
    const bAtD = d.conference.getSpeakerStats()[b.id];
    expect(bAtD?.hasLeft()).to.equal(true);
    expect(bAtD?.getDisplayName()).to.equal('Bea');
    // The component counted B from B's own reports: close to what B counted itself (A's count comes from A's
    // events, which a loaded machine may deliver at other times).
    expect(bAtD?.getTotalDominantSpeakerTime()).to.be.within(bOwn - 700, bOwn + 700);
    expect(d.conference.getSpeakerStats()[a.id]?.hasLeft()).to.equal(false);
    expect(d.conference.getSpeakerStats()[c.id]?.hasLeft()).to.equal(false);
    expect(d.conference.getSpeakerStats()[d.conference.myUserId()]?.isLocalStats()).to.equal(true);
  });
});
