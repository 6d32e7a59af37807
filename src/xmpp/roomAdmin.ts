/** MUC owner and admin requests (protocol.md 4.6, 4.8, 4.11). */
import { $iq } from 'strophe.js';
import { NS } from './namespaces.js';
import { firstChild } from './StanzaRouter.js';

export interface IqSender {
  sendIQ(stanza: { tree(): Element }, timeoutMs?: number): Promise<Element>;
}

export interface RoomInfo {
  locked: boolean;
  membersOnly: boolean;
  meetingId?: string;
  createdTimestamp?: number;
  lobbyRoom?: string;
  visitorsEnabled?: boolean;
  /** A breakout room (`muc#roominfo_isbreakout`), and its main room. */
  isBreakout: boolean;
  breakoutMainRoom?: string;
}

/** Room disco#info (protocol.md 4.8). */
export async function fetchRoomInfo(xmpp: IqSender, roomJid: string): Promise<RoomInfo> {
  const result = await xmpp.sendIQ($iq({ type: 'get', to: roomJid }).c('query', { xmlns: NS.DISCO_INFO }), 10_000);
  const query = firstChild(result, 'query', NS.DISCO_INFO);
  const features = new Set(Array.from(query?.children ?? []).filter((c) => c.localName === 'feature').map((f) => f.getAttribute('var')));
  const fields = new Map<string, string>();
  const form = query ? firstChild(query, 'x', NS.DATA_FORMS) : null;
  for (const field of Array.from(form?.children ?? [])) {
    const name = field.getAttribute('var');
    const value = firstChild(field, 'value')?.textContent;
    if (name && value !== null && value !== undefined) fields.set(name, value);
  }
  const created = Number(fields.get('muc#roominfo_created_timestamp'));
  return {
    locked: features.has('muc_passwordprotected'),
    membersOnly: features.has('muc_membersonly'),
    meetingId: fields.get('muc#roominfo_meetingId') || undefined,
    createdTimestamp: Number.isFinite(created) && created > 0 ? created : undefined,
    lobbyRoom: fields.get('muc#roominfo_lobbyroom') || undefined,
    visitorsEnabled: fields.has('muc#roominfo_visitorsEnabled') ? fields.get('muc#roominfo_visitorsEnabled') === '1' : undefined,
    // protocol.md 13.3 (a): lib-jitsi-meet takes any value as true.
    isBreakout: Boolean(fields.get('muc#roominfo_isbreakout')),
    breakoutMainRoom: fields.get('muc#roominfo_breakout_main_room') || undefined,
  };
}

export class PasswordNotSupportedError extends Error {
  override name = 'PasswordNotSupportedError';
}

/** Sets (non-empty) or clears the room password through the owner form (protocol.md 4.11). */
export async function setRoomPassword(xmpp: IqSender, roomJid: string, password: string, membersOnly: boolean): Promise<void> {
  const form = await xmpp.sendIQ($iq({ type: 'get', to: roomJid }).c('query', { xmlns: NS.MUC_OWNER }), 10_000);
  const hasSecret = Array.from(form.getElementsByTagName('field')).some((f) => f.getAttribute('var') === 'muc#roomconfig_roomsecret');
  if (!hasSecret) throw new PasswordNotSupportedError('the room has no password field');
  const submit = $iq({ type: 'set', to: roomJid })
    .c('query', { xmlns: NS.MUC_OWNER })
    .c('x', { xmlns: NS.DATA_FORMS, type: 'submit' });
  const field = (name: string, value: string): void => {
    submit.c('field', { var: name }).c('value', {}, value).up(); // c() with text stays on the field
  };
  field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig');
  field('muc#roomconfig_roomsecret', password);
  field('muc#roomconfig_passwordprotectedroom', password ? '1' : '0');
  field('muc#roomconfig_whois', 'anyone');
  if (membersOnly) field('muc#roomconfig_membersonly', 'true');
  await xmpp.sendIQ(submit, 10_000);
}

/** Kick (role none, by nick) or change an affiliation (by bare real JID), with an optional reason. */
export async function setMucAdminItem(
  xmpp: IqSender,
  roomJid: string,
  item: { nick: string; role: 'none' } | { jid: string; affiliation: 'owner' | 'admin' | 'member' | 'none' },
  reason?: string,
): Promise<void> {
  const iq = $iq({ type: 'set', to: roomJid }).c('query', { xmlns: NS.MUC_ADMIN }).c('item', { ...item });
  if (reason) iq.c('reason', {}, reason);
  await xmpp.sendIQ(iq, 10_000);
}
