import { ContextProvider } from '@lit/context';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { JitsiConferenceEvents } from '../../src/events/JitsiConferenceEvents.js';
import { registerSecret } from '../../src/util/logger.js';
import { announceConference } from '../base/conference-link.js';
import { conferenceContext, type ConferenceContext } from '../base/context.js';
import { JitsiElement } from '../base/jitsi-element.js';
import { format, languageOf, translate, type StringKey } from '../base/localize.js';
import { icons } from './icons.js';
import { receiverConstraintsFor, type VisibleSource } from './layout.js';
import { ConferenceSession, type ConferenceState, type SessionSettings } from './session.js';
import { styles } from './jitsi-conference.styles.js';
import { panelStyles } from './panel.styles.js';
import type { ConferenceUi, Layout, Panel } from './ui.js';
import type * as CallViews from './call-views.js';
import type { StageModel } from './view-call.js';
import { lobbyStyles, renderKnocking, renderLobbyNotice } from './view-lobby.js';
import { renderConnecting, renderFailed, renderLeft, renderPrejoin } from './view-status.js';

/** The in-call views, loaded once from the pre-join step on (call-views.ts; a chunk of the CDN build, issue 15). */
let callViews: typeof CallViews | undefined;
let loadingCallViews: Promise<void> | undefined;
function loadCallViews(): Promise<void> {
  loadingCallViews ??= import('./call-views.js').then(
    (views) => {
      callViews = views;
    },
    (error: unknown) => {
      loadingCallViews = undefined;
      throw error;
    },
  );
  return loadingCallViews;
}

