/**
 * The lobby in `<jitsi-conference>` (issue 14), with two hand-written pages (test/pages/lobby-*.html) in
 * frames, everything done through the UI: the host switches the lobby on from the participants panel; a guest
 * page waits on "waiting to be admitted" under its name; the host admits it from the queue (the guest's call
 * starts); a second guest is refused from the notice over the stage (the guest is told so); a guest without a
 * name types one, knocks and is admitted from the notice. Needs
 * `npm run build` first.
 */
import { expect } from '@open-wc/testing';
import { until } from '../../helpers/events.js';

interface ConferenceElement extends HTMLElement {
  state: string;
  conference: { isMembersOnly(): boolean; getParticipants(): unknown[] } | undefined;
}

const frames: HTMLIFrameElement[] = [];

async function openPage(name: string): Promise<{ element: ConferenceElement; errors: string[] }> {
  const frame = document.createElement('iframe');
  frame.allow = 'camera; microphone; autoplay';
  frame.style.width = '800px';
  frame.style.height = '600px';
  const errors: string[] = [];
  frame.addEventListener('load', () => {
    const win = frame.contentWindow;
    win?.addEventListener('error', (event) => errors.push(String(event.message)));
    win?.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
  });
  frame.src = `/test/pages/${name}`;
  document.body.append(frame);
  frames.push(frame);
  await until(() => frame.contentWindow?.location.pathname === `/test/pages/${name}` && frame.contentDocument?.readyState === 'complete', `${name} to load`, 15_000);
  const element = frame.contentDocument?.querySelector<ConferenceElement>('jitsi-conference');
  if (!element) throw new Error(`no conference in ${name}`);
  return { element, errors };
}

const find = (element: ConferenceElement, selector: string): HTMLElement | null => element.shadowRoot?.querySelector<HTMLElement>(selector) ?? null;

async function click(element: ConferenceElement, selector: string, what: string): Promise<void> {
  await until(() => find(element, selector) !== null, what, 15_000);
  find(element, selector)?.click();
}

const text = (element: ConferenceElement, selector: string): string => find(element, selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

describe('<jitsi-conference>: the lobby, on two pages', function () {
  this.timeout(90_000);

  afterEach(() => {
    for (const frame of frames.splice(0)) frame.remove();
  });

  it('the host switches the lobby on; a guest waits under its name and is admitted; another is refused', async () => {
    const { element: host, errors: hostErrors } = await openPage('lobby-host.html');
    await until(() => host.state === 'joined', 'the host to join', 20_000);
    expect(find(host, '[part~="lobby-switch"]'), 'no lobby switch outside the participants panel').to.equal(null);
    await click(host, '[part~="button-participants"]', "the host's participants button");
    await until(() => find(host, '[part~="lobby-switch"]') !== null, 'the lobby switch (the host is a moderator)', 10_000);
    expect(find(host, '[part~="lobby-switch"]')?.getAttribute('aria-pressed')).to.equal('false');
    await click(host, '[part~="lobby-switch"]', 'the lobby switch');
    await until(() => find(host, '[part~="lobby-switch"]')?.getAttribute('aria-pressed') === 'true', 'the lobby to be on', 10_000);
    expect(host.conference?.isMembersOnly()).to.equal(true);
    expect(text(host, '[part~="lobby"]')).to.contain('Nobody is waiting.');

    // A guest knocks and waits under its name; the host sees it in the queue and admits it.
    const { element: guest, errors: guestErrors } = await openPage('lobby-guest.html');
    await until(() => find(guest, '[part~="lobby-waiting"]') !== null, 'the guest to wait in the lobby', 20_000);
    expect(text(guest, '[part~="lobby-waiting"]')).to.contain('Waiting to be admitted');
    expect(text(guest, '[part~="lobby-waiting"]')).to.contain('Kim');
    expect(guest.state).to.equal('connecting');
    await until(() => text(host, '[part~="lobby-queue"]').includes('Kim'), 'Kim in the host\'s queue', 10_000);
    await click(host, '[part~="lobby-queue"] [part~="lobby-admit"]', 'Admit');
    await until(() => guest.state === 'joined', 'the admitted guest to join', 20_000);
    await until(() => find(host, '[part~="lobby-queue"]') === null, 'the queue to empty', 10_000);
    await until(() => (host.conference?.getParticipants().length ?? 0) === 1, 'the host to see the guest', 10_000);

    // With the panel closed, a second guest shows up as a notice over the stage; the host refuses it.
    await click(host, '[part~="panel-close"]', 'the panel close button');
    const { element: second, errors: secondErrors } = await openPage('lobby-guest.html');
    await until(() => find(second, '[part~="lobby-waiting"]') !== null, 'the second guest to wait', 20_000);
    await until(() => text(host, '[part~="lobby-notice"]').includes('Kim wants to join'), 'the notice over the host\'s stage', 10_000);
    await click(host, '[part~="lobby-notice"] [part~="lobby-refuse"]', 'Refuse');
    await until(() => second.state === 'failed', 'the refused guest to fail', 15_000);
    expect(text(second, '[part~="status"]')).to.contain('A moderator did not let you in.');
    await until(() => find(host, '[part~="lobby-notice"]') === null, 'the notice to go', 10_000);
    expect(guest.state).to.equal('joined');

    // A guest without a name is asked for one, then knocks under it.
    const { element: third, errors: thirdErrors } = await openPage('lobby-guest-unnamed.html');
    await until(() => find(third, '[part~="lobby-knock"]') !== null, 'the name form of the lobby', 20_000);
    const input = find(third, '[part~="lobby-knock"] input[name="name"]') as HTMLInputElement | null;
    if (!input) throw new Error('no name input');
    input.value = 'Lou';
    await click(third, '[part~="lobby-ask"]', 'Ask to join');
    await until(() => text(third, '[part~="lobby-waiting"]').includes('Lou'), 'Lou to wait in the lobby', 15_000);
    await until(() => text(host, '[part~="lobby-notice"]').includes('Lou wants to join'), 'the notice for Lou', 10_000);
    await click(host, '[part~="lobby-notice"] [part~="lobby-admit"]', 'Admit Lou');
    await until(() => third.state === 'joined', 'Lou to join', 20_000);
    expect([...hostErrors, ...guestErrors, ...secondErrors, ...thirdErrors]).to.deep.equal([]);
  });
});
