import { html, nothing, type PropertyValues, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { JitsiConferenceEvents } from '../../src/events/JitsiConferenceEvents.js';
import { JitsiTrackEvents } from '../../src/events/JitsiTrackEvents.js';
import { LOCAL_TRACK_REPLACED, type JitsiTrack, type MediaType, type VideoType } from '../../src/rtc/JitsiTrack.js';
import type { EventEmitter, EventMap } from '../../src/util/EventEmitter.js';
import { getLogger } from '../../src/util/logger.js';
import { ConferenceLink } from '../base/conference-link.js';
import type { ConferenceContext } from '../base/context.js';
import { JitsiElement } from '../base/jitsi-element.js';
import { languageOf, translate, type StringKey } from '../base/localize.js';
import { styles } from './jitsi-track.styles.js';

const logger = getLogger('elements/jitsi-track');

/** The engine's threshold for "speaking" (ConferenceMedia's SPEAKING_LEVEL). */
const SPEAKING_LEVEL = 0.05;

/** `detail` of `jitsi-track-change`. */
export interface JitsiTrackChangeDetail {
  /** The track now shown, or undefined when there is none. */
  track: JitsiTrack | undefined;
}

/** `detail` of `jitsi-autoplay-blocked`. */
export interface JitsiAutoplayBlockedDetail {
  /** The track the browser would not play without a user gesture. */
  track: JitsiTrack;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'jitsi-track-change': CustomEvent<JitsiTrackChangeDetail>;
    'jitsi-autoplay-blocked': CustomEvent<JitsiAutoplayBlockedDetail>;
  }
}

function listen<Events extends EventMap, K extends keyof Events>(emitter: EventEmitter<Events>, event: K, listener: Events[K]): () => void {
  emitter.on(event, listener);
  return () => emitter.off(event, listener);
}

/** The camera unless a video type is asked for (as `conference.getLocalVideoTrack()` prefers it). */
function pickTrack(tracks: readonly JitsiTrack[], videoType: VideoType | undefined): JitsiTrack | undefined {
  if (videoType) return tracks.find((t) => t.getVideoType() === videoType);
  return tracks.find((t) => t.getVideoType() !== 'desktop') ?? tracks[0];
}

function parseMirror(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return !['false', 'off', 'no', '0'].includes(value.trim().toLowerCase());
}

/** What the engine tells the element through its controller. */
interface TrackControllerEvents {
  /** The track is playing (autoplay allowed, or a gesture played it). */
  playing(): void;
  /** play() was refused without a user gesture (autoplay policy). */
  blocked(track: JitsiTrack): void;
  /** A new audio level of the participant's audio track. */
  level(level: number): void;
  /** How playback is started; the element's hook. */
  play(element: HTMLMediaElement): Promise<void>;
}

/**
 * Owns every engine resource a `<jitsi-track>` takes: the conference listeners (tracks coming and going, mute),
 * the listeners on the participant's tracks, and the attachment of the shown track to the media element.
 * Everything is taken while the host is connected and released in `hostDisconnected` or when it changes.
 */