/**
 * A Jitsi Meet conference in one tag: connection, conference, local media, a participant grid, controls and
 * chat. Alone it is a working meeting; with slots, parts, custom properties and the `jitsi-*` events it is
 * the base of your own layout. Every engine event is re-dispatched as a DOM event (see `events.ts`).
 *
 * Sizing: the element fills the box it is given (set a `height`, or place it in a flex or grid cell). With no
 * height it takes a 16:9 box of at least 26rem. Tiles keep a 16:9 aspect; the pre-join step scrolls inside the
 * box and its join button stays in view.
 *
 * Keyboard, while focus is in the element: M microphone, V camera, C chat, R raise hand, ? shortcuts, Escape
 * closes a panel.
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
 * @attr recording - The deployment records (Jibri): moderators get a start/stop recording button.
 * @attr layout - `auto` (default: tile view, speaker view while someone shares a screen), `tile` or `speaker`.
 * @attr lang - The language of the built-in strings (`en`, `de`; see `setStrings()`).
 * @attr token - A JWT for the deployment. Read once, then removed from the DOM; never reflected or logged.
 *   Prefer the `token` property.
 * @attr state - Reflected, read-only: `idle`, `connecting` (also while waiting in a lobby to be admitted), `prejoin`,
 *   `joined`, `reconnecting` (the signalling link or the media path is interrupted), `failed`, `left`.
 *
 * @slot - Anything to show over the conference (overlays).
 * @slot controls - Replaces the default control bar.
 * @slot overlay - Content shown over the participant grid.
 *
 * @csspart base - The outer container.
 * @csspart header - The subject and lock line, shown when the meeting has a subject or a password.
 * @csspart status - The connecting / failed / left message (also `password-prompt`).
 * @csspart media-error - The message shown when the camera or microphone could not be opened.
 * @csspart stage - The media area and the open panel.
 * @csspart grid - The tile view.
 * @csspart speaker-view - The speaker view (`stage-tile` on stage, `filmstrip` for the others).
 * @csspart filmstrip - The row of tiles under the speaker.
 * @csspart pager - The page buttons of a tile view with more participants than fit.
 * @csspart tile - One participant's tile; `tile local` for ours, `tile featured` for a screen share, `stage-tile` on stage.
 * @csspart tile-name - The name on a tile.
 * @csspart tile-indicators - The microphone, moderator and connection indicators on a tile.
 * @csspart tile-hand - The raised-hand badge on a tile.
 * @csspart control-bar - The default controls.
 * @csspart button - Every control button; also `button-microphone`, `button-camera`, `button-screen`, `button-hand`,
 *   `button-reactions`, `button-chat`, `button-participants`, `button-layout`, `button-devices`, `button-help`,
 *   `button-leave`, `button-recording`, `join-button`, `retry-button`, `rejoin-button`.
 * @csspart recording-indicator - "Recording", shown to everyone while the room is recorded.
 * @csspart badge - The unread count on the chat button.
 * @csspart reactions-menu - The row of reactions above the control bar.
 * @csspart panel - The open side panel; also `chat`, `participants`, `devices`, `help`.
 * @csspart chat-log - The list of messages.
 * @csspart chat-form - The message form.
 * @csspart participant-list - The participants panel's list.
 * @csspart password-form - The moderators' password form in the participants panel.
 * @csspart av-moderation - The moderators' switch that lets only allowed participants unmute (AV moderation).
 * @csspart end-for-all - The moderators' "End meeting for all" button (`button end-for-all`).
 * @csspart speaker-stats - Everyone's speaking time in the participants panel.
 * @csspart unmute-refused - Why our microphone stays off while a moderator has to allow it.
 * @csspart breakout-rooms - The breakout rooms in the participants panel, when the deployment has them.
 * @csspart breakout-assign - A moderator's select that sends a participant to a room.
 * @csspart prejoin - The pre-join step.
 * @csspart join-button - The pre-join step's join button.
 * @csspart lobby-waiting - The knocker's "waiting to be admitted" screen (`lobby-knock` while it asks for a name;
 *   buttons `lobby-ask`, `lobby-cancel`).
 * @csspart lobby - Moderators, in the participants panel: the lobby switch (`lobby-switch`) and the queue
 *   (`lobby-queue`, buttons `lobby-admit`, `lobby-refuse`).
 * @csspart lobby-notice - Moderators: who waits in the lobby, over the stage while the participants panel is closed.
 *
 * @cssprop [--jitsi-color-background=#111827] - Background of the conference.
 * @cssprop [--jitsi-color-surface=#1f2937] - Background of tiles, the control bar and panels.
 * @cssprop [--jitsi-color-text=#f9fafb] - Text on the background and on surfaces.
 * @cssprop [--jitsi-color-text-muted=#cbd5e1] - Secondary text (times, codes) on the background and surfaces.
 * @cssprop [--jitsi-color-control=#374151] - Background of control buttons.
 * @cssprop [--jitsi-color-control-text=#f9fafb] - Text and icons on control buttons.
 * @cssprop [--jitsi-color-border=#4b5563] - Borders of controls and fields.
 * @cssprop [--jitsi-color-field=#111827] - Background of text fields.
 * @cssprop [--jitsi-color-field-text=#f9fafb] - Text in text fields.
 * @cssprop [--jitsi-color-accent=#2563eb] - Active controls, the speaking outline, the primary button.
 * @cssprop [--jitsi-color-on-accent=#ffffff] - Text and icons on the accent colour.
 * @cssprop [--jitsi-color-danger=#dc2626] - The leave button and error messages' accent.
 * @cssprop [--jitsi-color-on-danger=#ffffff] - Text and icons on the danger colour.
 * @cssprop [--jitsi-color-badge=rgb(0 0 0 / 0.7)] - Background of names and indicators laid over video.
 * @cssprop [--jitsi-color-on-badge=#ffffff] - Text on those badges.
 * @cssprop [--jitsi-radius=0.75rem] - Corner radius of tiles and panels.
 * @cssprop [--jitsi-spacing=0.5rem] - Gaps and padding.
 * @cssprop [--jitsi-font=system-ui, sans-serif] - Font family.
 *
 * @fires jitsi-media-error - The camera or microphone could not be opened; `detail.error` is the JitsiTrackError.
 * @fires jitsi-conference-joined - And every other JitsiConferenceEvents / JitsiConnectionEvents value, named
 *   from its constant, with `detail: { source, event, args }`.
 */
