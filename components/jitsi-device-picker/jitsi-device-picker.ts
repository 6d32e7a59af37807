import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiTrackError } from '../../src/errors/JitsiTrackError.js';
import { createLocalTracks } from '../../src/rtc/createLocalTracks.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';
import { mediaDevices } from '../../src/rtc/mediaDevices.js';
import { getLogger } from '../../src/util/logger.js';
import { ConferenceLink } from '../base/conference-link.js';
import type { ConferenceContext } from '../base/context.js';
import { JitsiElement } from '../base/jitsi-element.js';
import { languageOf, translate, type StringKey } from '../base/localize.js';
import { DeviceListController } from './device-list.js';
import { captureTracks, DevicePreviewController, type PreviewMedia, type PreviewWant } from './device-preview.js';
import { styles } from './jitsi-device-picker.styles.js';

const logger = getLogger('components/jitsi-device-picker');

/** A kind of device the picker offers, as `MediaDeviceInfo.kind` names it. */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** The chosen device id per kind. */
export type DeviceSelection = Partial<Record<DeviceKind, string>>;

/** `detail` of `jitsi-device-change`. */
export interface DeviceChangeDetail {
  kind: DeviceKind;
  deviceId: string;
}

export const DEVICE_KINDS: readonly DeviceKind[] = ['audioinput', 'videoinput', 'audiooutput'];
export const DEFAULT_DEVICE_STORAGE_KEY = 'jitsi-elements.devices';

const LABELS: Record<DeviceKind, StringKey> = { audioinput: 'microphone', videoinput: 'camera', audiooutput: 'speaker' };
const MEDIA: Record<DeviceKind, PreviewMedia> = { audioinput: 'audio', videoinput: 'video', audiooutput: 'audio' };
const NONE: PreviewWant = { source: 'none' };

/** `kinds="audioinput, videoinput"` -> the valid kinds in the given order; none given (or none valid): all. */
export function parseDeviceKinds(value: string | null | undefined): DeviceKind[] {
  const kinds = (value ?? '')
    .split(/[\s,]+/)
    .filter((token): token is DeviceKind => (DEVICE_KINDS as readonly string[]).includes(token));
  return kinds.length > 0 ? [...new Set(kinds)] : [...DEVICE_KINDS];
}

/** The remembered choice under `key`; `{}` when absent, unreadable or storage is blocked. */
export function readDeviceSelection(key: string): DeviceSelection {
  if (!key) return {};
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    const entries = Object.entries(parsed as Record<string, unknown>);
    return Object.fromEntries(entries.filter(([kind, id]) => (DEVICE_KINDS as readonly string[]).includes(kind) && typeof id === 'string' && id !== ''));
  } catch {
    // Storage blocked (sandboxed frame, privacy mode) or not JSON: nothing remembered.
    return {};
  }
}

function writeDeviceSelection(key: string, kind: DeviceKind, deviceId: string): void {
  if (!key) return;
  try {
    localStorage.setItem(key, JSON.stringify({ ...readDeviceSelection(key), [kind]: deviceId }));
  } catch (error) {
    logger.warn('the device choice could not be remembered', error);
  }
}

/** The conference's own camera or microphone (a screen share is not a camera). */
function liveTrack(context: ConferenceContext | undefined, media: PreviewMedia): JitsiLocalTrack | undefined {
  return context?.localTracks.find((t) => t.getType() === media && t.getVideoType() !== 'desktop' && !t.isDisposed());
}

