import { ContextProvider } from '@lit/context';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { repeat } from 'lit/directives/repeat.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { registerSecret } from '../../src/util/logger.js';
import { announceConference } from '../base/conference-link.js';
import { conferenceContext, type ConferenceContext } from '../base/context.js';
import { JitsiElement } from '../base/jitsi-element.js';
import { languageOf, translate, type StringKey } from '../base/localize.js';
import { ConferenceSession, type ConferenceState, type SessionSettings } from './session.js';
import { styles } from './jitsi-conference.styles.js';

/**
 * A Jitsi Meet conference in one tag: connection, conference, local media, a participant grid, controls and
 * chat. Alone it is a working meeting; with slots, parts, custom properties and the `jitsi-*` events it is
 * the base of your own layout. Every engine event is re-dispatched as a DOM event (see `events.ts`).
 *
 * @tag jitsi-conference
 * @summary A Jitsi Meet conference: connection, media, participant grid, controls and chat.
 *
 * @attr domain - The deployment's domain; derives the service URL (`wss://<domain>/xmpp-websocket`), the MUC
 *   (`conference.<domain>`) and the focus (`focus.<domain>`) as a stock deployment has them.
 * @attr service-url - The XMPP service URL (websocket `wss://…/xmpp-websocket` or BOSH), overriding the derived one.
 * @attr muc - The MUC domain, overriding the derived one.
 * @attr room - The room name (lower-cased). Changing it while joined leaves and joins the new room.
 * @attr display-name - Our display name.
 * @attr start-audio-muted - Join with the microphone muted.
 * @attr start-video-muted - Join with the camera off.
 * @attr disable-p2p - Never use a direct peer-to-peer call.
 * @attr prejoin - Show the pre-join step (camera preview, name, devices) before joining.
 * @attr headless - Render nothing of its own: the page lays out `<jitsi-track>` elements (children, which get
 *   the conference through context) from the `jitsi-*` events.
 * @attr lang - The language of the built-in strings (`en`, `de`; see `setStrings()`).
 * @attr token - A JWT for the deployment. Read once, then removed from the DOM; never reflected or logged.
 *   Prefer the `token` property.
 * @attr state - Reflected, read-only: `idle`, `connecting`, `prejoin`, `joined`, `reconnecting` (the signalling link
 *   or the media path is interrupted), `failed`, `left`.
 *
 * @slot - Anything to show over the conference (overlays).
 * @slot controls - Replaces the default control bar.
 * @slot overlay - Content shown over the participant grid.
 *
 * @csspart base - The outer container.
 * @csspart status - The connecting / reconnecting / failed / left message.
 * @csspart media-error - The message shown when the camera or microphone could not be opened.
 * @csspart stage - The grid and the chat panel.
 * @csspart grid - The participant grid.
 * @csspart tile - One participant's tile; `tile local` for ours, `tile featured` for a screen share.
 * @csspart tile-name - The name on a tile.
 * @csspart tile-indicators - The mute indicators on a tile.
 * @csspart control-bar - The default controls.
 * @csspart button - Every control button; also `button-microphone`, `button-camera`, `button-screen`, `button-devices`, `button-chat`, `button-leave`.
 * @csspart devices - The in-call device panel (a `<jitsi-device-picker>` that switches the live tracks).
 * @csspart chat - The chat panel.
 * @csspart chat-log - The list of messages.
 * @csspart chat-form - The message form.
 * @csspart prejoin - The pre-join step.
 * @csspart join-button - The pre-join step's join button.
 *
 * @cssprop [--jitsi-color-background=#111827] - Background of the conference.
 * @cssprop [--jitsi-color-surface=#1f2937] - Background of tiles, the control bar and the chat.
 * @cssprop [--jitsi-color-text=#f9fafb] - Text colour.
 * @cssprop [--jitsi-color-accent=#2563eb] - Accent: active controls, the speaking outline.
 * @cssprop [--jitsi-color-danger=#dc2626] - The leave button and error messages.
 * @cssprop [--jitsi-radius=0.75rem] - Corner radius of tiles and controls.
 * @cssprop [--jitsi-spacing=0.5rem] - Gaps and padding.
 * @cssprop [--jitsi-font=system-ui, sans-serif] - Font family.
 * @cssprop [--jitsi-tile-min-width=14rem] - The smallest tile width of the grid.
 *
 * @fires jitsi-media-error - The camera or microphone could not be opened; `detail.error` is the JitsiTrackError.
 * @fires jitsi-conference-joined - And every other JitsiConferenceEvents / JitsiConnectionEvents value, named
 *   from its constant, with `detail: { source, event, args }`.
 */
