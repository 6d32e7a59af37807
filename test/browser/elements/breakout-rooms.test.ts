/**
 * Breakout rooms in `<jitsi-conference>` (issue 14): two hand-written pages (test/pages/breakout-rooms.html) in
 * one meeting. The first to join is the moderator: in the participants panel it adds a breakout room, sends the
 * other page there with the room select, and closes it; the other page follows into the breakout room and back.
 * The participant's panel lists the rooms but has no moderator controls. Needs `npm run build` first.
 */
import { expect } from '@open-wc/testing';
import type { JitsiConference } from '../../../src/conference/JitsiConference.js';
import { until } from '../../helpers/events.js';

interface ConferenceElement extends HTMLElement {
  state: string;
  conference: JitsiConference | undefined;
}

const frames: HTMLIFrameElement[] = [];

afterEach(async () => {
  for (const frame of frames.splice(0)) {
    const element = frame.contentDocument?.querySelector<ConferenceElement>('jitsi-conference');
    await element?.conference?.leave().catch(() => undefined);
    frame.remove();
  }
});

async function openPage(): Promise<ConferenceElement> {
  const frame = document.createElement('iframe');
  frame.allow = 'camera; microphone; autoplay';
  frame.style.width = '900px';
  frame.style.height = '700px';
  frame.src = '/test/pages/breakout-rooms.html';
  document.body.append(frame);
  frames.push(frame);
  await until(() => frame.contentWindow?.location.pathname === '/test/pages/breakout-rooms.html' && frame.contentDocument?.readyState === 'complete', 'the page to load', 15_000);
  const element = frame.contentDocument?.querySelector<ConferenceElement>('jitsi-conference');
  if (!element) throw new Error('no <jitsi-conference>');
  await until(() => element.state === 'joined', 'the page to join', 20_000);
  return element;
}

const shadow = (element: ConferenceElement): ShadowRoot => {
  if (!element.shadowRoot) throw new Error('no shadow root');
  return element.shadowRoot;
};
const panel = (element: ConferenceElement): Element | null => shadow(element).querySelector('[part~="breakout-rooms"]');
const buttons = (element: ConferenceElement, part: string): HTMLButtonElement[] => [...shadow(element).querySelectorAll<HTMLButtonElement>(`button[part~="${part}"]`)];

async function openParticipants(element: ConferenceElement): Promise<void> {
  const toggle = shadow(element).querySelector<HTMLButtonElement>('button[part~="button-participants"]');
  if (!toggle) throw new Error('no participants button');
  toggle.click();
  await until(() => panel(element) !== null, 'the breakout rooms in the participants panel');
}

describe('<jitsi-conference>: breakout rooms', function () {
  this.timeout(90_000);

  it('a moderator adds a room, sends the other page there and closes it; the other page follows and comes back', async () => {
    const host = await openPage();
    const guest = await openPage();
    await until(() => host.conference?.isModerator() === true && guest.conference?.isModerator() === false, 'the first page to be the moderator');
    await openParticipants(host);
    await openParticipants(guest);
    expect(buttons(guest, 'breakout-add')).to.have.length(0);

    buttons(host, 'breakout-add')[0]?.click();
    await until(() => (guest.shadowRoot?.querySelectorAll('.breakout-room').length ?? 0) === 2, 'the guest to list the main room and the new one');
    expect(shadow(guest).querySelector('.breakout-room:not([data-jid*="@conference."]) .breakout-room-name')?.textContent).to.equal('Breakout room 1');
    expect(buttons(guest, 'breakout-close')).to.have.length(0);

    // The moderator sends the guest with the room select next to the guest's name.
    await until(() => shadow(host).querySelectorAll('select[part~="breakout-assign"]').length === 2, 'a room select for both participants');
    const main = host.conference;
    const guestJid = main?.getBreakoutRooms().getRooms()[main.getName()]?.participants[`${main.roomJid}/${guest.conference?.myUserId() ?? ''}`]?.jid;
    const target = [...shadow(host).querySelectorAll<HTMLElement>('.breakout-participant')].find((li) => li.dataset.jid === guestJid);
    const select = target?.querySelector('select');
    if (!select) throw new Error('no select for the guest');
    const option = [...select.options].find((o) => o.value.includes('@breakout.'));
    if (!option) throw new Error('no breakout room option');
    select.value = option.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));

    await until(() => guest.conference?.getBreakoutRooms().isBreakoutRoom() === true && guest.state === 'joined', 'the guest in the breakout room', 30_000);
    expect(guest.conference?.roomJid).to.equal(option.value);
    await until(() => host.conference?.getParticipants().length === 0, 'the guest gone from the main room');

    // Closing the room brings the guest back.
    await until(() => buttons(host, 'breakout-close').length === 1, 'a close button');
    buttons(host, 'breakout-close')[0]?.click();
    await until(() => guest.conference?.getBreakoutRooms().isBreakoutRoom() === false && guest.state === 'joined', 'the guest back in the main room', 30_000);
    await until(() => host.conference?.getParticipants().length === 1, 'the host to see the guest again', 20_000);
    await until(() => (guest.shadowRoot?.querySelectorAll('.breakout-room').length ?? 0) === 1, 'only the main room listed');
  });
});
