/**
 * <jitsi-device-picker> (issue 6) in real Chromium with the fake devices: three cameras (`fake_device_0` to `fake_device_2`), three
 * microphones (`default`, `Fake Audio Input 1`, `Fake Audio Input 2`) and three outputs. The fake UI grants the
 * permission before any prompt, so labels show from the start; the hidden-label state and a refused permission
 * are played by wrapping enumerateDevices / getUserMedia, and a plugged or unplugged device by a filtered
 * enumerateDevices plus a `devicechange` event (nothing here can unplug a fake device). The in-conference test
 * runs a real P2P call on the local backend with a small @lit/context provider standing in for <jitsi-conference>.
 */
import { ContextProvider } from '@lit/context';
import { elementUpdated, expect, fixture, html } from '@open-wc/testing';
import { LitElement, type TemplateResult } from 'lit';
import '../../../components/jitsi-device-picker/define.js';
import { conferenceContext, type ConferenceContext } from '../../../components/base/context.js';
import { DEFAULT_DEVICE_STORAGE_KEY, type DeviceChangeDetail, type JitsiDevicePickerElement } from '../../../components/jitsi-device-picker/jitsi-device-picker.js';
import JitsiMeetJS from '../../../src/index.js';
import type { JitsiConference } from '../../../src/conference/JitsiConference.js';
import { runningAudioLevelMonitors } from '../../../src/rtc/AudioLevelMonitor.js';
import { audioOutputListenerCount } from '../../../src/rtc/audioOutput.js';
import type { JitsiLocalTrack } from '../../../src/rtc/JitsiLocalTrack.js';
import { mediaDevices } from '../../../src/rtc/mediaDevices.js';
import { uniqueRoomName } from '../../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll } from '../../helpers/engine.js';
import { oneEvent, until, untilAsync } from '../../helpers/events.js';

type Kind = DeviceChangeDetail['kind'];

// ---- spies on the browser's media API (they call through) --------------------------------------------------

const nativeMedia = navigator.mediaDevices;
const realGetUserMedia = nativeMedia.getUserMedia.bind(nativeMedia);
const realEnumerate = nativeMedia.enumerateDevices.bind(nativeMedia);
const realAdd = nativeMedia.addEventListener.bind(nativeMedia);
const realRemove = nativeMedia.removeEventListener.bind(nativeMedia);

/** Every MediaStreamTrack getUserMedia handed out, to prove none stays live. */
const captured: MediaStreamTrack[] = [];
const gumCalls: MediaStreamConstraints[] = [];
let gumFailure: DOMException | undefined;
let enumerateFilter: ((devices: MediaDeviceInfo[]) => MediaDeviceInfo[]) | undefined;
let devicechangeListeners = 0;

const spiedGetUserMedia = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
  gumCalls.push(constraints ?? {});
  if (gumFailure) throw gumFailure;
  const stream = await realGetUserMedia(constraints);
  captured.push(...stream.getTracks());
  return stream;
};
nativeMedia.getUserMedia = spiedGetUserMedia;
nativeMedia.enumerateDevices = async (): Promise<MediaDeviceInfo[]> => {
  const devices = await realEnumerate();
  return enumerateFilter ? enumerateFilter(devices) : devices;
};
nativeMedia.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) => {
  if (type === 'devicechange') devicechangeListeners++;
  realAdd(type, listener, options);
}) as typeof nativeMedia.addEventListener;
nativeMedia.removeEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions) => {
  if (type === 'devicechange') devicechangeListeners--;
  realRemove(type, listener, options);
}) as typeof nativeMedia.removeEventListener;

/** Chromium before a permission: one entry per kind, no id, no label. */
function hideLabels(devices: MediaDeviceInfo[]): MediaDeviceInfo[] {
  const kinds = [...new Set(devices.map((d) => d.kind))];
  return kinds.map((kind): MediaDeviceInfo => ({ kind, deviceId: '', groupId: '', label: '', toJSON: () => ({}) }));
}

/** The OS reports a change; the engine re-lists and emits DEVICE_LIST_CHANGED when the list differs. */
function deviceChange(filter: ((devices: MediaDeviceInfo[]) => MediaDeviceInfo[]) | undefined): void {
  enumerateFilter = filter;
  nativeMedia.dispatchEvent(new Event('devicechange'));
}

// ---- helpers ------------------------------------------------------------------------------------------------

