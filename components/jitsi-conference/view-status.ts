/**
 * The screens around the call: the pre-join step (one camera preview, name, devices; the join button stays
 * visible while the rest scrolls), connecting, a failure in words with a way on (Retry, or the password prompt),
 * and the end of a call (left, removed, meeting ended) with Rejoin.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { failureMessage } from './failure.js';
import { icons } from './icons.js';
import type { ConferenceUi } from './ui.js';

export interface StatusActions {
  retry(password?: string): void;
}

export function renderPrejoin(ui: ConferenceUi): TemplateResult {
  const session = ui.session;
  const audio = session.track('audio');
  const video = session.track('video');
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const name = new FormData(event.target as HTMLFormElement).get('name');
    if (typeof name === 'string' && name.trim()) ui.setDisplayName(name.trim());
    void ui.join();
  };
  const toggle = (name: string, label: string, on: boolean, icon: TemplateResult, onClick: () => void, disabled: boolean): TemplateResult =>
    html`<button part=${`button button-${name}`} class="control round" type="button" aria-label=${label} title=${label} aria-pressed=${String(on)} ?disabled=${disabled} @click=${onClick}>${icon}</button>`;
  const microphoneOn = audio ? !audio.isMuted() : false;
  const cameraOn = video ? !video.isMuted() : false;
  return html`<form part="prejoin" class="prejoin" @submit=${onSubmit}>
    <div class="prejoin-body">
      <div part="tile local" class="tile local preview" data-local>
        <jitsi-track participant="local" kind="video"></jitsi-track>
        <div class="preview-controls">
          ${toggle('microphone', ui.t('microphone'), microphoneOn, microphoneOn ? icons.microphone : icons.microphoneOff, () => void ui.toggleAudio(), !audio)}
          ${toggle('camera', ui.t('camera'), cameraOn, cameraOn ? icons.camera : icons.cameraOff, () => void ui.toggleVideo(), !video)}
        </div>
      </div>
      ${session.mediaError ? html`<p part="media-error" class="notice error" role="alert">${ui.t('permissionDenied')}</p>` : nothing}
      <label class="field">${ui.t('yourName')} <input part="name-input" name="name" autocomplete="name" .value=${ui.displayName} /></label>
      <jitsi-device-picker part="prejoin-devices"></jitsi-device-picker>
    </div>
    <div class="prejoin-actions">
      <button part="join-button button" class="control primary" type="submit" ?disabled=${!ui.canJoin}>${ui.t('joinMeeting')}</button>
    </div>
  </form>`;
}

export function renderConnecting(ui: ConferenceUi, state: 'connecting' | 'idle'): TemplateResult {
  if (state === 'idle') return html``;
  return html`<div part="status" class="status" role="status"><span class="spinner" aria-hidden="true"></span>${ui.t('connecting')}</div>`;
}

export function renderFailed(ui: ConferenceUi, actions: StatusActions): TemplateResult {
  const failure = ui.session.failure;
  if (failure === 'conference.passwordRequired') {
    const onSubmit = (event: SubmitEvent): void => {
      event.preventDefault();
      const input = (event.target as HTMLFormElement).elements.namedItem('password') as HTMLInputElement | null;
      const password = input?.value ?? '';
      if (password) actions.retry(password);
    };
    return html`<form part="status password-prompt" class="status card" @submit=${onSubmit}>
      <p role="alert">${ui.session.passwordTried ? ui.t('wrongPassword') : ui.t('passwordRequired')}</p>
      <label class="field">${ui.t('password')} <input part="password-input" name="password" type="password" autocomplete="current-password" required /></label>
      <button part="button join-button" class="control primary" type="submit">${ui.t('join')}</button>
    </form>`;
  }
  return html`<div part="status" class="status card error" role="alert">
    <p>${ui.t(failureMessage(failure))}</p>
    ${failure ? html`<p class="muted-text small">${ui.t('errorCode')}: <code>${failure}</code></p>` : nothing}
    <button part="button retry-button" class="control primary" type="button" @click=${() => actions.retry()}>${icons.retry}<span class="label">${ui.t('retry')}</span></button>
  </div>`;
}

export function renderLeft(ui: ConferenceUi, actions: StatusActions): TemplateResult {
  const reason = ui.session.endReason;
  const message =
    reason?.kind === 'kicked' ? (reason.by ? ui.f('kickedBy', { name: reason.by }) : ui.t('kicked')) : reason?.kind === 'destroyed' ? ui.t('ended') : ui.t('left');
  return html`<div part="status" class="status card" role="status">
    <p>${message}</p>
    ${ui.canJoin ? html`<button part="button rejoin-button" class="control primary" type="button" @click=${() => actions.retry()}>${ui.t('rejoin')}</button>` : nothing}
  </div>`;
}