class TrackMediaController implements ReactiveController {
  private conference: JitsiConference | undefined;
  private conferenceOffs: (() => void)[] = [];
  private readonly watched = new Map<JitsiTrack, () => void>();
  private levelTrack: JitsiTrack | undefined;
  private levelOff: (() => void) | undefined;
  private track: JitsiTrack | undefined;
  private element: HTMLMediaElement | undefined;
  private attached = false;
  private bindingOffs: (() => void)[] = [];
  /** Ignores the outcome of a play() that belongs to an earlier binding. */
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly events: TrackControllerEvents,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Resources are taken again by the next update (a reconnected element re-attaches).
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.follow(undefined);
    this.watch([]);
    this.followLevels(undefined);
    this.bind(undefined, undefined, false);
  }

  /** Listens to the conference for tracks that come, go or change mute, and asks the host to resolve again. */
  follow(conference: JitsiConference | undefined): void {
    if (conference === this.conference) return;
    for (const off of this.conferenceOffs.splice(0)) off();
    this.conference = conference;
    if (!conference) return;
    const changed = (): void => this.host.requestUpdate();
    const E = JitsiConferenceEvents;
    this.conferenceOffs.push(
      listen(conference, E.TRACK_ADDED, changed),
      listen(conference, E.TRACK_REMOVED, changed),
      listen(conference, E.TRACK_MUTE_CHANGED, changed),
      listen(conference, E.USER_JOINED, changed),
      listen(conference, E.USER_LEFT, changed),
      listen(conference, E.CONFERENCE_LEFT, changed),
    );
  }

  /** Watches these tracks for mute, video type and stop (the shown one and its candidates and siblings). */
  watch(tracks: Iterable<JitsiTrack>): void {
    const next = new Set(tracks);
    for (const [track, off] of this.watched) {
      if (next.has(track)) continue;
      off();
      this.watched.delete(track);
    }
    const changed = (): void => this.host.requestUpdate();
    for (const track of next) {
      if (this.watched.has(track)) continue;
      const offs = [
        listen(track, JitsiTrackEvents.TRACK_MUTE_CHANGED, changed),
        listen(track, JitsiTrackEvents.TRACK_VIDEOTYPE_CHANGED, changed),
        listen(track, JitsiTrackEvents.LOCAL_TRACK_STOPPED, changed),
      ];
      this.watched.set(track, () => offs.forEach((off) => off()));
    }
  }

  /** Reports the audio levels of the participant's audio track (for `speaking`). */
  followLevels(track: JitsiTrack | undefined): void {
    if (track === this.levelTrack) return;
    this.levelOff?.();
    this.levelOff = undefined;
    this.levelTrack = track;
    if (track) this.levelOff = listen(track, JitsiTrackEvents.TRACK_AUDIO_LEVEL_CHANGED, (level: number) => this.events.level(level));
  }

  /**
   * Shows `track` in `element` (attached only when `attach`: a local microphone is never played), releasing the
   * previous binding first. Returns whether anything changed.
   */
  bind(track: JitsiTrack | undefined, element: HTMLMediaElement | undefined, attach: boolean): boolean {
    const wantAttach = Boolean(track && element && attach);
    if (track === this.track && element === this.element && wantAttach === this.attached) return false;
    this.release();
    this.track = track;
    this.element = element;
    if (!track || !element || !wantAttach) return true;
    this.attached = true;
    const onPlaying = (): void => this.events.playing();
    element.addEventListener('playing', onPlaying);
    // The engine re-binds the element itself; playback has to be allowed again for the new source.
    const replaced = listen(track, LOCAL_TRACK_REPLACED, () => this.startPlayback());
    this.bindingOffs.push(() => element.removeEventListener('playing', onPlaying), replaced);
    track.attach(element).catch((error: unknown) => logger.warn(`${track.getType()} track of ${track.getParticipantId() ?? 'ours'}: the element keeps the default audio output`, error));
    this.startPlayback();
    return true;
  }

  /** The current binding's element, for the host's play button. */
  get boundElement(): HTMLMediaElement | undefined {
    return this.attached ? this.element : undefined;
  }

  private startPlayback(): void {
    const { track, element } = this;
    if (!track || !element) return;
    const generation = ++this.generation;
    this.events.play(element).then(
      () => {
        if (generation === this.generation) this.events.playing();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        if (error instanceof DOMException && error.name === 'NotAllowedError') this.events.blocked(track);
        // AbortError: a newer load (track replaced, element re-bound) superseded this play().
        else logger.debug('play() did not start', String(error));
      },
    );
  }

  private release(): void {
    this.generation++;
    for (const off of this.bindingOffs.splice(0)) off();
    if (this.attached && this.track && this.element) this.track.detach(this.element);
    this.attached = false;
    this.track = undefined;
    this.element = undefined;
  }
}