const KEYS = [DEFAULT_DEVICE_STORAGE_KEY, 'my-app.devices', 'other.devices'];

async function realDevices(): Promise<MediaDeviceInfo[]> {
  return realEnumerate();
}

async function idOf(label: string): Promise<string> {
  const device = (await realDevices()).find((d) => d.label === label);
  if (!device) throw new Error(`no device labelled ${label}`);
  return device.deviceId;
}

async function picker(template: TemplateResult = html`<jitsi-device-picker></jitsi-device-picker>`): Promise<JitsiDevicePickerElement> {
  const el = await fixture<JitsiDevicePickerElement>(template);
  await el.updateComplete;
  return el;
}

const part = <E extends Element = HTMLElement>(el: Element, name: string): E | null => el.shadowRoot?.querySelector<E>(`[part~="${name}"]`) ?? null;
const selectOf = (el: Element, kind: Kind): HTMLSelectElement => {
  const select = part<HTMLSelectElement>(el, `${kind}-select`);
  if (!select) throw new Error(`no ${kind} select`);
  return select;
};
const optionLabels = (select: HTMLSelectElement): string[] => [...select.options].map((o) => o.textContent?.trim() ?? '');
const selectedLabel = (select: HTMLSelectElement): string => select.selectedOptions[0]?.textContent?.trim() ?? '';