export class JitsiConferenceElement extends JitsiElement {
  static override styles = styles;

  @property() domain = '';
  @property({ attribute: 'service-url' }) serviceUrl = '';
  @property() muc = '';
  @property() room = '';
  @property({ attribute: 'display-name' }) displayName = '';
  @property({ type: Boolean, attribute: 'start-audio-muted' }) startAudioMuted = false;
  @property({ type: Boolean, attribute: 'start-video-muted' }) startVideoMuted = false;
  @property({ type: Boolean, attribute: 'disable-p2p' }) disableP2p = false;
  @property({ type: Boolean }) prejoin = false;
  @property({ type: Boolean }) headless = false;
  /** Reflected state; set by the element. */
  @property({ reflect: true }) state: ConferenceState = 'idle';

  @state() private chatOpen = false;
  @state() private devicesOpen = false;

  private readonly session = new ConferenceSession(this);
  private tokenValue: string | null = null;
  private joinedTarget: string | undefined;
  private readonly provider = new ContextProvider(this, { context: conferenceContext, initialValue: this.contextValue() });

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'token'];
  }

  /** A JWT for the deployment; never reflected, logged or put in events. */
  get token(): string | null {
    return this.tokenValue;
  }

  set token(value: string | null) {
    this.tokenValue = value || null;
    registerSecret(this.tokenValue);
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'token') {
      if (value !== null) {
        this.token = value;
        // The token must not stay readable in the DOM.
        this.removeAttribute('token');
      }
      return;
    }
    super.attributeChangedCallback(name, old, value);
  }

  /** The live JitsiConnection (lib-jitsi-meet's API), once joining started. */
  get connection() {
    return this.session.connection;
  }

  /** The live JitsiConference, once joining started. */
  get conference() {
    return this.session.conference;
  }

  /** Our local tracks (preview and call). */
  get localTracks() {
    return [...this.session.localTracks];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Consumers that connected first (markup parsed before the tag was defined) find us now.
    announceConference(this, true);
    queueMicrotask(() => this.start());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    announceConference(this, false);
  }

  /** Joins the conference now (the pre-join step's button calls this). */
  async join(): Promise<void> {
    if (!this.room || (!this.domain && !this.serviceUrl)) throw new Error('<jitsi-conference> needs `room` and `domain` (or `service-url`)');
    this.joinedTarget = this.target();
    await this.session.join(this.settings());
    await this.applyStartMuted();
  }

  /** Leaves the conference; local media is released. */
  async leave(): Promise<void> {
    await this.session.leave(true);
  }

  /** Mutes or unmutes the microphone. */
  async toggleAudio(): Promise<void> {
    await this.session.toggle('audio');
  }

  /** Turns the camera off (releasing the device) or on. */
  async toggleVideo(): Promise<void> {
    await this.session.toggle('video');
  }

  /** Replaces the camera with a screen share, or goes back to the camera. */
  async toggleScreenShare(): Promise<void> {
    await this.session.toggleScreenShare();
  }

  /** Sends a chat message to everyone, or privately to participant `to`. */
  sendMessage(text: string, to?: string): void {
    this.session.sendMessage(text, to);
  }

  protected override willUpdate(): void {
    this.state = this.session.state;
    this.provider.setValue(this.contextValue());
    // A different room or deployment while in a call: leave and join the new one.
    if (this.joinedTarget !== undefined && this.joinedTarget !== this.target() && (this.state === 'joined' || this.state === 'connecting')) {
      void this.session.leave(false).then(() => this.join());
    }
  }

  /** What the call is joined to: a change of any part means another room. */
  private target(): string {
    return JSON.stringify([this.room.toLowerCase(), this.domain, this.serviceUrl, this.muc]);
  }

  private start(): void {
    if (!this.isConnected || this.session.state !== 'idle') return;
    if (this.prejoin) this.session.enterPrejoin();
    else if (this.room && (this.domain || this.serviceUrl)) void this.join();
  }

  private async applyStartMuted(): Promise<void> {
    if (this.startAudioMuted) await this.session.track('audio')?.mute();
    if (this.startVideoMuted) await this.session.track('video')?.mute();
  }

  private settings(): SessionSettings {
    const domain = this.domain || new URL(this.serviceUrl, location.href).hostname;
    return {
      connection: {
        serviceUrl: this.serviceUrl || `wss://${domain}/xmpp-websocket`,
        hosts: { domain, muc: this.muc || `conference.${domain}`, focus: `focus.${domain}` },
      },
      token: this.tokenValue,
      room: this.room.toLowerCase(),
      displayName: this.displayName || undefined,
      conference: { p2p: { enabled: !this.disableP2p } },
    };
  }

  private contextValue(): ConferenceContext {
    const session = this.session;
    return {
      conference: session.conference,
      localTracks: [...session.localTracks],
      dominantSpeaker: session.dominantSpeaker,
      revision: session.revision,
      switchDevice: (kind, deviceId) => session.switchDevice(kind, deviceId),
      setAudioOutput: (deviceId) => session.setAudioOutput(deviceId),
    };
  }

  private t(key: StringKey): string {
    return translate(languageOf(this), key);
  }

  // ---- rendering ----------------------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const { state } = this;
    if (this.headless) return html`<slot></slot>`;
    const inCall = state === 'joined' || state === 'reconnecting';
    return html`<div part="base" class="base">
      ${state === 'prejoin' ? this.renderPrejoin() : nothing}
      ${state === 'connecting' || state === 'reconnecting' ? html`<p part="status" class="status" role="status">${this.t(state)}</p>` : nothing}
      ${state === 'failed' ? html`<p part="status" class="status error" role="alert">${this.t('failed')} <code>${this.session.failure ?? ''}</code></p>` : nothing}
      ${state === 'left' ? html`<p part="status" class="status" role="status">${this.t('left')}</p>` : nothing}
      ${this.session.mediaError ? html`<p part="media-error" class="status error" role="alert">${this.t('permissionDenied')}</p>` : nothing}
      ${inCall
        ? html`<div part="stage" class="stage">
              <div part="grid" class="grid" role="list" aria-label=${this.t('participants')}>${this.renderTiles()}</div>
              ${this.devicesOpen ? html`<section part="devices" class="panel" aria-label=${this.t('devices')}><jitsi-device-picker></jitsi-device-picker></section>` : nothing}
              ${this.chatOpen ? this.renderChat() : nothing}
              <div class="overlay"><slot name="overlay"></slot></div>
            </div>
            <slot name="controls">${this.renderControls()}</slot>`
        : nothing}
      <slot></slot>
    </div>`;
  }

  private renderPrejoin(): TemplateResult {
    return html`<form part="prejoin" class="prejoin" @submit=${this.onPrejoinSubmit}>
      <div class="tile local">
        <jitsi-track participant="local" kind="video"></jitsi-track>
      </div>
      <label>${this.t('yourName')} <input name="name" autocomplete="name" .value=${this.displayName} /></label>
      <jitsi-device-picker preview></jitsi-device-picker>
      <button part="join-button button" type="submit" ?disabled=${!this.room || (!this.domain && !this.serviceUrl)}>${this.t('joinMeeting')}</button>
    </form>`;
  }

  private readonly onPrejoinSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const name = new FormData(event.target as HTMLFormElement).get('name');
    if (typeof name === 'string' && name.trim()) this.displayName = name.trim();
    void this.join();
  };

  private renderTiles(): TemplateResult {
    const conference = this.session.conference;
    const participants = conference?.getParticipants().filter((p) => !p.isHidden()) ?? [];
    const audio = this.session.track('audio');
    const video = this.session.localTracks.find((t) => t.getType() === 'video');
    const speaking = this.session.dominantSpeaker;
    const self = html`<div
      part="tile local"
      class=${classMap({ tile: true, local: true, speaking: speaking === conference?.myUserId(), featured: video?.getVideoType() === 'desktop' })}
      role="listitem"
    >
      <jitsi-track participant="local" kind="video"></jitsi-track>
      <span part="tile-name" class="name">${this.displayName || this.t('you')}</span>
      ${this.renderIndicators(audio?.isMuted() ?? true, video?.isMuted() ?? true)}
    </div>`;
    return html`${self}${repeat(participants, (p) => p.getId(), (p) => this.renderTile(p, speaking))}`;
  }

  private renderTile(participant: JitsiParticipant, speaking: string | undefined): TemplateResult {
    const id = participant.getId();
    const video = participant.getTracksByMediaType('video')[0];
    const featured = video?.getVideoType() === 'desktop';
    return html`<div part=${featured ? 'tile featured' : 'tile'} class=${classMap({ tile: true, speaking: speaking === id, featured })} role="listitem" data-participant=${id}>
      <jitsi-track participant=${id} kind="video"></jitsi-track>
      <jitsi-track participant=${id} kind="audio"></jitsi-track>
      <span part="tile-name" class="name">${participant.getDisplayName() ?? id}</span>
      ${this.renderIndicators(participant.isAudioMuted(), participant.isVideoMuted())}
    </div>`;
  }

  private renderIndicators(audioMuted: boolean, videoMuted: boolean): TemplateResult | typeof nothing {
    if (!audioMuted && !videoMuted) return nothing;
    return html`<span part="tile-indicators" class="indicators">
      ${audioMuted ? html`<span class="indicator" title=${`${this.t('microphone')} ${this.t('muted')}`}>🎙̸<span class="sr">${this.t('microphone')} ${this.t('muted')}</span></span>` : nothing}
      ${videoMuted ? html`<span class="indicator" title=${`${this.t('camera')} ${this.t('muted')}`}>📷̸<span class="sr">${this.t('camera')} ${this.t('muted')}</span></span>` : nothing}
    </span>`;
  }

  private renderControls(): TemplateResult {
    const audio = this.session.track('audio');
    const camera = this.session.localTracks.find((t) => t.getType() === 'video' && t.getVideoType() !== 'desktop') ?? this.session.track('video');
    const sharing = this.session.sharing;
    const button = (name: string, label: string, pressed: boolean | undefined, onClick: () => void, disabled = false): TemplateResult =>
      html`<button part=${`button button-${name}`} class=${`control control-${name}`} type="button" aria-pressed=${pressed === undefined ? nothing : String(pressed)} ?disabled=${disabled} @click=${onClick}>${label}</button>`;
    return html`<div part="control-bar" class="controls" role="toolbar" aria-label=${this.t('controls')}>
      ${button('microphone', this.t('microphone'), audio ? !audio.isMuted() : false, () => void this.toggleAudio(), !audio)}
      ${button('camera', this.t('camera'), camera ? !camera.isMuted() : false, () => void this.toggleVideo(), !camera || sharing)}
      ${button('screen', this.t('shareScreen'), sharing, () => void this.toggleScreenShare())}
      ${button('devices', this.t('devices'), this.devicesOpen, () => (this.devicesOpen = !this.devicesOpen))}
      ${button('chat', this.t('chat'), this.chatOpen, () => (this.chatOpen = !this.chatOpen))}
      ${button('leave', this.t('leave'), undefined, () => void this.leave())}
    </div>`;
  }

  private renderChat(): TemplateResult {
    return html`<section part="chat" class="chat panel" aria-label=${this.t('chat')}>
      <div part="chat-log" class="log" role="log" aria-live="polite">
        <ol>
          ${repeat(this.session.chat, (m) => m.id, (m) => html`<li class=${classMap({ mine: m.mine, private: m.private })}><b>${m.mine ? this.t('you') : (m.name ?? m.from)}</b> ${m.text}</li>`)}
        </ol>
      </div>
      <form part="chat-form" class="chat-form" @submit=${this.onChatSubmit}>
        <input name="message" aria-label=${this.t('message')} autocomplete="off" />
        <button part="button" type="submit">${this.t('send')}</button>
      </form>
    </section>`;
  }

  private readonly onChatSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem('message') as HTMLInputElement | null;
    const text = input?.value.trim();
    if (!text || !input) return;
    this.sendMessage(text);
    input.value = '';
  };
}
