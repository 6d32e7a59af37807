/**
 * `<jitsi-conference>` with others through the bridge (issue 13 acceptance): what one person does with the
 * element's controls is seen by the others. Speaker view following the dominant speaker (four parties), a
 * screen share put on stage, raised hands and reactions, a moderator muting, stopping video and removing
 * someone from the participants panel, and a room password set from the panel and entered in the prompt.
 * Everything is done through the UI (buttons found by part and label, forms filled and submitted); engine
 * clients only stand in for extra participants.
 */
import { expect, fixture } from '@open-wc/testing';
import '../../../components/jitsi-conference/define.js';
import type { JitsiConferenceElement } from '../../../components/jitsi-conference/jitsi-conference.js';
import JitsiMeetJS from '../../../src/index.js';
import { backendEndpoints, uniqueRoomName } from '../../helpers/backend.js';
import { cleanupMedia, mediaClient, type Client } from '../../helpers/bridge.js';
import { record } from '../../helpers/engine.js';
import { until } from '../../helpers/events.js';

const C = JitsiMeetJS.events.conference;
const elements: JitsiConferenceElement[] = [];

/** An element in `room` (P2P off, so even two go through the bridge); waits until joined unless told not to. */
async function conferenceElement(room: string, name: string, extra = '', waitJoined = true): Promise<JitsiConferenceElement> {
  const endpoints = await backendEndpoints();
  const wrapper = await fixture<HTMLDivElement>(
    `<div><jitsi-conference style="width: 960px; height: 540px" service-url="${endpoints.websocketUrl}" domain="${endpoints.domain}" room="${room}" display-name="${name}" disable-p2p ${extra}></jitsi-conference></div>`,
  );
  const element = wrapper.querySelector('jitsi-conference') as JitsiConferenceElement;
  elements.push(element);
  if (waitJoined) await until(() => element.getAttribute('state') === 'joined', `${name} to join`, 20_000);
  return element;
}

const idOf = (element: JitsiConferenceElement): string => element.conference?.myUserId() ?? '';

const find = <T extends HTMLElement = HTMLElement>(element: JitsiConferenceElement, selector: string): T | null =>
  element.shadowRoot?.querySelector<T>(selector) ?? null;

const tileOf = (element: JitsiConferenceElement, id: string): HTMLElement | null => find(element, `[part~="tile"][data-participant="${id}"]`);

/** Clicks the element's control `selector` once it is there, as a person would. */
async function click(element: JitsiConferenceElement, selector: string, what: string): Promise<void> {
  await until(() => find(element, selector) !== null, what, 15_000);
  const button = find(element, selector);
  if (!button) throw new Error(`no ${what}`);
  expect(button.hasAttribute('disabled'), `${what} enabled`).to.equal(false);
  button.click();
  await element.updateComplete;
}

/** Who is on stage in the element's speaker view (undefined in tile view). */
const onStage = (element: JitsiConferenceElement): string | undefined => find(element, '[part~="speaker-view"] [part~="stage-tile"]')?.dataset.participant;

const videoOf = (tile: HTMLElement | null): HTMLVideoElement | null =>
  tile?.querySelector('jitsi-track[kind="video"]')?.shadowRoot?.querySelector('video') ?? null;

/** The participant ids in the order the element's participants panel lists them. */
const listed = (element: JitsiConferenceElement): string[] =>
  [...(element.shadowRoot?.querySelectorAll<HTMLElement>('[part="participant-list"] > li') ?? [])].map((li) => li.dataset.id ?? '');

const micOf = (client: Client) => client.local.find((t) => t.getType() === 'audio');

afterEach(async () => {
  for (const element of elements.splice(0)) {
    await element.leave().catch(() => undefined);
    element.remove();
  }
  await cleanupMedia();
});

