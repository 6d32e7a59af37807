/**
 * Meeting moderation in `<jitsi-conference>` (issue 14): in the participants panel, "End meeting for all" and
 * the switch that lets only allowed participants unmute (AV moderation), "Allow to speak" / "Ask to unmute"
 * per participant, and everyone's speaking time (speaker stats); above the controls, why our microphone stays
 * off. Each part shows only when the deployment has the component (`is…Supported()`).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { icons } from './icons.js';
import type { ConferenceUi } from './ui.js';
import type { TileModel } from './view-call.js';

/** Moderator tools and the speaker statistics, under the participant list. */
export function renderModeration(ui: ConferenceUi): TemplateResult {
  const conference = ui.session.conference;
  if (!conference) return html``;
  const moderator = conference.isModerator();
  const avModeration = moderator && conference.isAVModerationSupported();
  const moderated = conference.isAVModerationEnabled('audio');
  const onModerate = (event: Event): void => {
    const on = (event.target as HTMLInputElement).checked;
    if (on) conference.enableAVModeration('audio');
    else conference.disableAVModeration('audio');
  };
  return html`${avModeration
      ? html`<label part="av-moderation" class="moderation-switch"
          ><input type="checkbox" .checked=${moderated} @change=${onModerate} /> ${ui.t('moderationAudio')}</label
        >`
      : nothing}
    ${moderator && conference.isEndConferenceSupported()
      ? html`<button part="button end-for-all" class="control danger" type="button" @click=${() => conference.end()}>${ui.t('endForAll')}</button>`
      : nothing}
    ${conference.isSpeakerStatsSupported() ? renderSpeakerStats(ui) : nothing}`;
}

/** "Allow to speak" (moderation on) or "Ask to unmute" (off) for a muted, non-moderator participant. */
export function renderAllowToSpeak(ui: ConferenceUi, tile: TileModel): TemplateResult | typeof nothing {
  const conference = ui.session.conference;
  if (!conference?.isModerator() || !conference.isAVModerationSupported() || tile.local || tile.moderator || !tile.audioMuted) return nothing;
  const label = ui.f(conference.isAVModerationEnabled('audio') ? 'allowToSpeak' : 'askToUnmute', { name: tile.name });
  return html`<button part="button participant-action allow-to-speak" class="control round small" type="button" aria-label=${label} title=${label} @click=${() => conference.avModerationApprove('audio', tile.id)}>${icons.microphone}</button>`;
}

/** Why the microphone did not come on: a moderator has to allow it (our hand went up to ask). */
export function renderUnmuteNotice(ui: ConferenceUi): TemplateResult | typeof nothing {
  const conference = ui.session.conference;
  if (!ui.session.unmuteRefused || !conference || conference.isUnmuteAllowed('audio')) return nothing;
  return html`<p part="unmute-refused" class="notice" role="status">${ui.t('unmuteNeedsModerator')}</p>`;
}

function renderSpeakerStats(ui: ConferenceUi): TemplateResult {
  const stats = Object.values(ui.session.conference?.getSpeakerStats() ?? {}).sort((a, b) => b.getTotalDominantSpeakerTime() - a.getTotalDominantSpeakerTime());
  const time = (ms: number): string => {
    const seconds = Math.floor(ms / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  };
  return html`<section part="speaker-stats" class="speaker-stats" aria-label=${ui.t('speakerStats')}>
    <h3>${ui.t('speakerStats')}</h3>
    <ul>
      ${stats.map(
        (s) => html`<li data-id=${s.getUserId()}>
          <span class="participant-name">${s.isLocalStats() ? ui.t('you') : (s.getDisplayName() ?? s.getUserId())}${s.hasLeft() ? html` <span class="muted-text">(${ui.t('hasLeft')})</span>` : nothing}</span>
          <time>${time(s.getTotalDominantSpeakerTime())}</time>
        </li>`,
      )}
    </ul>
  </section>`;
}
