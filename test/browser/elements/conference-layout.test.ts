/**
 * `<jitsi-conference>` layout and accessibility acceptance (issue 13). In Chromium at 375x667, 768x1024 and
 * 1280x800, with the element's height auto, 400 px, 600 px and 100vh, in every state (pre-join, joined with 1,
 * 2, 4 and 9 participants, chat / participants / devices open, speaker view, failed, left): every visible
 * control's centre lies inside the element's visible box and a hit test in the shadow root finds the control
 * there; tile names and indicators stay inside their tile. In each state axe-core finds no violation, with
 * `color-contrast` included, in the default theme and the two themes of docs/themes.md (light, and the CMS demo's).
 *
 * The other participants are engine clients through the bridge (test/helpers/bridge.ts), made once per
 * participant count; only the layout is checked, not media.
 */
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { JitsiConferenceElement } from '../../../components/jitsi-conference/jitsi-conference.js';
import { uniqueRoomName } from '../../helpers/backend.js';
import { cleanupMedia, mediaClient, type Client } from '../../helpers/bridge.js';
import {
  applyTheme,
  conferenceElement,
  customProperties,
  documentedThemes,
  layoutProblems,
  part,
  removeConferenceElements,
  settle,
  type Theme,
} from '../../helpers/conference-element.js';
import { until } from '../../helpers/events.js';

const VIEWPORTS = [
  { width: 375, height: 667 },
  { width: 768, height: 1024 },
  { width: 1280, height: 800 },
];
const HEIGHTS = ['auto', '400px', '600px', '100vh'];
/** Names that do not fit a small tile: they must be cut with an ellipsis inside it. */
const NAMES = ['Maximiliane Wilhelmina von Hohenzollern-Sigmaringen', 'Ada', 'Grace Brewster Murray Hopper', 'Alan Turing', 'Katherine Coleman Goble Johnson', 'Li', 'Radia Joy Perlman', 'Tim Berners-Lee'];

/** The layout problems of the element in every viewport and height, each prefixed with where. */
async function sweep(element: JitsiConferenceElement, state: string): Promise<string[]> {
  const problems: string[] = [];
  for (const viewport of VIEWPORTS) {
    await setViewport(viewport);
    for (const height of HEIGHTS) {
      element.style.height = height === 'auto' ? '' : height;
      await settle(element);
      // The element's top at the top of the viewport (its layout does not depend on the scroll position).
      window.scrollTo(0, window.scrollY + element.getBoundingClientRect().top);
      for (const problem of layoutProblems(element)) problems.push(`${state}, ${viewport.width}x${viewport.height}, height ${height}: ${problem}`);
    }
  }
  return problems;
}

let themes: Record<string, Theme> = {};

/** axe-core on the element in the default theme and each documented one; the violations' messages. */
async function axeProblems(element: JitsiConferenceElement, state: string): Promise<string[]> {
  await setViewport({ width: 1280, height: 800 });
  element.style.height = '600px';
  const problems: string[] = [];
  for (const [name, theme] of Object.entries({ default: {}, ...themes })) {
    applyTheme(element, theme);
    await settle(element);
    try {
      await expect(element).to.be.accessible();
    } catch (error) {
      problems.push(`${state}, theme ${name}: ${(error as Error).message}`);
    }
  }
  applyTheme(element, {});
  return problems;
}

async function checkState(element: JitsiConferenceElement, state: string): Promise<void> {
  const problems = [...(await sweep(element, state)), ...(await axeProblems(element, state))];
  expect(problems, problems.join('\n')).to.deep.equal([]);
}

