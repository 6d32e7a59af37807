/**
 * The call as `<jitsi-conference>` draws it: tile view (the largest tiles the box allows, paged when there are
 * more than fit) or speaker view (one participant on stage, a filmstrip of the others), a screen share on
 * stage automatically, and the control bar. The stage reports what is visible so the element can ask the
 * bridge for exactly that. The filmstrip scrolls sideways and takes focus, so a keyboard can scroll it too.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { icons, reactionIcons, type Reaction } from './icons.js';
import { fitGrid, pageCapacity, pageOf } from './layout.js';
import type { ConferenceUi } from './ui.js';
import { recordingButton, recordingIndicator } from './view-recording.js';

/** One tile to draw: ours (`participant` undefined) or a remote participant's. */
export interface TileModel {
  id: string;
  participant: JitsiParticipant | undefined;
  name: string;
  local: boolean;
  audioMuted: boolean;
  videoMuted: boolean;
  screenShare: boolean;
  moderator: boolean;
  handRaised: boolean;
  /** Video source names of the tile, for the receiver constraints. */
  sources: string[];
}

export interface StageModel {
  mode: 'tile' | 'speaker';
  /** Tiles drawn now, in order (speaker view: stage first). */
  visible: TileModel[];
  /** The tile on stage (speaker view). */
  stage: TileModel | undefined;
  /** Tile size in px (tile view), for the receiver constraints. */
  tileHeight: number;
  page: number;
  pages: number;
}

/** Everyone in the call as tiles: ourselves first, then raised hands, then in joining order. */
export function tileModels(ui: ConferenceUi): TileModel[] {
  const session = ui.session;
  const conference = session.conference;
  const self = conference?.myUserId() ?? 'local';
  const audio = session.track('audio');
  const video = session.localTracks.find((t) => t.getType() === 'video');
  const local: TileModel = {
    id: self,
    participant: undefined,
    name: ui.displayName || ui.t('you'),
    local: true,
    audioMuted: audio?.isMuted() ?? true,
    videoMuted: video?.isMuted() ?? true,
    screenShare: video?.getVideoType() === 'desktop',
    moderator: conference?.isModerator() ?? false,
    handRaised: session.isHandRaised(),
    sources: [],
  };
  const remote = (conference?.getParticipants() ?? [])
    .filter((p) => !p.isHidden())
    .map((p): TileModel => {
      const tracks = p.getTracksByMediaType('video');
      return {
        id: p.getId(),
        participant: p,
        name: p.getDisplayName() || p.getId(),
        local: false,
        audioMuted: p.isAudioMuted(),
        videoMuted: p.isVideoMuted(),
        screenShare: tracks.some((t) => t.getVideoType() === 'desktop' && !t.isMuted()),
        moderator: p.getRole() === 'moderator',
        handRaised: session.isHandRaised(p.getId()),
        sources: tracks.flatMap((t) => (t.getSourceName() ? [t.getSourceName() ?? ''] : [])),
      };
    });
  remote.sort((a, b) => Number(b.handRaised) - Number(a.handRaised));
  return [local, ...remote];
}

/** Decides the layout: a remote screen share (or the speaker-view choice) puts one tile on stage. */
export function stageModel(ui: ConferenceUi, tiles: TileModel[]): StageModel {
  const share = tiles.find((t) => t.screenShare && !t.local);
  const mode = ui.layout === 'speaker' || (ui.layout === 'auto' && share) ? 'speaker' : 'tile';
  const size = ui.stageSize;
  if (mode === 'speaker') {
    const dominant = tiles.find((t) => !t.local && t.id === ui.session.lastRemoteSpeaker);
    const stage = share ?? dominant ?? tiles.find((t) => !t.local) ?? tiles[0];
    const strip = tiles.filter((t) => t !== stage);
    return { mode, visible: stage ? [stage, ...strip] : strip, stage, tileHeight: size ? size.height * 0.2 : 180, page: 0, pages: 1 };
  }
  const capacity = size ? pageCapacity(size.width, size.height) : tiles.length;
  const paged = pageOf(tiles, ui.page, capacity);
  const fit = size ? fitGrid(paged.items.length, size.width, size.height) : undefined;
  return { mode, visible: paged.items, stage: undefined, tileHeight: fit?.height ?? 360, page: paged.page, pages: paged.pages };
}

const QUALITY = { good: 'qualityGood', fair: 'qualityFair', poor: 'qualityPoor' } as const;

