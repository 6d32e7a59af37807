/**
 * The breakout rooms of `<jitsi-conference>` (protocol.md 13.3), in the participants panel when the deployment
 * has them (`getBreakoutRooms().isSupported()`): every room with who is in it and a button to go there;
 * moderators also add rooms, close them and send participants to a room.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { BreakoutRoom } from '../../src/conference/features/BreakoutRooms.js';
import type { ConferenceUi } from './ui.js';

export function renderBreakoutRooms(ui: ConferenceUi): TemplateResult | typeof nothing {
  const { conference, breakoutRooms } = ui.session;
  const feature = conference?.getBreakoutRooms();
  if (!conference || !feature?.isSupported()) return nothing;
  const moderator = conference.isModerator();
  const rooms = Object.values(breakoutRooms?.rooms ?? {}).sort((a, b) => Number(Boolean(b.isMainRoom)) - Number(Boolean(a.isMainRoom)) || (a.name ?? '').localeCompare(b.name ?? ''));
  const here = conference.roomJid;
  const nameOf = (room: BreakoutRoom): string => (room.isMainRoom ? ui.t('mainRoom') : (room.name ?? ui.t('breakoutRoom')));
  const add = (): void => feature.createBreakoutRoom(`${ui.t('breakoutRoom')} ${(breakoutRooms?.roomCounter ?? 0) + 1}`);
  const sendTo = (participantJid: string, event: Event): void => {
    const select = event.target as HTMLSelectElement;
    if (select.value) feature.sendParticipantToRoom(participantJid, select.value);
    select.value = '';
  };
  return html`<section part="breakout-rooms" class="breakout-rooms" aria-label=${ui.t('breakoutRooms')}>
    <h3 class="panel-subtitle">${ui.t('breakoutRooms')}</h3>
    <ul class="breakout-room-list">
      ${repeat(
        rooms,
        (room) => room.jid,
        (room) => html`<li class="breakout-room" data-jid=${room.jid}>
          <div class="row">
            <b class="breakout-room-name">${nameOf(room)}</b>
            ${room.jid === here
              ? html`<span class="muted-text">(${ui.t('you')})</span>`
              : html`<button part="button breakout-join" class="control small" type="button" @click=${() => void ui.session.switchRoom(room.jid)}>
                  ${ui.f('joinRoom', { name: nameOf(room) })}
                </button>`}
            ${moderator && !room.isMainRoom
              ? html`<button part="button breakout-close" class="control small" type="button" @click=${() => feature.removeBreakoutRoom(room.jid)}>
                  ${ui.f('closeRoom', { name: nameOf(room) })}
                </button>`
              : nothing}
          </div>
          <ul class="breakout-participants">
            ${Object.values(room.participants).length === 0 ? html`<li class="muted-text">${ui.t('noOne')}</li>` : nothing}
            ${Object.entries(room.participants).map(([occupant, p]) => {
              const name = p.displayName ?? occupant.split('/').pop() ?? '';
              return html`<li class="breakout-participant" data-jid=${p.jid}>
                <span>${name}</span>
                ${moderator && rooms.length > 1
                  ? html`<select part="breakout-assign" aria-label=${ui.f('sendToRoom', { name })} @change=${(e: Event) => sendTo(p.jid, e)}>
                      <option value="">${ui.f('sendToRoom', { name })}</option>
                      ${rooms.filter((r) => r !== room).map((r) => html`<option value=${r.jid}>${nameOf(r)}</option>`)}
                    </select>`
                  : nothing}
              </li>`;
            })}
          </ul>
        </li>`,
      )}
    </ul>
    ${moderator ? html`<button part="button breakout-add" class="control" type="button" @click=${add}>${ui.t('addBreakoutRoom')}</button>` : nothing}
  </section>`;
}
