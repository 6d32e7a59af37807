/**
 * Meeting moderation in `<jitsi-conference>` (issue 14) on a hand-written page (test/pages/meeting-moderation.html)
 * opened twice, as two people would: the first is moderator and sees "End meeting for all", the AV moderation
 * switch and the speaking times; the other's microphone stays off with the reason shown and the hand raised
 * until the moderator allows it; ending the meeting sends the other page to the "left" view. Needs
 * `npm run build` first.
 */
import { expect } from '@open-wc/testing';
import type { JitsiConference } from '../../../src/conference/JitsiConference.js';
import type { JitsiLocalTrack } from '../../../src/rtc/JitsiLocalTrack.js';
import { until } from '../../helpers/events.js';

interface ConferenceElement extends HTMLElement {
  state: string;
  localTracks: JitsiLocalTrack[];
  conference: JitsiConference | undefined;
}

const frames: HTMLIFrameElement[] = [];

async function openPage(name: string): Promise<ConferenceElement> {
  const frame = document.createElement('iframe');
  frame.allow = 'camera; microphone; autoplay';
  frame.style.width = '900px';
  frame.style.height = '650px';
  frame.src = `/test/pages/${name}`;
  document.body.append(frame);
  frames.push(frame);
  await until(() => frame.contentWindow?.location.pathname === `/test/pages/${name}` && frame.contentDocument?.readyState === 'complete', `${name} to load`, 15_000);
  const element = frame.contentDocument?.querySelector<ConferenceElement>('jitsi-conference');
  if (!element) throw new Error('no jitsi-conference');
  await until(() => element.state === 'joined', 'the page to join', 20_000);
  return element;
}

const shadow = (element: ConferenceElement): ShadowRoot => {
  if (!element.shadowRoot) throw new Error('no shadow root');
  return element.shadowRoot;
};
const find = <T extends Element = HTMLElement>(element: ConferenceElement, selector: string): T | null => shadow(element).querySelector<T>(selector);
async function click(element: ConferenceElement, selector: string, what: string): Promise<void> {
  await until(() => find(element, selector) !== null, what, 10_000);
  find(element, selector)?.click();
}
const microphone = (element: ConferenceElement): JitsiLocalTrack | undefined => element.localTracks.find((t) => t.getType() === 'audio');

describe('<jitsi-conference>: meeting moderation on two pages', function () {
  this.timeout(90_000);

  afterEach(() => {
    for (const frame of frames.splice(0)) frame.remove();
  });

  it('moderator tools only for the moderator; a held-back unmute says why; allow to speak; end for all', async () => {
    const host = await openPage('meeting-moderation.html');
    await until(() => host.conference?.isModerator() === true, 'the first page to be moderator', 10_000);
    const guest = await openPage('meeting-moderation.html');
    await until(() => (host.conference?.getParticipants().length ?? 0) === 1, 'the moderator to see the guest', 10_000);

    await click(host, 'button.control-participants', 'the participants button');
    await click(guest, 'button.control-participants', 'the guest\'s participants button');
    await until(() => find(host, '[part~="end-for-all"]') !== null && find(host, '[part~="speaker-stats"]') !== null, 'the moderator tools', 10_000);
    expect(find(host, '[part~="av-moderation"] input')).to.not.equal(null);
    await until(() => find(guest, '[part~="speaker-stats"]') !== null, 'the guest\'s speaking times', 10_000);
    expect(find(guest, '[part~="end-for-all"]'), 'no end-for-all for a participant').to.equal(null);
    expect(find(guest, '[part~="av-moderation"]')).to.equal(null);

    // Only allowed participants may unmute: the focus mutes the guest.
    const toggle = find<HTMLInputElement>(host, '[part~="av-moderation"] input');
    if (!toggle) throw new Error('no switch');
    toggle.checked = true;
    toggle.dispatchEvent(new Event('change'));
    await until(() => guest.conference?.isAVModerationEnabled('audio') === true && microphone(guest)?.isMuted() === true, 'the guest muted by moderation', 10_000);
    await click(guest, 'button.control-microphone', 'the guest\'s microphone button');
    await until(() => find(guest, '[part~="unmute-refused"]') !== null, 'the reason the microphone stays off', 10_000);
    expect(find(guest, '[part~="unmute-refused"]')?.textContent).to.contain('moderator has to allow you to speak');
    expect(microphone(guest)?.isMuted()).to.equal(true);
    await until(() => guest.conference?.getLocalParticipantProperty('raisedHand') !== '', 'the guest\'s hand up');

    // The moderator allows it: the notice goes, the microphone comes on.
    const guestId = guest.conference?.myUserId() ?? '';
    await click(host, `li[data-id="${guestId}"] [part~="allow-to-speak"]`, 'allow to speak');
    await until(() => guest.conference?.isUnmuteAllowed('audio') === true, 'the guest allowed', 10_000);
    await until(() => find(guest, '[part~="unmute-refused"]') === null, 'the notice to go', 10_000);
    await click(guest, 'button.control-microphone', 'the guest\'s microphone button');
    await until(() => microphone(guest)?.isMuted() === false, 'the guest\'s microphone on', 10_000);

    // End for all: the guest's page shows the "left" view.
    await click(host, '[part~="end-for-all"]', 'end for all');
    await until(() => guest.state === 'failed' && host.state === 'failed', 'both pages to end', 10_000);
    await until(() => find(guest, 'button.control-microphone') === null, 'the call view to go', 10_000);
  });
});