/**
 * One participant's video or audio: give it a track, or put it inside a `<jitsi-conference>` and name the
 * participant and kind; it then follows that participant's track as it comes, changes and goes. Renders a
 * `<video playsinline>` (or an `<audio>`), reflects mute, speaking and video type for CSS, plays audio on the
 * chosen output device (`JitsiMeetJS.mediaDevices.setAudioOutputDevice`), never plays our own microphone back,
 * and offers a play button when the browser blocks autoplay.
 *
 * @tag jitsi-track
 * @summary A participant's video or audio track, following it through the conference.
 *
 * @attr participant - Inside a conference: the participant's endpoint id, or `local` for our own tracks.
 * @attr conference - The `id` of the `<jitsi-conference>` to follow when the element is not inside it. Not needed
 *   inside one, nor on a page with a single conference.
 * @attr kind - `video` (default) or `audio`. With the `track` property it is set from the track.
 * @attr video-type - Set it to follow only the participant's `camera` or `desktop` (screen share) video; the
 *   camera is preferred otherwise. Reflects the type of the video shown.
 * @attr mirror - Mirrors the video horizontally. Default: on for our own camera, off otherwise; `mirror` or
 *   `mirror="false"` decides explicitly. Reflects the effective state.
 * @attr fit - How the video fills the element: `cover` (default, cropped) or `contain` (letterboxed).
 * @attr local - Reflected, read-only: the track is ours.
 * @attr audio-muted - Reflected, read-only: the participant's microphone is muted (or absent).
 * @attr video-muted - Reflected, read-only: the participant's video is muted (or absent).
 * @attr speaking - Reflected, read-only: the participant's audio level is above 0.05, or they are the dominant speaker.
 *
 * @slot - Content laid over the media (a name, indicators).
 * @slot placeholder - Shown instead of the video while there is none or it is muted (default: a camera-off icon).
 *
 * @csspart base - The container of everything else.
 * @csspart media - The `<video>` or `<audio>` element; also `video` or `audio`.
 * @csspart placeholder - The container of the placeholder slot.
 * @csspart placeholder-icon - The default placeholder icon.
 * @csspart speaking-indicator - The outline shown while speaking (video only).
 * @csspart overlay - The container of the default slot.
 * @csspart play-button - The button that starts playback after the browser blocked autoplay.
 *
 * @cssprop [--jitsi-track-background=#1f2937] - Background behind the video and of the placeholder.
 * @cssprop [--jitsi-track-color=#f9fafb] - Text colour.
 * @cssprop [--jitsi-track-radius=0] - Corner radius.
 * @cssprop [--jitsi-track-placeholder-background=var(--jitsi-track-background)] - Background of the placeholder.
 * @cssprop [--jitsi-track-placeholder-color=#9ca3af] - Colour of the default placeholder icon.
 * @cssprop [--jitsi-speaking-color=var(--jitsi-color-accent, #2563eb)] - The speaking outline.
 * @cssprop [--jitsi-speaking-width=3px] - Width of the speaking outline.
 * @cssprop [--jitsi-color-accent=#2563eb] - Background of the play button and default speaking colour.
 * @cssprop [--jitsi-radius=0.75rem] - Corner radius of the play button.
 *
 * @fires jitsi-track-change - The track shown changed (came, was replaced, went); `detail.track` is the new one or undefined.
 * @fires jitsi-autoplay-blocked - The browser refused to play without a user gesture; the play button is shown.
 *   `detail.track` is the track. Call `play()` from a gesture of your own to start it.
 */
export class JitsiTrackElement extends JitsiElement {
  static override styles = styles;

  /** The track to show, overriding `participant` (the escape hatch for use without a conference). */
  @property({ attribute: false }) track: JitsiTrack | undefined;

  /** Inside a conference: the participant's endpoint id, or `local` for our own tracks. */
  @property() participant = '';

  /** `video` or `audio`; set from the track when the `track` property is used. */
  @property({ reflect: true }) kind: MediaType = 'video';

  /** `cover` (default) or `contain`. */
  @property({ reflect: true }) fit: 'cover' | 'contain' = 'cover';

  /** Reflected, read-only: the track is ours. */
  @property({ type: Boolean, reflect: true }) local = false;

  /** Reflected, read-only: the participant's microphone is muted (or they have none). */
  @property({ type: Boolean, reflect: true, attribute: 'audio-muted' }) audioMuted = false;

  /** Reflected, read-only: the participant's video is muted (or they have none). */
  @property({ type: Boolean, reflect: true, attribute: 'video-muted' }) videoMuted = false;

  /** Reflected, read-only: the participant is speaking. */
  @property({ type: Boolean, reflect: true }) speaking = false;

  /** Whether the browser refused to start playback without a user gesture. */
  @state() private autoplayBlocked = false;

  /** The `id` of the `<jitsi-conference>` to follow when not inside one; not needed on a page with a single conference. */
  @property({ attribute: 'conference' }) conferenceId = '';

  private readonly link = new ConferenceLink(this, () => this.conferenceId);

  private get context(): ConferenceContext | undefined {
    return this.link.value;
  }

  private readonly controller = new TrackMediaController(this, {
    playing: () => {
      this.autoplayBlocked = false;
    },
    blocked: (track) => {
      this.autoplayBlocked = true;
      this.emit<JitsiAutoplayBlockedDetail>('jitsi-autoplay-blocked', { track });
    },
    level: (level) => {
      this.level = level;
      this.speaking = this.isSpeaking();
    },
    play: (element) => this.startPlayback(element),
  });

  private shown: JitsiTrack | undefined;
  private announced: JitsiTrack | undefined;
  private participantAudio: JitsiTrack | undefined;
  private watchList: JitsiTrack[] = [];
  private speakerId: string | undefined;
  private level = 0;
  private mirrorChoice: boolean | undefined;
  private videoTypeChoice: VideoType | undefined;
  private shownVideoType: VideoType | undefined;
  /** The attribute the element is writing itself (not an author's choice). */
  private reflecting: string | undefined;