/** What a user does: picks an entry, and the select fires `change`. */
function choose(el: Element, kind: Kind, deviceId: string): void {
  const select = selectOf(el, kind);
  select.value = deviceId;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

function stored(key = DEFAULT_DEVICE_STORAGE_KEY): Record<string, string> {
  return JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, string>;
}

function collect(target: EventTarget): DeviceChangeDetail[] {
  const details: DeviceChangeDetail[] = [];
  target.addEventListener('jitsi-device-change', (event) => details.push((event as CustomEvent<DeviceChangeDetail>).detail));
  return details;
}

const liveCaptures = (): MediaStreamTrack[] => captured.filter((t) => t.readyState === 'live');

beforeEach(() => {
  gumCalls.length = 0;
  for (const key of KEYS) localStorage.removeItem(key);
  enumerateFilter = undefined;
  gumFailure = undefined;
});

afterEach(async () => {
  // @open-wc's fixture cleanup (registered first) has removed the pickers.
  enumerateFilter = undefined;
  gumFailure = undefined;
  await until(() => liveCaptures().length === 0, 'every captured track to end', 5_000);
  expect(mediaDevices.nativeListeners().devicechange, 'native devicechange listener').to.equal(false);
  expect(devicechangeListeners).to.equal(0);
  await until(() => runningAudioLevelMonitors() === 0, 'audio level monitors to stop', 2_000);
  expect(audioOutputListenerCount()).to.equal(0);
  if (mediaDevices.getAudioOutputDevice() !== 'default') await mediaDevices.setAudioOutputDevice('default');
});

// ---- standalone --------------------------------------------------------------------------------------------

describe('<jitsi-device-picker>', function () {
  this.timeout(30_000);

  it('lists the fake devices in labelled native selects, one per kind, with parts', async () => {
    const el = await picker();
    const selects = el.shadowRoot?.querySelectorAll('select') ?? [];
    expect(selects).to.have.length(3);
    const labels = [...(el.shadowRoot?.querySelectorAll('label') ?? [])];
    expect(labels.map((l) => l.textContent?.trim())).to.deep.equal(['Microphone', 'Camera', 'Speaker']);
    for (const [i, label] of labels.entries()) {
      expect(label.getAttribute('part')).to.contain('label');
      expect(label.htmlFor).to.equal(selects[i]?.id);
    }
    expect(optionLabels(selectOf(el, 'audioinput'))).to.include.members(['Fake Default Audio Input', 'Fake Audio Input 1', 'Fake Audio Input 2']);
    expect(optionLabels(selectOf(el, 'videoinput'))).to.deep.equal(['fake_device_0', 'fake_device_1', 'fake_device_2']);
    expect(optionLabels(selectOf(el, 'audiooutput'))).to.include.members(['Fake Default Audio Output', 'Fake Audio Output 1', 'Fake Audio Output 2']);
    for (const kind of ['audioinput', 'videoinput', 'audiooutput'] as const) {
      expect(selectOf(el, kind).getAttribute('part')).to.equal(`select ${kind}-select`);
      expect(selectOf(el, kind).disabled).to.equal(false);
    }
    expect(part(el, 'base')).to.exist;
    expect(part(el, 'permission-button'), 'no permission button: names are shown').to.equal(null);
    expect(part(el, 'preview')).to.equal(null);
    // Nothing remembered: what the browser uses by default.
    expect(el.selected).to.deep.equal({ audioinput: 'default', videoinput: await idOf('fake_device_0'), audiooutput: 'default' });
    expect(selectedLabel(selectOf(el, 'audioinput'))).to.equal('Fake Default Audio Input');
    expect(gumCalls, 'listing needs no capture').to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('kinds="videoinput" shows only the camera; kinds takes commas and keeps the order', async () => {
    const camera = await picker(html`<jitsi-device-picker kinds="videoinput"></jitsi-device-picker>`);
    expect(camera.shadowRoot?.querySelectorAll('select')).to.have.length(1);
    expect(selectOf(camera, 'videoinput')).to.exist;
    expect(Object.keys(camera.selected)).to.deep.equal(['videoinput']);
    await expect(camera).to.be.accessible();

    const two = await picker(html`<jitsi-device-picker kinds="audiooutput, audioinput"></jitsi-device-picker>`);
    expect([...(two.shadowRoot?.querySelectorAll('select') ?? [])].map((s) => s.dataset.kind)).to.deep.equal(['audiooutput', 'audioinput']);

    two.kinds = 'videoinput';
    await two.updateComplete;
    expect([...(two.shadowRoot?.querySelectorAll('select') ?? [])].map((s) => s.dataset.kind)).to.deep.equal(['videoinput']);
    expect(two.selected).to.deep.equal({ videoinput: await idOf('fake_device_0') });
  });

  it('choosing a device emits jitsi-device-change (bubbling, composed) and remembers it; the output is set', async () => {
    const el = await picker();
    const input2 = await idOf('Fake Audio Input 2');
    const changed = oneEvent<CustomEvent<DeviceChangeDetail>>(document, 'jitsi-device-change');
    choose(el, 'audioinput', input2);
    const event = await changed;
    expect(event.detail).to.deep.equal({ kind: 'audioinput', deviceId: input2 });
    expect(event.bubbles && event.composed).to.equal(true);
    expect(stored()).to.deep.equal({ audioinput: input2 });
    expect(el.selected.audioinput).to.equal(input2);
    await el.updateComplete;
    expect(selectedLabel(selectOf(el, 'audioinput'))).to.equal('Fake Audio Input 2');

    const output1 = await idOf('Fake Audio Output 1');
    choose(el, 'audiooutput', output1);
    await until(() => mediaDevices.getAudioOutputDevice() === output1, 'the page output to follow');
    expect(stored()).to.deep.equal({ audioinput: input2, audiooutput: output1 });
    await expect(el).to.be.accessible();
  });

  it('a new element restores the stored choice (and sets the remembered output)', async () => {
    const input1 = await idOf('Fake Audio Input 1');
    const output2 = await idOf('Fake Audio Output 2');
    localStorage.setItem(DEFAULT_DEVICE_STORAGE_KEY, JSON.stringify({ audioinput: input1, audiooutput: output2 }));
    const events = collect(document);
    const el = await picker();
    expect(el.selected).to.deep.equal({ audioinput: input1, videoinput: await idOf('fake_device_0'), audiooutput: output2 });
    expect(selectedLabel(selectOf(el, 'audioinput'))).to.equal('Fake Audio Input 1');
    expect(selectedLabel(selectOf(el, 'audiooutput'))).to.equal('Fake Audio Output 2');
    await until(() => mediaDevices.getAudioOutputDevice() === output2, 'the remembered output');
    expect(events, 'a restore is not a change').to.have.length(0);

    // A remembered device that is gone: the default, and the memory stays for when it returns.
    localStorage.setItem(DEFAULT_DEVICE_STORAGE_KEY, JSON.stringify({ audioinput: 'unplugged-mic' }));
    const other = await picker();
    expect(other.selected.audioinput).to.equal('default');
    expect(stored().audioinput).to.equal('unplugged-mic');
    // Garbage in storage is ignored.
    localStorage.setItem(DEFAULT_DEVICE_STORAGE_KEY, '{not json');
    expect((await picker()).selected.audioinput).to.equal('default');
  });

  it('storage-key is respected; an empty key remembers nothing', async () => {
    const input1 = await idOf('Fake Audio Input 1');
    const el = await picker(html`<jitsi-device-picker storage-key="my-app.devices"></jitsi-device-picker>`);
    choose(el, 'audioinput', input1);
    expect(stored('my-app.devices')).to.deep.equal({ audioinput: input1 });
    expect(localStorage.getItem(DEFAULT_DEVICE_STORAGE_KEY)).to.equal(null);
    expect((await picker(html`<jitsi-device-picker storage-key="my-app.devices"></jitsi-device-picker>`)).selected.audioinput).to.equal(input1);
    expect((await picker()).selected.audioinput, 'the default key knows nothing').to.equal('default');

    const forgetful = await picker(html`<jitsi-device-picker storage-key=""></jitsi-device-picker>`);
    choose(forgetful, 'audioinput', input1);
    for (const key of KEYS) expect(localStorage.getItem(key) === null || key === 'my-app.devices').to.equal(true);

    // Switching the key chooses again from the other memory.
    const input2 = await idOf('Fake Audio Input 2');
    localStorage.setItem('other.devices', JSON.stringify({ audioinput: input2 }));
    el.storageKey = 'other.devices';
    await el.updateComplete;
    expect(el.selected.audioinput).to.equal(input2);
  });

  it('follows device changes: keeps a choice that exists, falls back to the first when it goes, returns when it comes back', async () => {
    const input2 = await idOf('Fake Audio Input 2');
    const el = await picker();
    choose(el, 'audioinput', input2);
    const events = collect(el);
    const camera = el.selected.videoinput;

    // An output goes away: the microphone choice stays, nothing is emitted for it.
    const output2 = await idOf('Fake Audio Output 2');
    deviceChange((list) => list.filter((d) => d.deviceId !== output2));
    await until(() => !optionLabels(selectOf(el, 'audiooutput')).includes('Fake Audio Output 2'), 'the output to leave the list');
    expect(el.selected.audioinput).to.equal(input2);
    expect(events).to.deep.equal([]);

    // The chosen microphone is unplugged.
    deviceChange((list) => list.filter((d) => d.deviceId !== input2));
    await until(() => events.length === 1, 'the fallback change');
    expect(events[0]).to.deep.equal({ kind: 'audioinput', deviceId: 'default' });
    await el.updateComplete;
    expect(selectedLabel(selectOf(el, 'audioinput'))).to.equal('Fake Default Audio Input');
    expect(optionLabels(selectOf(el, 'audioinput'))).not.to.include('Fake Audio Input 2');
    expect(stored().audioinput, 'the remembered choice survives the fallback').to.equal(input2);
    expect(el.selected.videoinput).to.equal(camera);

    // ...and plugged in again.
    deviceChange(undefined);
    await until(() => events.length === 2, 'the return to the remembered device');
    expect(events[1]).to.deep.equal({ kind: 'audioinput', deviceId: input2 });
    await el.updateComplete;
    expect(selectedLabel(selectOf(el, 'audioinput'))).to.equal('Fake Audio Input 2');
    await expect(el).to.be.accessible();
  });

  it('hidden names: a permission button that captures the hidden kinds once, releases them and lists the names', async () => {
    enumerateFilter = hideLabels;
    const el = await picker();
    const button = part<HTMLButtonElement>(el, 'permission-button');
    expect(button?.tagName).to.equal('BUTTON');
    expect(button?.textContent?.trim()).to.equal('Allow camera and microphone');
    expect(selectOf(el, 'audioinput').disabled).to.equal(true);
    expect(optionLabels(selectOf(el, 'videoinput'))).to.deep.equal(['Default']);
    expect(el.selected).to.deep.equal({});
    await expect(el).to.be.accessible();

    // The grant: what getUserMedia does to the list in a browser without the fake UI.
    const granted = new Promise<void>((resolve) => {
      nativeMedia.getUserMedia = async (constraints) => {
        const stream = await spiedGetUserMedia(constraints);
        enumerateFilter = undefined;
        nativeMedia.getUserMedia = spiedGetUserMedia;
        resolve();
        return stream;
      };
    });
    button?.click();
    await granted;
    await until(() => part(el, 'permission-button') === null, 'the button to go');
    const constraints = gumCalls.at(-1);
    expect(Boolean(constraints?.audio) && Boolean(constraints?.video), 'one prompt for both').to.equal(true);
    await until(() => liveCaptures().length === 0, 'the permission tracks to be released');
    expect(optionLabels(selectOf(el, 'videoinput'))).to.deep.equal(['fake_device_0', 'fake_device_1', 'fake_device_2']);
    expect(selectOf(el, 'audioinput').disabled).to.equal(false);
    expect(el.selected.audioinput).to.equal('default');
    await expect(el).to.be.accessible();
  });

  it('hidden names with preview: the preview capture reveals the names and its tracks are kept, not captured again', async () => {
    enumerateFilter = hideLabels;
    nativeMedia.getUserMedia = async (constraints) => {
      const stream = await spiedGetUserMedia(constraints);
      enumerateFilter = undefined;
      nativeMedia.getUserMedia = spiedGetUserMedia;
      return stream;
    };
    const el = await picker(html`<jitsi-device-picker preview></jitsi-device-picker>`);
    await until(() => el.previewTracks.length === 2, 'the preview');
    const tracks = [...el.previewTracks];
    await until(() => part(el, 'permission-button') === null && optionLabels(selectOf(el, 'videoinput'))[0] === 'fake_device_0', 'the names');
    await el.updateComplete;
    expect(el.selected.videoinput).to.equal(tracks.find((t) => t.getType() === 'video')?.getDeviceId());
    expect(el.previewTracks).to.deep.equal(tracks);
    expect(gumCalls, 'one capture').to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('a refused permission shows an alert and emits jitsi-media-error', async () => {
    enumerateFilter = hideLabels;
    gumFailure = new DOMException('Permission denied', 'NotAllowedError');
    const el = await picker(html`<jitsi-device-picker lang="de"></jitsi-device-picker>`);
    const failed = oneEvent<CustomEvent<{ error: Error }>>(el, 'jitsi-media-error');
    part<HTMLButtonElement>(el, 'permission-button')?.click();
    const { detail } = await failed;
    expect(detail.error.name).to.equal(JitsiMeetJS.errors.track.PERMISSION_DENIED);
    await el.updateComplete;
    const alert = part(el, 'error');
    expect(alert?.getAttribute('role')).to.equal('alert');
    expect(alert?.textContent).to.contain('Zugriff');
    expect(part(el, 'permission-button')?.textContent?.trim()).to.equal('Kamera und Mikrofon erlauben');
    expect(el.shadowRoot?.querySelector('label')?.textContent?.trim()).to.equal('Mikrofon');
    await expect(el).to.be.accessible();
  });

  it('preview: a playing camera thumbnail and a microphone level from its own tracks, disposed on removal', async () => {
    const el = await picker(html`<jitsi-device-picker preview></jitsi-device-picker>`);
    const video = part<HTMLVideoElement>(el, 'preview');
    expect(video?.tagName).to.equal('VIDEO');
    await until(() => (video?.videoWidth ?? 0) > 0 && video?.paused === false, 'the thumbnail to play');
    const meter = part<HTMLMeterElement>(el, 'level');
    expect(meter?.tagName).to.equal('METER');
    await until(() => (meter?.value ?? 0) > 0, 'a microphone level (the fake beep)', 3_000);
    const tracks = [...el.previewTracks];
    expect(tracks.map((t) => t.getType()).sort()).to.deep.equal(['audio', 'video']);
    expect(tracks.find((t) => t.getType() === 'video')?.getDeviceId()).to.equal(el.selected.videoinput);
    await expect(el).to.be.accessible();

    el.remove();
    for (const track of tracks) {
      expect(track.isDisposed()).to.equal(true);
      expect(track.getTrack().readyState).to.equal('ended');
    }
    expect(video?.srcObject).to.equal(null);
  });

  it('preview: another microphone replaces the preview track; preview off releases everything', async () => {
    const el = await picker(html`<jitsi-device-picker preview kinds="audioinput"></jitsi-device-picker>`);
    expect(part(el, 'preview'), 'no camera kind, no thumbnail').to.equal(null);
    await until(() => el.previewTracks.length === 1, 'the microphone preview');
    const [first] = el.previewTracks;
    expect(first?.getType()).to.equal('audio');
    const input1 = await idOf('Fake Audio Input 1');
    choose(el, 'audioinput', input1);
    await until(() => el.previewTracks[0] !== undefined && el.previewTracks[0] !== first, 'a preview of the new microphone');
    expect(first?.isDisposed()).to.equal(true);
    expect(el.previewTracks[0]?.getDeviceId()).to.equal(input1);
    const meter = part<HTMLMeterElement>(el, 'level');
    await until(() => (meter?.value ?? 0) > 0, 'a level from the new microphone', 3_000);

    const second = el.previewTracks[0];
    el.preview = false;
    await el.updateComplete;
    expect(second?.isDisposed()).to.equal(true);
    expect(el.previewTracks).to.have.length(0);
    expect(part(el, 'level')).to.equal(null);
    await until(() => liveCaptures().length === 0, 'no live capture');
  });

  it('add/remove 30 times leaves no DEVICE_LIST_CHANGED listener and no live preview track', async function () {
    this.timeout(90_000);
    const container = await fixture<HTMLDivElement>(html`<div></div>`);
    const seen = new Set<JitsiLocalTrack>();
    for (let i = 0; i < 30; i++) {
      const el = document.createElement('jitsi-device-picker');
      el.preview = i % 3 !== 0;
      container.append(el);
      expect(mediaDevices.nativeListeners().devicechange).to.equal(true);
      await el.updateComplete;
      // Some leave at once, some while capturing, some after the preview runs.
      if (i % 3 === 2) await until(() => el.previewTracks.length === 2, 'the preview');
      for (const track of el.previewTracks) seen.add(track);
      el.remove();
    }
    expect(mediaDevices.nativeListeners().devicechange).to.equal(false);
    expect(devicechangeListeners).to.equal(0);
    expect(seen.size).to.be.greaterThan(0);
    await until(() => liveCaptures().length === 0, 'every capture to end, also the ones that completed after removal');
    for (const track of seen) expect(track.isDisposed()).to.equal(true);
  });

  it('works twice on one page: independent lists and previews, a choice shown by both (same key)', async () => {
    const container = await fixture<HTMLDivElement>(html`<div>
      <jitsi-device-picker id="a" preview></jitsi-device-picker>
      <jitsi-device-picker id="b" preview kinds="audioinput videoinput"></jitsi-device-picker>
      <jitsi-device-picker id="c" storage-key="other.devices"></jitsi-device-picker>
    </div>`);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => container.querySelector<JitsiDevicePickerElement>(`#${id}`)) as JitsiDevicePickerElement[];
    if (!a || !b || !c) throw new Error('pickers missing');
    await Promise.all([a.updateComplete, b.updateComplete, c.updateComplete]);
    await until(() => a.previewTracks.length === 2 && b.previewTracks.length === 2, 'both previews');
    for (const el of [a, b]) {
      const video = part<HTMLVideoElement>(el, 'preview');
      await until(() => (video?.videoWidth ?? 0) > 0, 'each thumbnail');
    }
    const events = collect(container);
    const input1 = await idOf('Fake Audio Input 1');
    choose(a, 'audioinput', input1);
    await Promise.all([a.updateComplete, b.updateComplete]);
    expect(events, 'one change, from the picker used').to.deep.equal([{ kind: 'audioinput', deviceId: input1 }]);
    expect(b.selected.audioinput).to.equal(input1);
    expect(c.selected.audioinput, 'another key, another memory').to.equal('default');
    await until(() => b.previewTracks.find((t) => t.getType() === 'audio')?.getDeviceId() === input1, "b's preview to follow");
    await expect(a).to.be.accessible();
    await expect(b).to.be.accessible();

    a.remove();
    expect(mediaDevices.nativeListeners().devicechange, 'b still listens').to.equal(true);
    deviceChange((list) => list.filter((d) => d.label !== 'Fake Audio Output 2'));
    await until(() => !optionLabels(selectOf(c, 'audiooutput')).includes('Fake Audio Output 2'), 'c to follow the change');
  });
});

// ---- inside a conference --------------------------------------------------------------------------------------

/**
 * A stand-in for <jitsi-conference>: provides the conference context; its switchDevice does what the brief asks
 * of the provider (a new track from the device, then replaceTrack, no renegotiation).
 */
class TestConferenceProvider extends LitElement {
  conference: JitsiConference | undefined;
  tracks: JitsiLocalTrack[] = [];
  readonly calls: { switchDevice: [string, string][]; setAudioOutput: string[] } = { switchDevice: [], setAudioOutput: [] };
  private revision = 0;
  private readonly provider = new ContextProvider(this, { context: conferenceContext, initialValue: undefined });

  protected override render(): TemplateResult {
    return html`<slot></slot>`;
  }

  publish(): void {
    const value: ConferenceContext = {
      conference: this.conference,
      localTracks: [...this.tracks],
      dominantSpeaker: undefined,
      revision: ++this.revision,
      switchDevice: async (kind, deviceId) => {
        this.calls.switchDevice.push([kind, deviceId]);
        const media = kind === 'audioinput' ? 'audio' : 'video';
        const old = this.tracks.find((t) => t.getType() === media);
        const [fresh] = await JitsiMeetJS.createLocalTracks({ devices: [media], ...(media === 'audio' ? { micDeviceId: deviceId } : { cameraDeviceId: deviceId }) });
        if (!fresh || !old || !this.conference) throw new Error('nothing to switch');
        await this.conference.replaceTrack(old, fresh);
        await old.dispose();
        this.tracks = [...this.tracks.filter((t) => t !== old), fresh];
        this.publish();
      },
      setAudioOutput: async (deviceId) => {
        this.calls.setAudioOutput.push(deviceId);
        await JitsiMeetJS.mediaDevices.setAudioOutputDevice(deviceId);
      },
    };
    this.provider.setValue(value);
  }
}
customElements.define('test-conference-provider', TestConferenceProvider);

async function inbound(conference: JitsiConference, kind: 'audio' | 'video'): Promise<{ framesDecoded?: number; bytesReceived?: number }> {
  const pc = conference.p2pJingleSession?.peerconnection;
  if (!pc) return {};
  let found = {};
  (await pc.getStats()).forEach((report: { type?: string; kind?: string }) => {
    if (report.type === 'inbound-rtp' && report.kind === kind) found = report;
  });
  return found;
}

describe('<jitsi-device-picker> in a conference', function () {
  this.timeout(60_000);
  const owned: JitsiLocalTrack[] = [];
  const conferences: JitsiConference[] = [];

  afterEach(async () => {
    // Tracks switched in during the test belong to the conference now.
    for (const conference of conferences.splice(0)) owned.push(...conference.getLocalTracks());
    await leaveAll();
    await disconnectAll();
    await Promise.all(owned.splice(0).map((t) => t.dispose()));
  });

  async function mediaClient(room: string) {
    const local = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'], resolution: 360 });
    owned.push(...local);
    const client = await joinedClient(room, 'websocket', {}, (conference) => {
      conferences.push(conference);
      for (const track of local) void conference.addTrack(track);
    });
    return { ...client, local };
  }

  it('switches the live camera and microphone with replaceTrack: P2P stays up, the peer keeps decoding; output via the context', async () => {
    const room = uniqueRoomName('picker');
    const a = await mediaClient(room);
    const b = await mediaClient(room);
    await until(() => a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P on both sides', 15_000);
    await untilAsync(async () => ((await inbound(b.conference, 'video')).framesDecoded ?? 0) > 0, 'b to decode a');
    const pcBefore = b.conference.p2pJingleSession?.peerconnection;
    const remoteVideo = b.conference.getParticipants()[0]?.getTracksByMediaType('video')[0];

    const provider = await fixture<TestConferenceProvider>(html`<test-conference-provider
      .conference=${a.conference}
      .tracks=${[...a.local]}
    ><jitsi-device-picker preview></jitsi-device-picker></test-conference-provider>`);
    provider.publish();
    const el = provider.querySelector('jitsi-device-picker');
    if (!el) throw new Error('no picker');
    await el.updateComplete;

    // The preview shows the call's own camera; nothing is captured for it.
    const video = part<HTMLVideoElement>(el, 'preview');
    const oldCamera = a.conference.getLocalVideoTrack();
    await until(() => video?.srcObject === oldCamera?.getOriginalStream() && (video?.videoWidth ?? 0) > 0, 'the live camera in the thumbnail');
    expect(el.previewTracks).to.have.length(0);
    await until(() => (part<HTMLMeterElement>(el, 'level')?.value ?? 0) > 0, "the call microphone's level", 3_000);
    expect(el.selected.videoinput).to.equal(oldCamera?.getDeviceId());
    await expect(el).to.be.accessible();

    // Another camera (fake_device_1 is a depth camera WebRTC never encodes): through the context, the track is
    // replaced and the old one released.
    const camera = await idOf('fake_device_2');
    choose(el, 'videoinput', camera);
    await until(() => a.conference.getLocalVideoTrack() !== oldCamera, 'the camera track to be replaced', 10_000);
    expect(provider.calls.switchDevice).to.deep.equal([['videoinput', camera]]);
    await until(() => oldCamera?.getTrack().readyState === 'ended', 'the old camera to be released', 5_000);
    expect(a.conference.getLocalVideoTrack()?.getDeviceId()).to.equal(camera);
    const newCamera = a.conference.getLocalVideoTrack();
    await until(() => video?.srcObject === newCamera?.getOriginalStream() && (video?.videoWidth ?? 0) > 0, 'the thumbnail to follow the new track');
    const framesAfterSwitch = (await inbound(b.conference, 'video')).framesDecoded ?? 0;
    await untilAsync(async () => ((await inbound(b.conference, 'video')).framesDecoded ?? 0) > framesAfterSwitch + 15, 'b to keep decoding after the switch');
    expect(a.conference.isP2PActive() && b.conference.isP2PActive(), 'P2P stays active').to.equal(true);
    expect(b.conference.p2pJingleSession?.peerconnection, 'same peer connection').to.equal(pcBefore);
    expect(b.conference.getParticipants()[0]?.getTracksByMediaType('video')[0], 'same remote track at b').to.equal(remoteVideo);

    // A real other device: the microphone.
    const input2 = await idOf('Fake Audio Input 2');
    const oldMic = a.conference.getLocalAudioTrack();
    choose(el, 'audioinput', input2);
    await until(() => a.conference.getLocalAudioTrack()?.getDeviceId() === input2, 'the microphone to be switched');
    expect(oldMic?.isDisposed()).to.equal(true);
    const bytes = (await inbound(b.conference, 'audio')).bytesReceived ?? 0;
    await untilAsync(async () => ((await inbound(b.conference, 'audio')).bytesReceived ?? 0) > bytes + 2_000, 'b to keep receiving audio');
    expect(a.conference.isP2PActive()).to.equal(true);
    expect(stored()).to.deep.equal({ videoinput: camera, audioinput: input2 });

    // The output goes through the context.
    const output1 = await idOf('Fake Audio Output 1');
    choose(el, 'audiooutput', output1);
    await until(() => mediaDevices.getAudioOutputDevice() === output1, 'the output to be set');
    expect(provider.calls.setAudioOutput).to.deep.equal([output1]);
    await expect(el).to.be.accessible();

    // The tracks of the call are the conference's: removing the picker leaves them running.
    el.remove();
    await elementUpdated(provider);
    expect(a.conference.getLocalVideoTrack()?.getTrack().readyState).to.equal('live');

    // `.conference` without a provider: the picker replaces the track itself and disposes the old one.
    const standalone = await picker(html`<jitsi-device-picker kinds="audioinput" .conference=${a.conference}></jitsi-device-picker>`);
    const input1 = await idOf('Fake Audio Input 1');
    const beforeHatch = a.conference.getLocalAudioTrack();
    choose(standalone, 'audioinput', input1);
    await until(() => a.conference.getLocalAudioTrack()?.getDeviceId() === input1, 'the escape hatch to switch the microphone');
    expect(beforeHatch?.isDisposed()).to.equal(true);
    expect(a.conference.isP2PActive()).to.equal(true);
  });

  it('restores a remembered microphone into the call once its track exists', async () => {
    const room = uniqueRoomName('picker-restore');
    const a = await mediaClient(room);
    const input1 = await idOf('Fake Audio Input 1');
    localStorage.setItem(DEFAULT_DEVICE_STORAGE_KEY, JSON.stringify({ audioinput: input1 }));
    const provider = await fixture<TestConferenceProvider>(html`<test-conference-provider .conference=${a.conference}
      ><jitsi-device-picker kinds="audioinput"></jitsi-device-picker
    ></test-conference-provider>`);
    // No tracks yet (a conference still opening its media).
    provider.publish();
    const el = provider.querySelector('jitsi-device-picker');
    await el?.updateComplete;
    expect(provider.calls.switchDevice).to.deep.equal([]);
    provider.tracks = [...a.local];
    provider.publish();
    await until(() => a.conference.getLocalAudioTrack()?.getDeviceId() === input1, 'the remembered microphone in the call');
    expect(provider.calls.switchDevice).to.deep.equal([['audioinput', input1]]);
    await el?.updateComplete;
    expect(el?.selected.audioinput).to.equal(input1);
    expect(provider.calls.switchDevice, 'asked once').to.have.length(1);
  });
});