/**
 * Camera, microphone and speaker choice with native `<select>`s that follow plugged and unplugged devices, a
 * button that asks for the permission the browser needs before it names devices, and an optional preview
 * (camera thumbnail, microphone level). Inside `<jitsi-conference>` (or with `.conference`) a choice switches the
 * live track of the call (replaceTrack, no renegotiation) and the audio output of every participant; alone it
 * sets the page's audio output and tells the page through `jitsi-device-change`. The choice is remembered in
 * `localStorage` and restored when the element connects. Strings follow the closest `lang`.
 *
 * @tag jitsi-device-picker
 * @summary Camera, microphone and speaker selection with preview, remembered across visits.
 *
 * @attr kinds - Which selects to show, space- or comma-separated, in this order: `audioinput`, `videoinput`,
 *   `audiooutput`. Default all; `audiooutput` only where the browser can choose an output (setSinkId).
 * @attr preview - Show a camera thumbnail and a microphone level meter. Alone the picker captures preview tracks
 *   from the chosen devices (released when preview turns off, the device changes or the element is removed);
 *   inside a conference it shows the call's own local tracks.
 * @attr conference - The `id` of the `<jitsi-conference>` whose call the picker switches when it is not inside it.
 *   Not needed inside one, nor on a page with a single conference.
 * @attr storage-key - The `localStorage` key of the remembered choice (JSON `{audioinput, videoinput,
 *   audiooutput}`); default `jitsi-elements.devices`; empty: remember nothing.
 *
 * @csspart base - The container of everything below.
 * @csspart permission-button - Asks for camera / microphone permission; shown while the browser hides device names.
 * @csspart error - The message shown when the permission was refused or a device could not be opened.
 * @csspart preview - The camera thumbnail (`<video>`), mirrored.
 * @csspart field - One label and select; also `audioinput-field`, `videoinput-field`, `audiooutput-field`.
 * @csspart label - The label of a select; also `audioinput-label`, `videoinput-label`, `audiooutput-label`.
 * @csspart select - Every `<select>`; also `audioinput-select`, `videoinput-select`, `audiooutput-select`.
 * @csspart level - The microphone level `<meter>` (0..1) below the microphone select.
 *
 * @cssprop [--jitsi-spacing=0.5rem] - Gap between the fields.
 * @cssprop [--jitsi-radius=0.75rem] - Corner radius of the preview (half of it for selects and the button).
 * @cssprop [--jitsi-font=inherit] - Font family.
 * @cssprop [--jitsi-color-text=inherit] - Text colour of the labels.
 * @cssprop [--jitsi-color-field=Field] - Background of the selects.
 * @cssprop [--jitsi-color-field-text=FieldText] - Text colour of the selects.
 * @cssprop [--jitsi-color-border=#6b7280] - Border of the selects.
 * @cssprop [--jitsi-color-accent=#2563eb] - The permission button and the focus ring.
 * @cssprop [--jitsi-color-danger=#b91c1c] - The error message.
 * @cssprop [--jitsi-preview-width=100%] - The largest width of the camera thumbnail.
 *
 * @fires {CustomEvent<DeviceChangeDetail>} jitsi-device-change - A device was chosen, or the chosen one went away and
 *   the picker fell back to another (or back to the remembered one when it returned): `detail: { kind, deviceId }`.
 * @fires {CustomEvent<{ error: JitsiTrackError }>} jitsi-media-error - The permission was refused or a preview device
 *   could not be opened; `detail.error` is the JitsiTrackError.
 */
export class JitsiDevicePickerElement extends JitsiElement {
  static override styles = styles;

  @property() kinds = DEVICE_KINDS.join(' ');

  @property({ type: Boolean, reflect: true }) preview = false;

  @property({ attribute: 'storage-key' }) storageKey = DEFAULT_DEVICE_STORAGE_KEY;

  /**
   * A conference to switch devices in when the picker is not inside `<jitsi-conference>` (or to override it):
   * a choice captures a new track, `conference.replaceTrack(old, new)`, then disposes the old track.
   */
  @property({ attribute: false }) conference: JitsiConference | undefined;

  /** The `id` of the `<jitsi-conference>` to follow when not inside one; not needed on a page with a single conference. */
  @property({ attribute: 'conference' }) conferenceId = '';

  private readonly link = new ConferenceLink(this, () => this.conferenceId);

  /** What `<jitsi-conference>` provides. */
  private get provided(): ConferenceContext | undefined {
    return this.link.value;
  }

  /** The selection the selects show, checked against the device list. */
  @state() private current: DeviceSelection = {};
  @state() private failure: JitsiTrackError | undefined;

  /** Per input kind, the device we asked the conference to switch to (so that we ask once). */
  private readonly requested: DeviceSelection = {};
  private requesting = false;
  private readonly deviceList = new DeviceListController(this, (devices, changed) => this.onDevices(devices, changed));
  private readonly previewer = new DevicePreviewController(
    this,
    (error) => this.onMediaError(error),
    () => this.onCaptured(),
  );

  /**
   * The chosen device id per shown kind: the remembered choice until the devices are listed, then what the
   * selects show.
   */
  get selected(): DeviceSelection {
    const source = this.deviceList.loaded ? this.current : readDeviceSelection(this.storageKey);
    return Object.fromEntries(this.shownKinds.flatMap((kind) => (source[kind] ? [[kind, source[kind]]] : [])));
  }

