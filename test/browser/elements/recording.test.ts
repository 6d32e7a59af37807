/**
 * Recording in `<jitsi-conference>` (issue 14): the hand-written page test/pages/recording.html opened twice.
 * The moderator's page has the recording button, the other page has none; starting shows "Recording" on both
 * pages, stopping takes it away. Needs `npm run build` first.
 */
import { expect } from '@open-wc/testing';
import type { JitsiConference } from '../../../src/conference/JitsiConference.js';
import { until } from '../../helpers/events.js';

interface ConferenceElement extends HTMLElement {
  state: string;
  conference: JitsiConference | undefined;
}

const frames: HTMLIFrameElement[] = [];

async function openPage(name: string): Promise<{ element: ConferenceElement; errors: string[] }> {
  const frame = document.createElement('iframe');
  frame.allow = 'camera; microphone; autoplay';
  frame.style.width = '800px';
  frame.style.height = '540px';
  const errors: string[] = [];
  frame.addEventListener('load', () => {
    frame.contentWindow?.addEventListener('error', (event) => errors.push(String(event.message)));
    frame.contentWindow?.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
  });
  frame.src = `/test/pages/${name}`;
  document.body.append(frame);
  frames.push(frame);
  await until(() => frame.contentWindow?.location.pathname === `/test/pages/${name}` && frame.contentDocument?.readyState === 'complete', `${name} to load`, 15_000);
  const element = frame.contentDocument?.querySelector<ConferenceElement>('jitsi-conference');
  if (!element) throw new Error('no conference element');
  await until(() => element.state === 'joined', `${name} to join`, 20_000);
  return { element, errors };
}

const part = (element: ConferenceElement, name: string): HTMLElement | null => element.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;

describe('<jitsi-conference recording>: start and stop recording from the control bar', function () {
  this.timeout(60_000);
  afterEach(() => {
    for (const frame of frames.splice(0)) frame.remove();
  });

  it('the moderator records; both pages show it; the other page has no button', async () => {
    const first = await openPage('recording.html');
    await until(() => first.element.conference?.isModerator() === true, 'the first page to be moderator', 10_000);
    const second = await openPage('recording.html');
    await until(() => part(first.element, 'button-recording') !== null, 'the recording button', 10_000);
    expect(part(second.element, 'button-recording'), 'no button for a participant').to.equal(null);
    expect(part(first.element, 'recording-indicator')).to.equal(null);

    const button = part(first.element, 'button-recording');
    expect(button?.getAttribute('aria-label')).to.equal('Start recording');
    button?.click();
    await until(() => part(second.element, 'recording-indicator')?.textContent === 'Recording', 'the indicator on the second page', 10_000);
    await until(() => part(first.element, 'recording-indicator') !== null, 'the indicator on the first page', 10_000);
    const stop = part(first.element, 'button-recording');
    expect(stop?.getAttribute('aria-label')).to.equal('Stop recording');
    expect(stop?.getAttribute('aria-pressed')).to.equal('true');
    stop?.click();
    await until(() => part(second.element, 'recording-indicator') === null && part(first.element, 'recording-indicator') === null, 'the indicators to go', 10_000);
    expect(part(first.element, 'button-recording')?.getAttribute('aria-label')).to.equal('Start recording');
    expect(first.errors).to.deep.equal([]);
    expect(second.errors).to.deep.equal([]);
  });
});
