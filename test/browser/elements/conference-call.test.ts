/**
 * `<jitsi-conference>` in calls through the bridge (issue 13): every remote tile keeps presenting frames as
 * participants come and go, while the element asks the bridge only for what it shows.
 */
import { expect, fixture } from '@open-wc/testing';
import '../../../components/jitsi-conference/define.js';
import type { JitsiConferenceElement } from '../../../components/jitsi-conference/jitsi-conference.js';
import { backendEndpoints, uniqueRoomName } from '../../helpers/backend.js';
import { cleanupMedia, mediaClient, type Client } from '../../helpers/bridge.js';
import { until } from '../../helpers/events.js';

const elements: JitsiConferenceElement[] = [];

async function conferenceElement(room: string, extra = '', style = 'width: 960px; height: 600px'): Promise<JitsiConferenceElement> {
  const endpoints = await backendEndpoints();
  const wrapper = await fixture<HTMLDivElement>(
    `<div><jitsi-conference style="${style}" service-url="${endpoints.websocketUrl}" domain="${endpoints.domain}" room="${room}" ${extra}></jitsi-conference></div>`,
  );
  const element = wrapper.querySelector('jitsi-conference') as JitsiConferenceElement;
  elements.push(element);
  await until(() => element.getAttribute('state') === 'joined', 'the element to join', 20_000);
  return element;
}

const tileOf = (element: JitsiConferenceElement, id: string): HTMLElement | null => element.shadowRoot?.querySelector(`[data-participant="${id}"]`) ?? null;

function framesShown(element: JitsiConferenceElement, id: string): number {
  const video = tileOf(element, id)?.querySelector('jitsi-track[kind="video"]')?.shadowRoot?.querySelector('video');
  return video?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
}

/** Each tile shows new frames: the count grows by `frames` within the time allowed. */
async function untilEveryTilePresents(element: JitsiConferenceElement, clients: Client[], what: string): Promise<void> {
  for (const client of clients) {
    await until(() => framesShown(element, client.id) > 0, `${what}: ${client.id}'s tile to show video`, 20_000);
    const start = framesShown(element, client.id);
    await until(() => framesShown(element, client.id) > start + 5, `${what}: ${client.id}'s tile to keep presenting frames`, 10_000);
  }
}

describe('<jitsi-conference> in calls through the bridge', function () {
  this.timeout(120_000);

  afterEach(async () => {
    for (const element of elements.splice(0)) element.remove();
    await cleanupMedia();
  });

  it('every remote tile keeps presenting frames as participants come and go', async () => {
    const room = uniqueRoomName('tiles');
    const element = await conferenceElement(room);
    const [a, b] = [await mediaClient(room), await mediaClient(room)];
    if (!a || !b) throw new Error('no clients');
    await untilEveryTilePresents(element, [a, b], 'two others');
    const c = await mediaClient(room);
    await untilEveryTilePresents(element, [a, b, c], 'a third arrives');
    await a.conference.leave();
    await until(() => tileOf(element, a.id) === null, 'the tile of the one who left to go', 15_000);
    await untilEveryTilePresents(element, [b, c], 'after one left');
    // The bridge forwards what is shown.
    const shown = [`${b.id}-v0`, `${c.id}-v0`].sort();
    await until(() => JSON.stringify(element.conference?.getForwardedSources().sort()) === JSON.stringify(shown), 'the bridge to forward the shown sources', 10_000);
    expect(element.conference?.getForwardedSources().sort()).to.deep.equal(shown);
  });
});
