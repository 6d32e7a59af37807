/**
 * Recording in `<jitsi-conference>` (protocol.md 13.9): a start/stop button for moderators when the page says
 * the deployment records (attribute `recording`: lib-jitsi-meet has no discovery for Jibri, a Jitsi Meet
 * deployment says so in its config), and a "Recording" indicator for everyone while a recording is on.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { icons } from './icons.js';
import type { ConferenceUi } from './ui.js';

/** The recording control, or nothing when this user cannot start or stop one. */
export function recordingButton(ui: ConferenceUi): TemplateResult | typeof nothing {
  const session = ui.session;
  const conference = session.conference;
  if (!ui.recordingOffered || !conference?.isModerator()) return nothing;
  const active = session.recordingSession;
  const label = active ? ui.t('recordingStop') : ui.t('recordingStart');
  const toggle = (): void => {
    const id = active?.getID();
    const request = id ? conference.stopRecording(id) : conference.startRecording({ mode: 'file' }).then(() => undefined);
    // A refusal arrives as RECORDER_STATE_CHANGED (an off session with the error); the button follows it.
    request.catch(() => undefined);
  };
  return html`<button part="button button-recording" class="control control-recording" type="button" aria-label=${label} title=${label} aria-pressed=${String(Boolean(active))} @click=${toggle}>
    ${icons.record}<span class="label">${label}</span>
  </button>`;
}

/** "Recording" while the room is recorded (whoever started it), else nothing. */
export function recordingIndicator(ui: ConferenceUi): TemplateResult | typeof nothing {
  return ui.session.recordingSession?.getStatus() === 'on'
    ? html`<span part="recording-indicator" class="recording-indicator" role="status">${ui.t('recordingOn')}</span>`
    : nothing;
}