function renderIndicators(ui: ConferenceUi, tile: TileModel): TemplateResult {
  const quality = ui.session.quality.get(tile.id);
  const level: keyof typeof QUALITY | undefined = quality === undefined ? undefined : quality >= 70 ? 'good' : quality >= 30 ? 'fair' : 'poor';
  return html`<span part="tile-indicators" class="indicators">
    ${tile.audioMuted
      ? html`<span class="indicator" role="img" aria-label=${`${ui.t('microphone')} ${ui.t('muted')}`} title=${`${ui.t('microphone')} ${ui.t('muted')}`}>${icons.microphoneOff}</span>`
      : html`<span class="indicator level" aria-hidden="true"><span class="bar"></span><span class="bar"></span><span class="bar"></span></span>`}
    ${tile.moderator ? html`<span class="indicator" role="img" aria-label=${ui.t('moderator')} title=${ui.t('moderator')}>${icons.moderator}</span>` : nothing}
    ${level
      ? html`<span class=${`indicator quality ${level}`} role="img" aria-label=${ui.f('connectionQuality', { quality: ui.t(QUALITY[level]) })}
          ><span class="q1"></span><span class="q2"></span><span class="q3"></span
        ></span>`
      : nothing}
  </span>`;
}

function renderTile(ui: ConferenceUi, tile: TileModel, options: { stage?: boolean; size?: { width: number; height: number } } = {}): TemplateResult {
  const speaking = ui.session.dominantSpeaker === tile.id;
  const reactions = ui.session.reactions.filter((r) => r.from === tile.id);
  const part = ['tile', tile.local ? 'local' : '', tile.screenShare ? 'featured' : '', options.stage ? 'stage-tile' : ''].filter(Boolean).join(' ');
  const style = options.size ? styleMap({ width: `${Math.floor(options.size.width)}px`, height: `${Math.floor(options.size.height)}px` }) : nothing;
  return html`<div
    part=${part}
    class=${classMap({ tile: true, local: tile.local, speaking, featured: tile.screenShare, stage: Boolean(options.stage), hand: tile.handRaised })}
    role="listitem"
    aria-label=${tile.name}
    data-participant=${tile.local ? nothing : tile.id}
    data-local=${tile.local ? '' : nothing}
    style=${style}
  >
    <jitsi-track participant=${tile.local ? 'local' : tile.id} kind="video" fit=${tile.screenShare ? 'contain' : 'cover'}></jitsi-track>
    ${tile.local ? nothing : html`<jitsi-track participant=${tile.id} kind="audio"></jitsi-track>`}
    ${tile.handRaised
      ? html`<span part="tile-hand" class="hand-badge" role="img" aria-label=${ui.t('handRaised')} title=${ui.t('handRaised')}>${icons.hand}</span>`
      : nothing}
    <div class="tile-footer">
      <span part="tile-name" class="name">${tile.name}</span>
      ${renderIndicators(ui, tile)}
    </div>
    ${reactions.length > 0
      ? html`<div class="reactions" aria-live="polite">
          ${repeat(reactions, (r) => r.key, (r) => html`<span class="reaction" role="img" aria-label=${ui.t(`reaction_${r.reaction}` as 'reaction_like')}>${reactionIcons[r.reaction as Reaction]}</span>`)}
        </div>`
      : nothing}
  </div>`;
}

export function renderStage(ui: ConferenceUi, model: StageModel): TemplateResult {
  const size = ui.stageSize;
  if (model.mode === 'speaker') {
    const [stage, ...strip] = model.visible;
    return html`<div part="speaker-view" class="speaker-view">
      <div class="stage-main" role="list" aria-label=${ui.t('speakerView')}>${stage ? renderTile(ui, stage, { stage: true }) : nothing}</div>
      <div part="filmstrip" class="filmstrip" role="list" aria-label=${ui.t('participants')} tabindex="0">${repeat(strip, (t) => t.id, (t) => renderTile(ui, t))}</div>
    </div>`;
  }
  const fit = size ? fitGrid(model.visible.length, size.width, size.height) : undefined;
  const gridStyle = fit ? styleMap({ gridTemplateColumns: `repeat(${fit.columns}, ${Math.floor(fit.width)}px)` }) : nothing;
  return html`<div part="grid" class=${classMap({ grid: true, measured: Boolean(fit) })} role="list" aria-label=${ui.t('participants')} style=${gridStyle}>
      ${repeat(model.visible, (t) => t.id, (t) => renderTile(ui, t, { size: fit }))}
    </div>
    ${model.pages > 1
      ? html`<div part="pager" class="pager">
          <button part="button page-previous" class="control round" type="button" aria-label=${ui.t('previousPage')} ?disabled=${model.page === 0} @click=${() => ui.setPage(model.page - 1)}>${icons.previous}</button>
          <span class="page-label" aria-live="polite">${ui.f('pageOf', { page: model.page + 1, pages: model.pages })}</span>
          <button part="button page-next" class="control round" type="button" aria-label=${ui.t('nextPage')} ?disabled=${model.page >= model.pages - 1} @click=${() => ui.setPage(model.page + 1)}>${icons.next}</button>
        </div>`
      : nothing}`;
}