describe('<jitsi-conference> layout and accessibility in every state, size and theme', function () {
  this.timeout(120_000);

  before(async () => {
    themes = await documentedThemes();
  });

  after(async () => {
    await removeConferenceElements();
    await cleanupMedia();
    await setViewport({ width: 800, height: 600 });
  });

  it('docs/themes.md holds the light theme and the CMS demo theme with its exact tokens', async () => {
    expect(Object.keys(themes)).to.deep.equal(['light', 'cms']);
    const demo = await (await fetch('/demo/cms-embed.html')).text();
    const demoTheme = customProperties(/jitsi-conference \{([\s\S]*?)\}/.exec(demo)?.[1] ?? '');
    expect(themes.cms).to.deep.equal(demoTheme);
    expect(Object.keys(themes.light ?? {}).filter((name) => name.startsWith('--jitsi-color-'))).to.have.length(15);
  });

  it('axe checks colour contrast inside the shadow root: a theme with unreadable text fails', async () => {
    const element = await conferenceElement(uniqueRoomName('layout'), { attributes: 'prejoin', style: 'height: 600px' });
    await until(() => element.getAttribute('state') === 'prejoin', 'prejoin');
    applyTheme(element, { '--jitsi-color-background': '#777777', '--jitsi-color-surface': '#777777', '--jitsi-color-text': '#808080' });
    await settle(element);
    let message = '';
    try {
      await expect(element).to.be.accessible();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('Rule: color-contrast');
    await removeConferenceElements();
  });

  it('pre-join', async () => {
    const element = await conferenceElement(uniqueRoomName('layout'), { attributes: 'prejoin display-name="Me"' });
    await until(() => element.getAttribute('state') === 'prejoin' && element.localTracks.length === 2, 'prejoin with preview', 20_000);
    await checkState(element, 'pre-join');
    await removeConferenceElements();
  });

  it('failed', async () => {
    const element = await conferenceElement(uniqueRoomName('layout'), { serviceUrl: 'ws://127.0.0.1:9/xmpp-websocket' });
    await until(() => element.getAttribute('state') === 'failed', 'failed', 20_000);
    await checkState(element, 'failed');
    await removeConferenceElements();
  });

  describe('joined', () => {
    let element: JitsiConferenceElement;
    let room = '';
    const clients: Client[] = [];

    async function withParticipants(count: number): Promise<void> {
      while (clients.length < count - 1) {
        const client = await mediaClient(room, {}, 180);
        client.conference.setDisplayName(NAMES[clients.length] ?? 'Guest');
        clients.push(client);
      }
      await until(() => element.conference?.getParticipants().filter((p) => p.getDisplayName()).length === count - 1, `${count - 1} others with names`, 20_000);
    }

    before(async () => {
      room = uniqueRoomName('layout');
      element = await conferenceElement(room, { attributes: 'display-name="Me"', persistent: true });
      await until(() => element.getAttribute('state') === 'joined', 'joined', 20_000);
    });

    for (const count of [1, 2, 4, 9]) {
      it(`with ${count} participant${count > 1 ? 's' : ''}`, async () => {
        await withParticipants(count);
        await checkState(element, `joined with ${count}`);
      });
    }

    for (const panel of ['chat', 'participants', 'devices'] as const) {
      it(`with the ${panel} panel open (9 participants)`, async () => {
        await withParticipants(9);
        if (panel === 'chat') {
          clients[0]?.conference.sendTextMessage('A long line with a link https://example.org/a/very/long/path/that/does/not/fit/anywhere?with=query&and=more and words');
          clients[1]?.conference.sendTextMessage('Short one');
          await until(() => element.session.chat.length === 2, 'two messages');
        }
        part<HTMLButtonElement>(element, `button-${panel}`)?.click();
        await until(() => part(element, panel) !== null, `the ${panel} panel`);
        await checkState(element, `${panel} open`);
        part<HTMLButtonElement>(element, `button-${panel}`)?.click();
        await until(() => part(element, panel) === null, `the ${panel} panel to close`);
      });
    }

    it('in speaker view (9 participants)', async () => {
      await withParticipants(9);
      element.layout = 'speaker';
      await until(() => part(element, 'speaker-view') !== null, 'speaker view');
      await checkState(element, 'speaker view');
      element.layout = 'auto';
    });

    it('left', async () => {
      await element.leave();
      await until(() => element.getAttribute('state') === 'left', 'left');
      await checkState(element, 'left');
    });
  });
});