export class JitsiConferenceElement extends JitsiElement implements ConferenceUi {
  static override styles = [styles, panelStyles, lobbyStyles];

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
  @property({ type: Boolean, attribute: 'recording' }) recordingOffered = false;
  /** `auto`, `tile` or `speaker`; the layout control switches between tile and speaker view. */
  @property({ reflect: true }) layout: Layout = 'auto';
  /** Reflected state; set by the element. */
  @property({ reflect: true }) state: ConferenceState = 'idle';

  /** @internal */
  @state() panel: Panel | undefined;
  /** @internal */
  @state() page = 0;
  /** @internal */
  @state() reactionsOpen = false;
  /** @internal */
  @state() stageSize: { width: number; height: number } | undefined;

  /** @internal The engine side: connection, conference, tracks, chat. */
  readonly session = new ConferenceSession(this);
  private tokenValue: string | null = null;
  private joinedTarget: string | undefined;
  private readonly provider = new ContextProvider(this, { context: conferenceContext, initialValue: this.contextValue() });
  private stageObserver: ResizeObserver | undefined;
  private observedStage: Element | undefined;
  private sentConstraints = '';
  private levelsOff: (() => void) | undefined;
  private levelsFor: unknown;
  /** Whether the chat log showed its end just before this update, the log drawn, and its last message. */
  private chatAtEnd = true;
  private chatShown: Element | undefined;
  private chatLast: string | undefined;
  /** The layout drawn last, whose visible tiles the bridge is asked for. */
  private drawn: StageModel | undefined;

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

  /** @internal */
  get canJoin(): boolean {
    return Boolean(this.room && (this.domain || this.serviceUrl));
  }

  /** @internal */
  get language(): string {
    return languageOf(this);
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
    this.stageObserver?.disconnect();
    this.stageObserver = undefined;
    this.observedStage = undefined;
    this.levelsOff?.();
    this.levelsOff = undefined;
    this.levelsFor = undefined;
  }

  /** Joins the conference now (the pre-join step's button calls this). */
  async join(): Promise<void> {
    if (!this.canJoin) throw new Error('<jitsi-conference> needs `room` and `domain` (or `service-url`)');
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

  /** Raises or lowers our hand (participant property `raisedHand`). */
  toggleHand(): void {
    this.session.setHandRaised(!this.session.isHandRaised());
  }

  /** Sends a chat message to everyone, or privately to participant `to`. */
  sendMessage(text: string, to?: string): void {
    this.session.sendMessage(text, to);
  }

  // ---- ConferenceUi (what the view modules use; not public API) -------------------------------------------------

  /** @internal */
  t(key: StringKey): string {
    return translate(this.language, key);
  }

  /** @internal */
  f(key: StringKey, values: Record<string, string | number>): string {
    return format(this.language, key, values);
  }

  /** @internal */
  togglePanel(panel: Panel): void {
    this.panel = this.panel === panel ? undefined : panel;
    this.session.setChatVisible(this.panel === 'chat');
  }

  /** @internal */
  setLayout(layout: Layout): void {
    this.layout = layout;
    this.page = 0;
  }

  /** @internal */
  setPage(page: number): void {
    this.page = Math.max(0, page);
  }

  /** @internal */
  toggleReactions(): void {
    this.reactionsOpen = !this.reactionsOpen;
  }

  /** @internal */
  setDisplayName(name: string): void {
    this.displayName = name;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('displayName') && this.session.conference && this.displayName) this.session.conference.setDisplayName(this.displayName);
    // A different room or deployment while in a call: leave and join the new one. First, so that the state and
    // the context drawn now are those after leaving (never `joined` without a conference).
    const sessionState = this.session.state;
    if (this.joinedTarget !== undefined && this.joinedTarget !== this.target() && (sessionState === 'joined' || sessionState === 'connecting')) {
      this.joinedTarget = this.target();
      void this.session.leave(false).then(() => this.join());
    }
    this.state = this.session.state;
    this.provider.setValue(this.contextValue());
    if (this.state !== 'joined' && this.state !== 'reconnecting') this.reactionsOpen = false;
    const log = this.renderRoot.querySelector<HTMLElement>('[part~="chat-log"]');
    this.chatAtEnd = !log || log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
  }