export function renderControls(ui: ConferenceUi, tiles: TileModel[], model: StageModel): TemplateResult {
  const session = ui.session;
  const audio = session.track('audio');
  const camera = session.localTracks.find((t) => t.getType() === 'video' && t.getVideoType() !== 'desktop') ?? session.track('video');
  const sharing = session.sharing;
  const microphoneOn = audio ? !audio.isMuted() : false;
  const cameraOn = camera ? !camera.isMuted() : false;
  const hand = session.isHandRaised();
  const button = (
    name: string,
    label: string,
    icon: TemplateResult,
    pressed: boolean | undefined,
    onClick: () => void,
    options: { disabled?: boolean; badge?: number; expanded?: boolean } = {},
  ): TemplateResult => html`<button
    part=${`button button-${name}`}
    class=${`control control-${name}`}
    type="button"
    aria-label=${options.badge ? `${label}, ${ui.f('unread', { count: options.badge })}` : label}
    title=${label}
    aria-pressed=${pressed === undefined ? nothing : String(pressed)}
    aria-expanded=${options.expanded === undefined ? nothing : String(options.expanded)}
    ?disabled=${options.disabled ?? false}
    @click=${onClick}
  >
    ${icon}<span class="label">${label}</span>${options.badge ? html`<span part="badge" class="badge" aria-hidden="true">${options.badge > 99 ? '99+' : options.badge}</span>` : nothing}
  </button>`;
  const others = tiles.length - 1;
  return html`<div part="control-bar" class="controls" role="toolbar" aria-label=${ui.t('controls')}>
    ${recordingIndicator(ui)}
    ${ui.reactionsOpen
      ? html`<div part="reactions-menu" class="reactions-menu" role="group" aria-label=${ui.t('reactions')}>
          ${(Object.keys(reactionIcons) as Reaction[]).map(
            (reaction) => html`<button part="button reaction-button" class="control round" type="button" aria-label=${ui.t(`reaction_${reaction}`)} title=${ui.t(`reaction_${reaction}`)} @click=${() => session.sendReaction(reaction)}>${reactionIcons[reaction]}</button>`,
          )}
        </div>`
      : nothing}
    ${button('microphone', ui.t('microphone'), microphoneOn ? icons.microphone : icons.microphoneOff, microphoneOn, () => void ui.toggleAudio(), { disabled: !audio })}
    ${button('camera', ui.t('camera'), cameraOn ? icons.camera : icons.cameraOff, cameraOn, () => void ui.toggleVideo(), { disabled: !camera || sharing })}
    ${button('screen', sharing ? ui.t('stopSharing') : ui.t('shareScreen'), icons.screen, sharing, () => void ui.toggleScreenShare())}
    ${button('hand', hand ? ui.t('lowerHand') : ui.t('raiseHand'), icons.hand, hand, () => ui.toggleHand())}
    ${button('reactions', ui.t('reactions'), icons.reactions, undefined, () => ui.toggleReactions(), { expanded: ui.reactionsOpen })}
    ${recordingButton(ui)}
    ${button('chat', ui.t('chat'), icons.chat, ui.panel === 'chat', () => ui.togglePanel('chat'), { badge: session.unread })}
    ${button('participants', ui.f('participantsCount', { count: others + 1 }), icons.participants, ui.panel === 'participants', () => ui.togglePanel('participants'))}
    ${button('layout', model.mode === 'tile' ? ui.t('speakerView') : ui.t('tileView'), model.mode === 'tile' ? icons.speakerView : icons.tileView, undefined, () =>
      ui.setLayout(model.mode === 'tile' ? 'speaker' : 'tile'),
    )}
    ${button('devices', ui.t('devices'), icons.devices, ui.panel === 'devices', () => ui.togglePanel('devices'))}
    ${button('help', ui.t('keyboardShortcuts'), icons.keyboard, ui.panel === 'help', () => ui.togglePanel('help'))}
    ${button('leave', ui.t('leave'), icons.leave, undefined, () => void ui.leave())}
  </div>`;
}
