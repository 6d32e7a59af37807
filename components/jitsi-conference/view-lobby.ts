/**
 * The lobby in `<jitsi-conference>` (protocol.md 13.1), shown only where the deployment has one
 * (`isLobbySupported()`). Someone the members-only room refuses knocks at once under their name (or first
 * types one) and waits on a "waiting to be admitted" screen until a moderator admits them (the call starts)
 * or refuses (a failure in words). Moderators get the lobby switch and the queue of knockers (admit, refuse)
 * in the participants panel, and a notice over the stage while someone waits and the panel is closed.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import { JitsiConferenceErrors } from '../../src/errors/JitsiConferenceErrors.js';
import { JitsiConferenceEvents as C } from '../../src/events/JitsiConferenceEvents.js';
import type { ConferenceUi } from './ui.js';

export interface Knocker {
  id: string;
  name: string | undefined;
  email?: string;
}

type On = (event: string, listener: (...args: never[]) => void) => void;

/** The lobby state of a session: our own knocking, and (moderators) the lobby switch and the queue. */
export class LobbyState {
  /** We wait in the lobby (or are asked for a name to knock with). */
  knocking = false;
  /** We joined the lobby room and wait there. */
  waiting = false;
  membersOnly = false;
  readonly knockers = new Map<string, Knocker>();
  private conference: JitsiConference | undefined;

  constructor(private readonly hooks: { changed(): void; knocking(): void; name(): string | undefined }) {}

  /** Follows `conference`'s lobby events (the session's `on` removes them when it ends). */
  watch(conference: JitsiConference, on: On): void {
    this.conference = conference;
    on(C.CONFERENCE_FAILED, ((error: string) => {
      const knock = error === JitsiConferenceErrors.MEMBERS_ONLY_ERROR && conference.isLobbySupported();
      this.waiting = false;
      this.knocking = knock;
      if (!knock) return this.hooks.changed();
      this.hooks.knocking();
      const name = this.hooks.name();
      if (name) this.knock(name);
      else this.hooks.changed();
    }));
    on(C.CONFERENCE_JOINED, () => {
      this.knocking = false;
      this.waiting = false;
      this.hooks.changed();
    });
    on(C.MEMBERS_ONLY_CHANGED, ((enabled: boolean) => {
      this.membersOnly = enabled;
      if (!enabled) this.knockers.clear();
      this.hooks.changed();
    }));
    on(C.LOBBY_USER_JOINED, ((id: string, name: string | undefined) => {
      this.knockers.set(id, { id, name });
      this.hooks.changed();
    }));
    on(C.LOBBY_USER_UPDATED, ((id: string, update: { email?: string }) => {
      const knocker = this.knockers.get(id);
      if (knocker) knocker.email = update.email;
    }));
    on(C.LOBBY_USER_LEFT, ((id: string) => {
      this.knockers.delete(id);
      this.hooks.changed();
    }));
  }

  /** Knocks under `name`: joins the lobby room and waits. */
  knock(name: string): void {
    const conference = this.conference;
    if (!conference) return;
    conference
      .joinLobby(name)
      .then(() => {
        this.waiting = true;
        this.hooks.changed();
      })
      .catch(() => {
        this.knocking = false;
        this.hooks.changed();
      });
  }

  setEnabled(enabled: boolean): void {
    if (enabled) void this.conference?.enableLobby().catch(() => undefined);
    else this.conference?.disableLobby();
  }

  admit(id: string): void {
    this.conference?.lobbyApproveAccess(id);
  }

  refuse(id: string): void {
    this.conference?.lobbyDenyAccess(id);
  }

  reset(): void {
    this.conference = undefined;
    this.knocking = false;
    this.waiting = false;
    this.membersOnly = false;
    this.knockers.clear();
  }
}

const shown = (ui: ConferenceUi): boolean => {
  const conference = ui.session.conference;
  return Boolean(conference?.isLobbySupported() && conference.isModerator());
};