  protected override updated(): void {
    this.observeStage();
    this.followLevels();
    this.keepChatScrolled();
    if (this.drawn) this.askForVisible(this.drawn);
  }

  /** Retry and Rejoin: with the attributes and token as they are now. */
  private retry(password?: string): void {
    if (!this.canJoin) return;
    this.joinedTarget = this.target();
    void this.session.retry(password, this.settings());
  }

  /** What the call is joined to: a change of any part means another room. */
  private target(): string {
    return JSON.stringify([this.room.toLowerCase(), this.domain, this.serviceUrl, this.muc]);
  }

  private start(): void {
    if (!this.isConnected || this.session.state !== 'idle') return;
    if (this.prejoin) this.session.enterPrejoin();
    else if (this.canJoin) void this.join();
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

  /**
   * The size of the box the tiles are laid out in decides the grid; measured, not guessed. That is the tile
   * view's grid (the media area less the page buttons, when there are pages) or the speaker view.
   */
  private observeStage(): void {
    const stage = this.renderRoot.querySelector('.media > .grid, .media > .speaker-view');
    if (stage === this.observedStage) return;
    this.stageObserver?.disconnect();
    this.observedStage = stage ?? undefined;
    if (!stage) return;
    this.stageObserver ??= new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box) return;
      const next = { width: Math.round(box.width), height: Math.round(box.height) };
      // Applied in the next frame: the layout it gives can change this very box (page buttons come or go),
      // which must not happen inside the observer's delivery ("ResizeObserver loop" error).
      requestAnimationFrame(() => {
        if (next.width !== this.stageSize?.width || next.height !== this.stageSize.height) this.stageSize = next;
      });
    });
    this.stageObserver.observe(stage);
  }

  /** Audio levels move a bar on each tile through a custom property: no re-render per level. */
  private followLevels(): void {
    const conference = this.session.conference;
    if (conference === this.levelsFor) return;
    this.levelsOff?.();
    this.levelsOff = undefined;
    this.levelsFor = conference;
    if (!conference) return;
    const onLevel = (id: string, level: number): void => {
      const tile =
        id === conference.myUserId() ? this.renderRoot.querySelector<HTMLElement>('.tile[data-local]') : this.renderRoot.querySelector<HTMLElement>(`.tile[data-participant="${CSS.escape(id)}"]`);
      tile?.style.setProperty('--jitsi-level', String(Math.min(1, Math.max(0, level))));
    };
    conference.on(JitsiConferenceEvents.TRACK_AUDIO_LEVEL_CHANGED, onLevel);
    this.levelsOff = () => conference.off(JitsiConferenceEvents.TRACK_AUDIO_LEVEL_CHANGED, onLevel);
  }

  /**
   * The log opens at its end; new messages scroll it there when it showed its end before they came (measured
   * before drawing them, so no other re-render or scroll-event timing moves a reader who scrolled up), or
   * when the newest is our own.
   */
  private keepChatScrolled(): void {
    const log = this.renderRoot.querySelector<HTMLElement>('[part~="chat-log"]') ?? undefined;
    const newest = this.session.chat.at(-1);
    const opened = log !== this.chatShown;
    const added = newest?.id !== this.chatLast;
    this.chatShown = log;
    this.chatLast = newest?.id;
    if (log && (opened || (added && (this.chatAtEnd || newest?.mine)))) log.scrollTop = log.scrollHeight;
  }

  /** Only what is visible is asked of the bridge (protocol.md 8.2), sent again when that changes. */
  private askForVisible(model: StageModel): void {
    const conference = this.session.conference;
    if (!conference || !this.stageSize) return;
    const visible: VisibleSource[] = model.visible
      .filter((tile) => !tile.local)
      .flatMap((tile) =>
        tile.sources.map((sourceName) => ({ sourceName, height: tile === model.stage ? (this.stageSize?.height ?? 720) : model.tileHeight, onStage: tile === model.stage })),
      );
    const constraints = receiverConstraintsFor(visible, globalThis.devicePixelRatio || 1);
    const key = JSON.stringify(constraints);
    if (key === this.sentConstraints) return;
    this.sentConstraints = key;
    conference.setReceiverConstraints(constraints);
  }

  private readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.composedPath()[0];
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    if (this.state !== 'joined' && this.state !== 'reconnecting') return;
    const key = event.key.toLowerCase();
    const actions: Record<string, () => void> = {
      m: () => void this.toggleAudio(),
      v: () => void this.toggleVideo(),
      c: () => this.togglePanel('chat'),
      r: () => this.toggleHand(),
      '?': () => this.togglePanel('help'),
      escape: () => {
        if (this.panel) this.togglePanel(this.panel);
        this.reactionsOpen = false;
      },
    };
    const action = actions[key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  // ---- rendering ----------------------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    if (this.headless) return html`<slot></slot>`;
    const state = this.state;
    const session = this.session;
    const inCall = state === 'joined' || state === 'reconnecting';
    const actions = { retry: (password?: string) => this.retry(password) };
    this.drawn = undefined;
    if (state !== 'idle' && !callViews) void loadCallViews().then(() => this.requestUpdate(), () => undefined);
    let body: TemplateResult;
    if (state === 'prejoin') body = renderPrejoin(this);
    else if (inCall) body = callViews ? this.renderCall(callViews) : renderConnecting(this, 'connecting');
    else if (state === 'failed') body = session.failure === 'conference.destroyed' ? renderLeft(this, actions) : renderFailed(this, actions);
    else if (state === 'left') body = renderLeft(this, actions);
    else body = session.lobby.knocking && state === 'connecting' ? renderKnocking(this) : renderConnecting(this, state === 'connecting' ? 'connecting' : 'idle');
    return html`<div part="base" class=${`base state-${state}`} tabindex="-1" @keydown=${this.onKeydown}>
      ${session.mediaError && state !== 'prejoin' && inCall ? html`<p part="media-error" class="notice error" role="alert">${this.t('permissionDenied')}</p>` : nothing}
      ${body}
      <slot></slot>
    </div>`;
  }

  private renderCall({ renderControls, renderPanel, renderStage, renderUnmuteNotice, stageModel, tileModels }: typeof CallViews): TemplateResult {
    const session = this.session;
    const tiles = tileModels(this);
    const model = stageModel(this, tiles);
    if (model.page !== this.page) queueMicrotask(() => (this.page = model.page));
    this.drawn = model;
    const header = session.subject || session.locked;
    return html`${header
        ? html`<header part="header" class="header">
            ${session.locked ? html`<span class="indicator" role="img" aria-label=${this.t('locked')} title=${this.t('locked')}>${icons.lock}</span>` : nothing}
            ${session.subject ? html`<span class="subject"><span class="sr">${this.t('subject')}: </span>${session.subject}</span>` : nothing}
          </header>`
        : nothing}
      <div part="stage" class=${`stage ${this.panel ? 'with-panel' : ''}`}>
        <div class="media">${renderStage(this, model)}</div>
        ${renderLobbyNotice(this)}
        ${this.panel
          ? renderPanel(this, this.panel, tiles, {
              sendChat: (text) => this.sendMessage(text),
              setPassword: async (password) => {
                await (password ? session.conference?.lock(password) : session.conference?.unlock())?.catch(() => undefined);
              },
            })
          : nothing}
        ${this.state === 'reconnecting' ? html`<div part="status" class="reconnecting" role="status">${this.t('reconnecting')}</div>` : nothing}
        <div class="overlay"><slot name="overlay"></slot></div>
      </div>
      ${renderUnmuteNotice(this)}
      <slot name="controls">${renderControls(this, tiles, model)}</slot>`;
  }
}