  /**
   * Mirrors the video. Reads the effective state (by default on for our own camera); setting `true`/`false`
   * decides, `undefined` returns to the default.
   */
  @property({ attribute: 'mirror' })
  get mirror(): boolean {
    if (this.mirrorChoice !== undefined) return this.mirrorChoice;
    const track = this.shown;
    return Boolean(track?.isLocal() && track.getType() === 'video' && track.getVideoType() !== 'desktop');
  }

  set mirror(value: boolean | string | null | undefined) {
    this.mirrorChoice = typeof value === 'string' || value === null ? parseMirror(value) : value;
    // The effective value may not change (the default already agreed), the reflected attribute may.
    this.requestUpdate();
  }

  /**
   * The video type shown (`camera`, `desktop`). Setting it makes the element follow only that type of the
   * participant's video; `undefined` follows the camera, else any video.
   */
  @property({ attribute: 'video-type' })
  get videoType(): VideoType | undefined {
    return this.shownVideoType ?? this.videoTypeChoice;
  }

  set videoType(value: string | null | undefined) {
    this.videoTypeChoice = value === 'camera' || value === 'desktop' ? value : undefined;
    // The shown type may not change at once, but the track to follow does.
    this.requestUpdate();
  }

  /** The track shown now: the `track` property, or the participant's track found in the conference. */
  get currentTrack(): JitsiTrack | undefined {
    return this.shown;
  }

  /**
   * Starts playback; call it from a user gesture after `jitsi-autoplay-blocked` (the play button does).
   * Rejects when the browser still refuses.
   */
  async play(): Promise<void> {
    const element = this.controller.boundElement;
    if (!element) return;
    await this.startPlayback(element);
    this.autoplayBlocked = false;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    // Our own reflection of `mirror` / `video-type` is state, not the author's choice.
    if (name === this.reflecting) return;
    super.attributeChangedCallback(name, old, value);
  }

  /**
   * How playback starts: `element.play()`. A hook so that a test can stand in for a browser whose autoplay
   * policy refuses playback without a gesture (the test browser runs with autoplay allowed).
   */
  protected startPlayback(element: HTMLMediaElement): Promise<void> {
    return element.play();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conferenceId') && changed.get('conferenceId') !== undefined) this.link.resolve();
    const track = this.resolve();
    if (track !== this.shown) {
      this.shown = track;
      this.autoplayBlocked = false;
    }
    if (this.track && track) this.kind = track.getType();
    this.syncState(track);
  }

  protected override render(): TemplateResult {
    const track = this.shown;
    const isVideo = this.kind !== 'audio';
    const t = (key: StringKey): string => translate(languageOf(this), key);
    const media = isVideo
      ? html`<video
          part="media video"
          class=${classMap({ mirrored: this.mirror, contain: this.fit === 'contain' })}
          aria-label=${t(this.videoType === 'desktop' ? 'screenShare' : 'video')}
          playsinline
          autoplay
          muted
          .muted=${true}
        ></video>`
      : html`<audio part="media audio" autoplay .muted=${this.local}></audio>`;
    return html`<div part="base" class=${classMap({ base: true, video: isVideo, audio: !isVideo })}>
      ${media}
      ${isVideo
        ? html`<div part="placeholder" class="placeholder" ?hidden=${Boolean(track) && !this.videoMuted}>
              <slot name="placeholder">${cameraOffIcon}</slot>
            </div>
            <div part="speaking-indicator" class="speaking-indicator"></div>`
        : nothing}
      <div part="overlay" class="overlay"><slot></slot></div>
      ${this.autoplayBlocked
        ? html`<button part="play-button" class="play-button" type="button" @click=${this.onPlayClick}>${t('play')}</button>`
        : nothing}
    </div>`;
  }

  protected override updated(): void {
    this.reflectChoices();
    if (!this.isConnected) return;
    const track = this.shown;
    this.controller.follow(this.context?.conference);
    this.controller.watch(this.watchList);
    this.controller.followLevels(this.participantAudio);
    // Our own microphone is never played back (no echo); its element stays muted and empty.
    this.controller.bind(track, this.media ?? undefined, !(track?.isLocal() && track.getType() === 'audio'));
    if (track !== this.announced) {
      this.announced = track;
      this.emit<JitsiTrackChangeDetail>('jitsi-track-change', { track });
    }
  }