describe('<jitsi-conference> with others through the bridge', function () {
  this.timeout(90_000);

  it('four parties: speaker view follows the dominant speaker, and stays on the last remote speaker while we speak', async () => {
    const room = uniqueRoomName('multi-speaker');
    const a = await conferenceElement(room, 'A', 'start-audio-muted');
    const b = await conferenceElement(room, 'B', 'start-audio-muted');
    const c = await mediaClient(room);
    const d = await mediaClient(room);
    const mic = micOf(d);
    await mic?.mute();
    const bId = idOf(b);
    for (const id of [bId, c.id, d.id]) await until(() => tileOf(a, id) !== null, `A to show ${id}`, 15_000);
    await click(a, '[part~="button-layout"]', "A's layout button");
    expect(a.layout).to.equal('speaker');

    // C is the only one with an open microphone.
    await until(() => onStage(a) === c.id, 'C on stage in A', 20_000);
    expect(find(a, '[part~="filmstrip"]')?.querySelectorAll('[part~="tile"]').length).to.equal(3);

    // B unmutes with its own button, C falls silent: B takes the stage.
    await click(b, '[part~="button-microphone"]', "B's microphone button");
    await micOf(c)?.mute();
    await until(() => onStage(a) === bId, 'B on stage in A', 20_000);

    // D speaks.
    await click(b, '[part~="button-microphone"]', "B's microphone button");
    await mic?.unmute();
    await until(() => onStage(a) === d.id, 'D on stage in A', 20_000);

    // We speak ourselves: the stage keeps the last remote speaker (we never see ourselves on stage).
    await click(a, '[part~="button-microphone"]', "A's microphone button");
    await mic?.mute();
    await until(() => a.session.dominantSpeaker === idOf(a), 'A to be the dominant speaker', 20_000);
    await a.updateComplete;
    expect(onStage(a)).to.equal(d.id);
  });

  it('two parties: a screen share goes on stage (contain) in speaker view, and tile view comes back when it stops', async () => {
    const room = uniqueRoomName('multi-share');
    const a = await conferenceElement(room, 'A');
    const b = await conferenceElement(room, 'B');
    const bId = idOf(b);
    await until(() => (videoOf(tileOf(a, bId))?.videoWidth ?? 0) > 0, "A to show B's camera", 20_000);
    expect(a.conference?.isP2PActive()).to.equal(false);
    expect(find(a, '[part~="grid"]')).to.exist;

    await click(b, '[part~="button-screen"]', "B's share button");
    await until(() => onStage(a) === bId, "B's share on stage in A", 20_000);
    const stage = find(a, '[part~="stage-tile"]');
    expect(stage?.getAttribute('part')).to.contain('featured');
    expect(stage?.querySelector('jitsi-track[kind="video"]')?.getAttribute('fit')).to.equal('contain');
    // The stage plays B's share (the camera's source now carries it), letterboxed rather than cropped.
    const remoteVideo = () => a.conference?.getParticipantById(bId)?.getTracksByMediaType('video')[0];
    await until(() => remoteVideo()?.getVideoType() === 'desktop', 'the share to reach A', 15_000);
    const stageVideo = (): HTMLVideoElement | null => videoOf(find(a, '[part~="stage-tile"]'));
    await until(() => (stageVideo()?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id === remoteVideo()?.getTrack().id, 'the share in the stage video', 10_000);
    await until(() => (stageVideo()?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 10, 'frames of the share on stage', 20_000);
    expect(getComputedStyle(stageVideo() as HTMLVideoElement).objectFit).to.equal('contain');
    expect(find(b, '[part~="button-screen"]')?.getAttribute('aria-pressed')).to.equal('true');

    // Within seconds (it takes tens of ms): only the video type of B's track changes, nothing else re-renders.
    await click(b, '[part~="button-screen"]', "B's stop-sharing button");
    await until(() => find(a, '[part~="grid"]') !== null && onStage(a) === undefined, 'A back in tile view', 5_000);
    await until(() => remoteVideo()?.getVideoType() === 'camera', "B's camera again in A", 15_000);
    await until(() => (videoOf(tileOf(a, bId))?.videoWidth ?? 0) > 0, "B's camera shown in A", 20_000);
    expect(getComputedStyle(videoOf(tileOf(a, bId)) as HTMLVideoElement).objectFit).to.equal('cover');
  });

  it('three parties: a raised hand shows on the tile and moves the participant first in the others\' list; a reaction shows on the sender\'s tile', async () => {
    const room = uniqueRoomName('multi-hand');
    const a = await conferenceElement(room, 'A');
    const m = await mediaClient(room);
    const b = await conferenceElement(room, 'B');
    const [aId, bId] = [idOf(a), idOf(b)];
    const messages = record(m.conference, C.ENDPOINT_MESSAGE_RECEIVED);
    await until(() => tileOf(a, bId) !== null && tileOf(a, m.id) !== null, 'A to show B and M', 15_000);
    await click(a, '[part~="button-participants"]', "A's participants button");
    await until(() => listed(a).join() === [aId, m.id, bId].join(), 'joining order in A\'s list');

    await click(b, '[part~="button-hand"]', "B's raise-hand button");
    await until(() => tileOf(a, bId)?.querySelector('[part="tile-hand"]') !== null, "the hand on B's tile in A", 15_000);
    await until(() => listed(a).join() === [aId, bId, m.id].join(), 'B first in A\'s list');
    expect(find(a, `[part="participant-list"] > li[data-id="${bId}"] [aria-label="Hand raised"]`)).to.exist;
    expect(find(b, '[part~="button-hand"]')?.getAttribute('aria-pressed')).to.equal('true');
    await until(() => Boolean(m.conference.getParticipantById(bId)?.getProperty('raisedHand')), 'the engine client to see the hand');

    await click(b, '[part~="button-hand"]', "B's lower-hand button");
    await until(() => tileOf(a, bId)?.querySelector('[part="tile-hand"]') === null, "the hand gone from B's tile in A", 15_000);
    await until(() => listed(a).join() === [aId, m.id, bId].join(), 'joining order again in A\'s list');

    await click(b, '[part~="button-reactions"]', "B's reactions button");
    await click(b, '[part~="reactions-menu"] [part~="reaction-button"][aria-label="Thumbs up"]', "B's thumbs-up");
    await until(() => tileOf(a, bId)?.querySelector('.reactions [aria-label="Thumbs up"]') !== null, "the reaction on B's tile in A", 15_000);
    expect(tileOf(a, m.id)?.querySelector('.reactions')).to.equal(null);
    await until(() => messages.some(([from, payload]) => (from as { getId(): string }).getId() === bId && (payload as { name?: string }).name === 'endpoint-reaction'), 'the reaction at the engine client');
    const [, payload] = messages.find(([from]) => (from as { getId(): string }).getId() === bId) ?? [];
    expect(payload).to.deep.include({ name: 'endpoint-reaction', reactions: ['like'] });
    expect((payload as { timestamp?: unknown }).timestamp).to.be.a('number');
  });

  it('two parties: the moderator mutes, stops the video of and removes someone from the participants panel; the removed one can rejoin', async () => {
    const room = uniqueRoomName('multi-moderator');
    const a = await conferenceElement(room, 'Ada');
    const b = await conferenceElement(room, 'Bob');
    const bId = idOf(b);
    await until(() => a.conference?.isModerator() === true, 'A to be moderator', 15_000);
    await until(() => tileOf(a, bId) !== null && b.localTracks.length === 2, 'A to show B', 15_000);
    const [bMic, bCamera] = [b.localTracks.find((t) => t.getType() === 'audio'), b.localTracks.find((t) => t.getType() === 'video')];
    expect(bMic?.isMuted()).to.equal(false);
    await click(a, '[part~="button-participants"]', "A's participants button");
    const row = `[part="participant-list"] > li[data-id="${bId}"]`;

    await click(a, `${row} [part~="participant-action"][aria-label="Mute Bob"]`, 'Mute Bob');
    await until(() => bMic?.isMuted() === true, "B's microphone muted", 15_000);
    await until(() => find(b, '[part~="button-microphone"]')?.getAttribute('aria-pressed') === 'false', "B's microphone button to show it", 10_000);
    await until(() => tileOf(a, bId)?.querySelector('[part="tile-indicators"] [aria-label="Microphone muted"]') !== null, "A's tile of B to show it", 10_000);
    await until(() => find(a, `${row} [aria-label="Mute Bob"]`) === null, 'the mute action gone once muted');

    await click(a, `${row} [part~="participant-action"][aria-label="Stop video of Bob"]`, 'Stop video of Bob');
    await until(() => bCamera?.isMuted() === true, "B's camera off", 15_000);
    await until(() => find(b, '[part~="button-camera"]')?.getAttribute('aria-pressed') === 'false', "B's camera button to show it", 10_000);
    await until(() => find(a, `${row} [aria-label="Camera muted"]`) !== null, "A's list to show B's camera off", 10_000);

    await click(a, `${row} [part~="participant-action"][aria-label="Remove Bob"]`, 'Remove Bob');
    await until(() => b.getAttribute('state') === 'left', 'B removed', 15_000);
    await b.updateComplete;
    expect(find(b, '[part~="status"]')?.textContent).to.contain('Ada removed you from the meeting.');
    await until(() => tileOf(a, bId) === null && find(a, row) === null, 'B gone from A', 15_000);

    await click(b, '[part~="rejoin-button"]', "B's Rejoin button");
    await until(() => b.getAttribute('state') === 'joined', 'B joined again', 20_000);
    const again = idOf(b);
    await until(() => tileOf(a, again) !== null, 'A to show B again', 15_000);
  });

  it('two parties: a password set from the panel locks the room; a newcomer is prompted, told a wrong one is wrong, and joins with the right one', async () => {
    const room = uniqueRoomName('multi-password');
    const a = await conferenceElement(room, 'A');
    await until(() => a.conference?.isModerator() === true, 'A to be moderator', 15_000);
    const lock = '[part="header"] [aria-label="This meeting has a password"]';
    expect(find(a, lock)).to.equal(null);
    await click(a, '[part~="button-participants"]', "A's participants button");
    await until(() => find(a, '[part="password-form"]') !== null, 'the password form');
    const form = find<HTMLFormElement>(a, '[part="password-form"]');
    const input = form?.querySelector<HTMLInputElement>('input[name="password"]');
    if (!form || !input) throw new Error('no password form');
    input.value = 'sesame-42';
    form.querySelector<HTMLButtonElement>('button[type="submit"]')?.click();
    await until(() => find(a, lock) !== null, "the lock in A's header", 15_000);

    const b = await conferenceElement(room, 'B', '', false);
    await until(() => find(b, '[part~="password-prompt"]') !== null, "B's password prompt", 20_000);
    const prompt = (): { form: HTMLFormElement | null; text: string } => {
      const element = find<HTMLFormElement>(b, '[part~="password-prompt"]');
      return { form: element, text: element?.querySelector('[role="alert"]')?.textContent ?? '' };
    };
    expect(prompt().text).to.equal('This meeting has a password. Enter it to join.');
    const enter = (password: string): void => {
      const field = prompt().form?.querySelector<HTMLInputElement>('[part~="password-input"]');
      if (!field) throw new Error('no password field');
      field.value = password;
      prompt().form?.querySelector<HTMLButtonElement>('[part~="join-button"]')?.click();
    };
    enter('wrong');
    await until(() => prompt().text === 'That password is not right. Try again.', 'the wrong-password message', 15_000);
    expect(b.getAttribute('state')).to.equal('failed');
    enter('sesame-42');
    await until(() => b.getAttribute('state') === 'joined', 'B to join with the password', 20_000);
    await until(() => tileOf(a, idOf(b)) !== null, 'A to show B', 15_000);
    await until(() => find(b, lock) !== null, "the lock in B's header", 15_000);
  });
});
