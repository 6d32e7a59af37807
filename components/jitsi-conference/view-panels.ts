/**
 * The side panels of `<jitsi-conference>`: chat (times, links as text-only anchors, unread count kept by the
 * session), participants (raised hands first, moderator actions through the engine), devices and the keyboard
 * shortcuts. One panel at a time; on a narrow element it covers the stage.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { repeat } from 'lit/directives/repeat.js';
import { chatParts, chatTime } from './chat-format.js';
import { renderBreakoutRooms } from './view-breakout.js';
import { icons } from './icons.js';
import { renderAllowToSpeak, renderModeration } from './view-moderation.js';
import type { Panel, ConferenceUi } from './ui.js';
import type { TileModel } from './view-call.js';
import { renderLobbyQueue } from './view-lobby.js';

export interface PanelActions {
  sendChat(text: string): void;
  setPassword(password: string): Promise<void>;
}

const TITLES: Record<Panel, 'chat' | 'participants' | 'devices' | 'keyboardShortcuts'> = {
  chat: 'chat',
  participants: 'participants',
  devices: 'devices',
  help: 'keyboardShortcuts',
};

export function renderPanel(ui: ConferenceUi, panel: Panel, tiles: TileModel[], actions: PanelActions): TemplateResult {
  const title = ui.t(TITLES[panel]);
  const body = panel === 'chat' ? renderChat(ui, actions) : panel === 'participants' ? renderParticipants(ui, tiles, actions) : panel === 'devices' ? renderDevices() : renderHelp(ui);
  return html`<section part=${`panel ${panel}`} class=${`panel panel-${panel}`} aria-label=${title}>
    <header class="panel-header">
      <h2 class="panel-title">${title}</h2>
      <button part="button panel-close" class="control round small" type="button" aria-label=${ui.t('close')} title=${ui.t('close')} @click=${() => ui.togglePanel(panel)}>${icons.close}</button>
    </header>
    ${body}
  </section>`;
}

function renderChat(ui: ConferenceUi, actions: PanelActions): TemplateResult {
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('message') as HTMLInputElement | null;
    const text = input?.value.trim();
    if (!text || !input) return;
    actions.sendChat(text);
    input.value = '';
  };
  return html`<div part="chat-log" class="log" role="log" aria-live="polite" tabindex="0">
      <ol>
        ${repeat(
          ui.session.chat,
          (m) => m.id,
          (m) => html`<li class=${classMap({ message: true, mine: m.mine, private: m.private })}>
            <div class="meta"><b class="author">${m.mine ? ui.t('you') : (m.name ?? m.from)}</b> <time datetime=${new Date(m.time).toISOString()}>${chatTime(new Date(m.time), ui.language)}</time></div>
            <div class="text">${chatParts(m.text).map((part) => (part.kind === 'link' ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>` : part.text))}</div>
          </li>`,
        )}
      </ol>
    </div>
    <form part="chat-form" class="chat-form" @submit=${onSubmit}>
      <input name="message" aria-label=${ui.t('message')} autocomplete="off" maxlength="4000" />
      <button part="button" class="control primary" type="submit">${ui.t('send')}</button>
    </form>`;
}

function renderParticipants(ui: ConferenceUi, tiles: TileModel[], actions: PanelActions): TemplateResult {
  const conference = ui.session.conference;
  const moderator = conference?.isModerator() ?? false;
  const action = (label: string, icon: TemplateResult, onClick: () => unknown): TemplateResult =>
    html`<button part="button participant-action" class="control round small" type="button" aria-label=${label} title=${label} @click=${() => void onClick()}>${icon}</button>`;
  const onPassword = (event: SubmitEvent): void => {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('password') as HTMLInputElement | null;
    void actions.setPassword(input?.value ?? '').then(() => {
      if (input) input.value = '';
    });
  };
  return html`${renderLobbyQueue(ui)}<ul part="participant-list" class="participant-list">
      ${repeat(
        tiles,
        (t) => t.id,
        (t) => html`<li class="participant" data-id=${t.id}>
          <span class="participant-name">${t.name}${t.local ? html` <span class="muted-text">(${ui.t('you')})</span>` : nothing}</span>
          <span class="participant-state">
            ${t.handRaised ? html`<span class="indicator hand" role="img" aria-label=${ui.t('handRaised')}>${icons.hand}</span>` : nothing}
            ${t.moderator ? html`<span class="indicator" role="img" aria-label=${ui.t('moderator')}>${icons.moderator}</span>` : nothing}
            <span class="indicator" role="img" aria-label=${`${ui.t('microphone')}${t.audioMuted ? ` ${ui.t('muted')}` : ''}`}>${t.audioMuted ? icons.microphoneOff : icons.microphone}</span>
            <span class="indicator" role="img" aria-label=${`${ui.t('camera')}${t.videoMuted ? ` ${ui.t('muted')}` : ''}`}>${t.videoMuted ? icons.cameraOff : icons.camera}</span>
          </span>
          ${moderator && !t.local && conference
            ? html`<span class="participant-actions">
                ${renderAllowToSpeak(ui, t)}
                ${t.audioMuted ? nothing : action(ui.f('muteParticipant', { name: t.name }), icons.microphoneOff, () => conference.muteParticipant(t.id, 'audio'))}
                ${t.videoMuted ? nothing : action(ui.f('stopParticipantVideo', { name: t.name }), icons.cameraOff, () => conference.muteParticipant(t.id, 'video'))}
                ${t.moderator ? nothing : action(ui.f('grantModerator', { name: t.name }), icons.moderator, () => conference.grantOwner(t.id).catch(() => undefined))}
                ${action(ui.f('kickParticipant', { name: t.name }), icons.kick, () => conference.kickParticipant(t.id).catch(() => undefined))}
              </span>`
            : nothing}
        </li>`,
      )}
    </ul>
    ${moderator
      ? html`<form part="password-form" class="password-form" @submit=${onPassword}>
          <label>${ui.t('roomPassword')} <input name="password" type="password" autocomplete="new-password" /></label>
          <div class="row">
            <button part="button" class="control primary" type="submit">${ui.t('setPassword')}</button>
            ${ui.session.locked ? html`<button part="button" class="control" type="button" @click=${() => void actions.setPassword('')}>${ui.t('removePassword')}</button>` : nothing}
          </div>
        </form>`
      : nothing}
    ${renderModeration(ui)}
    ${renderBreakoutRooms(ui)}`;
}

function renderDevices(): TemplateResult {
  return html`<jitsi-device-picker></jitsi-device-picker>`;
}

const SHORTCUTS = [
  ['M', 'shortcutMicrophone'],
  ['V', 'shortcutCamera'],
  ['C', 'shortcutChat'],
  ['R', 'shortcutHand'],
  ['?', 'shortcutHelp'],
] as const;

function renderHelp(ui: ConferenceUi): TemplateResult {
  return html`<dl class="shortcuts">
    ${SHORTCUTS.map(([key, label]) => html`<div class="shortcut"><dt><kbd>${key}</kbd></dt><dd>${ui.t(label)}</dd></div>`)}
  </dl>`;
}
