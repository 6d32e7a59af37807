/**
 * The Prosody components of the local backend (protocol.md 2.3, 13): each is announced as an identity in the
 * main host's disco#info (prosody-plugins/mod_jitsi_elements_identities.lua) and is either an XEP-0114
 * component that the focus stand-in process connects for its feature stand-in, or a MUC (lobby, breakout
 * rooms) with the Lua modules its feature needs.
 */
export interface ComponentSpec {
  /** The identity type clients look for. */
  type: string;
  /** The address is `<node>.<domain>`. */
  node: string;
  kind: 'xep0114' | 'muc';
  /** MUC only: Prosody modules enabled on it (from test/backend/prosody-plugins/). */
  modules?: string[];
}

export const COMPONENTS: readonly ComponentSpec[] = [
  { type: 'speakerstats', node: 'speakerstats', kind: 'xep0114' },
  { type: 'av_moderation', node: 'avmoderation', kind: 'xep0114' },
  { type: 'end_conference', node: 'endconference', kind: 'xep0114' },
  // room_metadata joins when its stand-in exists: announcing it tells clients to skip extdisco and take
  // TURN from the room metadata (protocol.md 2.3), which nothing would send yet.
  { type: 'polls', node: 'polls', kind: 'xep0114' },
  { type: 'lobbyrooms', node: 'lobby', kind: 'muc', modules: ['jitsi_elements_lobby_rooms'] },
  { type: 'breakout_rooms', node: 'breakout', kind: 'muc', modules: ['jitsi_elements_breakout_rooms'] },
];

export const componentAddress = (spec: ComponentSpec, domain: string): string => `${spec.node}.${domain}`;