/** The knocker's screen: a name to knock with, then "waiting to be admitted" under that name. */
export function renderKnocking(ui: ConferenceUi): TemplateResult {
  const lobby = ui.session.lobby;
  const cancel = html`<button part="button lobby-cancel" class="control" type="button" @click=${() => void ui.leave()}>${ui.t('lobbyCancel')}</button>`;
  if (!lobby.waiting && !ui.displayName) {
    const onSubmit = (event: SubmitEvent): void => {
      event.preventDefault();
      const name = new FormData(event.target as HTMLFormElement).get('name');
      if (typeof name !== 'string' || !name.trim()) return;
      ui.setDisplayName(name.trim());
      lobby.knock(name.trim());
    };
    return html`<form part="status lobby-knock" class="status card" @submit=${onSubmit}>
      <p>${ui.t('lobbyAskName')}</p>
      <label class="field">${ui.t('yourName')} <input part="name-input" name="name" autocomplete="name" required /></label>
      <button part="button lobby-ask" class="control primary" type="submit">${ui.t('lobbyAskToJoin')}</button>
      ${cancel}
    </form>`;
  }
  return html`<div part="status lobby-waiting" class="status card" role="status">
    <span class="spinner" aria-hidden="true"></span>
    <p><b>${ui.t('lobbyWaiting')}</b></p>
    <p>${ui.f('lobbyWaitingAs', { name: ui.displayName })}</p>
    ${cancel}
  </div>`;
}

function admitButtons(ui: ConferenceUi, knocker: Knocker): TemplateResult {
  const lobby = ui.session.lobby;
  const name = knocker.name ?? ui.t('lobbySomeone');
  return html`<span class="participant-actions">
    <button part="button lobby-admit" class="control primary small" type="button" aria-label=${ui.f('lobbyAdmitName', { name })} @click=${() => lobby.admit(knocker.id)}>${ui.t('lobbyAdmit')}</button>
    <button part="button lobby-refuse" class="control small" type="button" aria-label=${ui.f('lobbyRefuseName', { name })} @click=${() => lobby.refuse(knocker.id)}>${ui.t('lobbyRefuse')}</button>
  </span>`;
}

/** Moderators, in the participants panel: the lobby switch and who waits. */
export function renderLobbyQueue(ui: ConferenceUi): TemplateResult | typeof nothing {
  if (!shown(ui)) return nothing;
  const lobby = ui.session.lobby;
  const on = lobby.membersOnly;
  return html`<section part="lobby" class="lobby" aria-label=${ui.t('lobby')}>
    <button part="button lobby-switch" class="control" type="button" aria-pressed=${String(on)} @click=${() => lobby.setEnabled(!on)}>${ui.t('lobbySwitch')}</button>
    ${on
      ? lobby.knockers.size === 0
        ? html`<p class="muted-text small">${ui.t('lobbyEmpty')}</p>`
        : html`<ul part="lobby-queue" class="participant-list">
            ${repeat(
              [...lobby.knockers.values()],
              (k) => k.id,
              (k) => html`<li class="participant" data-id=${k.id}><span class="participant-name">${k.name ?? ui.t('lobbySomeone')}</span>${admitButtons(ui, k)}</li>`,
            )}
          </ul>`
      : nothing}
  </section>`;
}

/** Moderators, over the stage while the participants panel is closed: the first knocker, to admit or refuse. */
export function renderLobbyNotice(ui: ConferenceUi): TemplateResult | typeof nothing {
  if (!shown(ui) || ui.panel === 'participants') return nothing;
  const [first] = ui.session.lobby.knockers.values();
  if (!first) return nothing;
  const more = ui.session.lobby.knockers.size - 1;
  return html`<div part="lobby-notice" class="notice lobby-notice" role="status">
    <span>${ui.f('lobbyKnocking', { name: first.name ?? ui.t('lobbySomeone') })}${more > 0 ? ` (+${more})` : ''}</span>
    ${admitButtons(ui, first)}
  </div>`;
}

export const lobbyStyles = css`
  .lobby {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: var(--_gap);
    border-bottom: 1px solid var(--_border);
    padding-bottom: var(--_gap);
  }
  .lobby .participant-list {
    align-self: stretch;
  }
  .lobby-notice {
    position: absolute;
    top: var(--_gap);
    left: var(--_gap);
    z-index: 2;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
`;