  private get media(): HTMLMediaElement | null {
    return this.renderRoot.querySelector<HTMLMediaElement>('[part~="media"]');
  }

  private readonly onPlayClick = (): void => {
    this.play().catch((error: unknown) => logger.warn('playback was refused again', String(error)));
  };

  /** The `track` property, else the participant's track of this kind (and video type) in the conference. */
  private resolve(): JitsiTrack | undefined {
    if (this.track) return this.track.isDisposed() ? undefined : this.track;
    const kind = this.kind === 'audio' ? 'audio' : 'video';
    return pickTrack(this.tracksOf(this.participantKey(), kind), kind === 'video' ? this.videoTypeChoice : undefined);
  }

  /** `local`, an endpoint id, or undefined. */
  private participantKey(): string | undefined {
    const named = this.participant.trim();
    if (named) return named;
    if (!this.track) return undefined;
    return this.track.isLocal() ? 'local' : this.track.getParticipantId();
  }

  private isLocalKey(key: string): boolean {
    return key === 'local' || key === this.context?.conference?.myUserId();
  }

  private tracksOf(key: string | undefined, kind: MediaType): JitsiTrack[] {
    const context = this.context;
    if (!context || !key) return [];
    const conference = context.conference;
    const tracks: Iterable<JitsiTrack> = this.isLocalKey(key)
      ? new Set<JitsiTrack>([...context.localTracks, ...(conference?.getLocalTracks() ?? [])])
      : (conference?.getParticipantById(key)?.getTracksByMediaType(kind) ?? []);
    return [...tracks].filter((t) => t.getType() === kind && !t.isDisposed());
  }

  /** Reflected state from the track shown and, inside a conference, the participant's other tracks. */
  private syncState(track: JitsiTrack | undefined): void {
    const key = this.participantKey();
    const conference = this.context?.conference;
    const local = track ? track.isLocal() : key !== undefined && this.isLocalKey(key);
    const remote: JitsiParticipant | undefined = key && !local ? conference?.getParticipantById(key) : undefined;
    // Inside a conference a participant without a microphone or camera counts as muted.
    const known = Boolean(this.context && key && (local || remote));
    const candidates = this.tracksOf(key, track?.getType() ?? this.kind);
    const audio = track?.getType() === 'audio' ? track : pickTrack(this.tracksOf(key, 'audio'), undefined);
    const video = track?.getType() === 'video' ? track : pickTrack(this.tracksOf(key, 'video'), this.videoTypeChoice);

    this.local = local;
    this.audioMuted = audio ? audio.isMuted() : remote ? remote.isAudioMuted() : known;
    this.videoMuted = video ? video.isMuted() : remote ? remote.isVideoMuted() : known;
    this.shownVideoType = track?.getType() === 'video' ? track.getVideoType() : undefined;
    if (audio !== this.participantAudio) {
      this.participantAudio = audio;
      this.level = audio?.getAudioLevel() ?? 0;
    }
    this.speakerId = local ? conference?.myUserId() : key;
    this.speaking = this.isSpeaking();
    this.watchList = [...new Set([...candidates, ...(track ? [track] : []), ...(audio ? [audio] : []), ...(video ? [video] : [])])];
  }

  private isSpeaking(): boolean {
    if (this.audioMuted) return false;
    const dominant = this.context?.dominantSpeaker;
    return this.level > SPEAKING_LEVEL || (dominant !== undefined && dominant === this.speakerId);
  }

  /** Writes `mirror` and `video-type` as state without taking them for the author's choice. */
  private reflectChoices(): void {
    const mirror = this.mirrorChoice === false ? false : this.mirror ? true : undefined;
    if (parseMirror(this.getAttribute('mirror')) !== mirror) this.writeAttribute('mirror', mirror === undefined ? null : mirror ? '' : 'false');
    this.writeAttribute('video-type', this.videoType ?? null);
  }

  private writeAttribute(name: string, value: string | null): void {
    if (this.getAttribute(name) === value) return;
    this.reflecting = name;
    try {
      if (value === null) this.removeAttribute(name);
      else this.setAttribute(name, value);
    } finally {
      this.reflecting = undefined;
    }
  }
}

const cameraOffIcon = html`<svg part="placeholder-icon" class="placeholder-icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">
  <path d="M15 10l4.5-3v10L15 14" />
  <path d="M13 7h.5A1.5 1.5 0 0 1 15 8.5V16M11 17H4.5A1.5 1.5 0 0 1 3 15.5v-7A1.5 1.5 0 0 1 4.5 7H6" />
  <path d="M3 3l18 18" />
</svg>`;