  /** The tracks the preview captured itself (none inside a conference, which shows the call's own tracks). */
  get previewTracks(): readonly JitsiLocalTrack[] {
    return this.previewer.ownedTracks;
  }

  /** The kinds shown: the `kinds` attribute, without `audiooutput` where the output cannot be chosen. */
  private get shownKinds(): DeviceKind[] {
    return parseDeviceKinds(this.kinds).filter((kind) => kind !== 'audiooutput' || mediaDevices.isDeviceChangeAvailable('output'));
  }

  /** The explicit `.conference` wins over the provided context. */
  private get context(): ConferenceContext | undefined {
    const conference = this.conference;
    if (!conference) return this.provided;
    return {
      conference,
      localTracks: conference.getLocalTracks(),
      dominantSpeaker: undefined,
      revision: 0,
      switchDevice: (kind, deviceId) => this.replaceInConference(conference, kind, deviceId),
      setAudioOutput: (deviceId) => mediaDevices.setAudioOutputDevice(deviceId),
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('jitsi-device-change', this.onOtherPicker);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('jitsi-device-change', this.onOtherPicker);
  }

  /** Also waits for the device list being read, so that the selects show devices once it resolves. */
  protected override async getUpdateComplete(): Promise<boolean> {
    await this.deviceList.pending;
    return super.getUpdateComplete();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conferenceId') && changed.get('conferenceId') !== undefined) this.link.resolve();
    // Another key or other kinds: choose again as on connect.
    const reconfigured = (['storageKey', 'kinds'] as const).some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (reconfigured && this.deviceList.loaded) {
      this.current = {};
      this.onDevices(this.deviceList.devices, false);
    }
    if (this.isConnected) this.followConference();
    // Before rendering: a live track shown at once needs no second update.
    this.previewer.sync(this.previewWants());
  }

  protected override updated(): void {
    // The DOM's selectedness follows `current` even after the user touched a select (option dirtiness).
    for (const select of this.renderRoot.querySelectorAll<HTMLSelectElement>('select[data-kind]')) {
      const kind = select.dataset.kind as DeviceKind;
      const value = this.current[kind] ?? '';
      if (select.value !== value) select.value = value;
    }
    this.previewer.showIn(this.renderRoot.querySelector<HTMLVideoElement>('video[part="preview"]'));
  }

  // ---- devices ------------------------------------------------------------------------------------------------

  private devicesOf(kind: DeviceKind): MediaDeviceInfo[] {
    return this.deviceList.devices.filter((d) => d.kind === kind);
  }

  /** Ids that can be chosen (the browser gives empty ids before a permission was granted). */
  private idsOf(kind: DeviceKind): string[] {
    return this.devicesOf(kind).flatMap((d) => (d.deviceId ? [d.deviceId] : []));
  }

  /** The media whose device names the browser still hides (Chrome hides output names until microphone access). */
  private hiddenMedia(): PreviewMedia[] {
    const hidden = this.shownKinds.filter((kind) => this.devicesOf(kind).some((d) => d.label === '')).map((kind) => MEDIA[kind]);
    return [...new Set(hidden)];
  }

  /**
   * A new device list. The first list (or the first with ids) restores the remembered choice, else shows the
   * device in use, else the first. Later lists keep the choice while its device exists, fall back to the first
   * when it went away and return to the remembered device when it comes back; those two emit the change.
   */
  private onDevices(_devices: readonly MediaDeviceInfo[], changed: boolean): void {
    const stored = readDeviceSelection(this.storageKey);
    const next: DeviceSelection = {};
    const restored: DeviceChangeDetail[] = [];
    const fellBack: DeviceChangeDetail[] = [];
    for (const kind of this.shownKinds) {
      const ids = this.idsOf(kind);
      const previous = this.current[kind];
      const preferred = stored[kind];
      const available = (id: string | undefined): id is string => id !== undefined && ids.includes(id);
      let choice: string | undefined;
      if (!changed || previous === undefined) {
        choice = [preferred, this.deviceInUse(kind), ids[0]].find(available);
        if (choice !== undefined && choice === preferred) restored.push({ kind, deviceId: choice });
      } else if (available(preferred) && preferred !== previous) {
        choice = preferred;
        fellBack.push({ kind, deviceId: choice });
      } else if (available(previous)) {
        choice = previous;
      } else {
        choice = ids[0];
        if (choice !== undefined) fellBack.push({ kind, deviceId: choice });
      }
      if (choice !== undefined) next[kind] = choice;
    }
    this.current = next;
    for (const { kind, deviceId } of restored) void this.apply(kind, deviceId, true);
    for (const detail of fellBack) {
      this.emit<DeviceChangeDetail>('jitsi-device-change', detail);
      void this.apply(detail.kind, detail.deviceId, false);
    }
  }

  /** The device the conference's track (or our preview track) of that kind uses now. */
  private deviceInUse(kind: DeviceKind): string | undefined {
    if (kind === 'audiooutput') return mediaDevices.getAudioOutputDevice();
    const media = MEDIA[kind];
    const track = liveTrack(this.context, media) ?? this.previewer.ownedTracks.find((t) => t.getType() === media);
    return track?.getDeviceId() || undefined;
  }

  private onSelect(kind: DeviceKind, event: Event): void {
    const deviceId = (event.target as HTMLSelectElement).value;
    if (!deviceId) return;
    this.current = { ...this.current, [kind]: deviceId };
    writeDeviceSelection(this.storageKey, kind, deviceId);
    this.emit<DeviceChangeDetail>('jitsi-device-change', { kind, deviceId });
    void this.apply(kind, deviceId, false);
  }

  /** Another picker with the same storage key made a choice: show it too (that picker applied it). */
  private readonly onOtherPicker = (event: GlobalEventHandlersEventMap['jitsi-device-change']): void => {
    const other = event.composedPath()[0];
    if (other === this || !(other instanceof JitsiDevicePickerElement) || !this.storageKey || other.storageKey !== this.storageKey) return;
    const { kind, deviceId } = event.detail;
    if (!this.shownKinds.includes(kind) || !this.idsOf(kind).includes(deviceId) || this.current[kind] === deviceId) return;
    this.current = { ...this.current, [kind]: deviceId };
    if (kind !== 'audiooutput') this.requested[kind] = deviceId;
  };

  /**
   * Puts a choice to work: inside a conference the live track is switched and the output set for everyone;
   * alone the page's audio output is set (the preview follows `current` by itself). A restored choice is
   * applied only where it differs from what is in use.
   */
  private async apply(kind: DeviceKind, deviceId: string, restoring: boolean): Promise<void> {
    const context = this.context;
    try {
      if (kind === 'audiooutput') {
        if (restoring && mediaDevices.getAudioOutputDevice() === deviceId) return;
        await (context ? context.setAudioOutput(deviceId) : mediaDevices.setAudioOutputDevice(deviceId));
        return;
      }
      const live = liveTrack(context, MEDIA[kind]);
      if (!context || (restoring && (!live || live.getDeviceId() === deviceId))) return;
      this.requested[kind] = deviceId;
      await context.switchDevice(kind, deviceId);
    } catch (error) {
      // Asked once (`requested` stays): followConference must not retry a failing device on every update.
      logger.warn(`switching the ${kind} to ${deviceId} failed`, error);
      // Show what is really in use.
      const inUse = this.deviceInUse(kind);
      if (inUse && this.idsOf(kind).includes(inUse)) this.current = { ...this.current, [kind]: inUse };
    }
  }

  /**
   * Inside a conference the picker shows the device of the call's live track; a remembered choice that differs
   * is pushed to the conference once its track exists (the conference opened the default devices).
   */
  private followConference(): void {
    const context = this.context;
    if (!context || !this.deviceList.loaded) return;
    const stored = readDeviceSelection(this.storageKey);
    for (const kind of ['audioinput', 'videoinput'] as const) {
      const live = liveTrack(context, MEDIA[kind]);
      const want = this.current[kind];
      if (!live || !want || !this.shownKinds.includes(kind)) continue;
      const inUse = live.getDeviceId();
      if (inUse === want || this.requested[kind] === want) continue;
      if (want === stored[kind]) void this.apply(kind, want, true);
      else if (this.idsOf(kind).includes(inUse)) this.current = { ...this.current, [kind]: inUse };
    }
  }

  /** `.conference` without `<jitsi-conference>`: what lib-jitsi-meet apps do to switch a device. */
  private async replaceInConference(conference: JitsiConference, kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const media = MEDIA[kind];
    const old = conference.getLocalTracks(media).find((t) => t.getVideoType() !== 'desktop');
    // No track of that kind in the call: the page decides whether to add one.
    if (!old || old.getDeviceId() === deviceId) return;
    const [fresh] = await createLocalTracks({ devices: [media], ...(media === 'audio' ? { micDeviceId: deviceId } : { cameraDeviceId: deviceId }) });
    if (!fresh) return;
    if (old.isMuted()) await fresh.mute();
    await conference.replaceTrack(old, fresh);
    await old.dispose();
    this.requestUpdate();
  }

  // ---- permission and preview ---------------------------------------------------------------------------------

  /** Opens the hidden kinds once (the browser asks), releases them, and lists the devices again with names. */
  private async requestPermission(): Promise<void> {
    if (this.requesting) return;
    this.requesting = true;
    this.failure = undefined;
    try {
      const { tracks, error } = await captureTracks(this.hiddenMedia());
      await Promise.all(tracks.map((t) => t.dispose()));
      if (error && tracks.length === 0) this.onMediaError(error);
      await this.deviceList.refresh();
    } finally {
      this.requesting = false;
    }
  }

  private onMediaError(error: JitsiTrackError): void {
    this.failure = error;
    this.emit('jitsi-media-error', { error });
  }

  private onCaptured(): void {
    this.failure = undefined;
    if (this.hiddenMedia().length > 0) void this.deviceList.refresh();
  }

  private previewWants(): Record<PreviewMedia, PreviewWant> {
    const want = (kind: 'audioinput' | 'videoinput'): PreviewWant => {
      if (!this.preview || !this.isConnected || !this.shownKinds.includes(kind)) return NONE;
      const context = this.context;
      if (context) {
        const track = liveTrack(context, MEDIA[kind]);
        return track ? { source: 'live', track } : NONE;
      }
      // Wait for the list, so that the chosen device is opened directly.
      return this.deviceList.loaded ? { source: 'own', deviceId: this.current[kind] } : NONE;
    };
    return { audio: want('audioinput'), video: want('videoinput') };
  }

  // ---- rendering ----------------------------------------------------------------------------------------------

  private t(key: StringKey): string {
    return translate(languageOf(this), key);
  }

  protected override render(): TemplateResult {
    const kinds = this.shownKinds;
    const needsPermission = this.deviceList.loaded && this.hiddenMedia().length > 0;
    const showVideo = this.preview && kinds.includes('videoinput');
    return html`<div part="base" class="base">
      ${needsPermission
        ? html`<button part="permission-button" type="button" @click=${() => void this.requestPermission()}>${this.t('allowDevices')}</button>`
        : nothing}
      ${this.failure ? html`<p part="error" class="error" role="alert">${this.t('permissionDenied')}</p>` : nothing}
      ${showVideo ? html`<video part="preview" aria-label=${this.t('preview')} playsinline autoplay muted></video>` : nothing}
      ${kinds.map((kind) => this.renderField(kind))}
    </div>`;
  }

  private renderField(kind: DeviceKind): TemplateResult {
    const devices = this.devicesOf(kind);
    const usable = devices.some((d) => d.deviceId !== '');
    const id = `${kind}-select`;
    const level = this.previewer.level;
    return html`<div part=${`field ${kind}-field`} class="field">
      <label part=${`label ${kind}-label`} for=${id}>${this.t(LABELS[kind])}</label>
      <select part=${`select ${kind}-select`} id=${id} data-kind=${kind} ?disabled=${!usable} @change=${(event: Event) => this.onSelect(kind, event)}>
        ${devices.length === 0
          ? html`<option value="">${this.t('noDevices')}</option>`
          : devices.map((device, i) => html`<option value=${device.deviceId}>${this.optionLabel(kind, device, i)}</option>`)}
      </select>
      ${kind === 'audioinput' && this.preview
        ? html`<meter part="level" min="0" max="1" .value=${level} aria-label=${this.t('microphoneLevel')}></meter>`
        : nothing}
    </div>`;
  }

  /** The browser's label, or (names hidden) "Default" / "Camera 2". */
  private optionLabel(kind: DeviceKind, device: MediaDeviceInfo, index: number): string {
    if (device.label) return device.label;
    if (device.deviceId === 'default' || device.deviceId === '') return this.t('defaultDevice');
    return `${this.t(LABELS[kind])} ${index + 1}`;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'jitsi-device-change': CustomEvent<DeviceChangeDetail>;
    'jitsi-media-error': CustomEvent<{ error: JitsiTrackError }>;
  }
}
