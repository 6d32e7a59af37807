/**
 * The Prosody components of the local backend (protocol.md 2.3, 13): each is announced as an identity in the
 * main host's disco#info (prosody-plugins/mod_jitsi_elements_identities.lua) and is either an XEP-0114
 * component that the focus stand-in process connects for its feature stand-in, a MUC (lobby, breakout
 * rooms) with the Lua modules its feature needs, or a Prosody component written in Lua (room metadata, which
 * must act inside the MUC's join, before the self-presence).
 */
export interface ComponentSpec {
  /** The identity type clients look for. */
  type: string;
  /** The address is `<node>.<domain>`. */
  node: string;
  kind: 'xep0114' | 'muc' | 'lua';
  /** MUC only: Prosody modules enabled on it (from test/backend/prosody-plugins/). */
  modules?: string[];
  /** Lua only: the Prosody component module (from test/backend/prosody-plugins/) that is the component. */
  module?: string;
}

export const COMPONENTS: readonly ComponentSpec[] = [
  { type: 'speakerstats', node: 'speakerstats', kind: 'xep0114' },
  { type: 'av_moderation', node: 'avmoderation', kind: 'xep0114' },
  { type: 'end_conference', node: 'endconference', kind: 'xep0114' },
  // Announcing room_metadata tells clients to skip extdisco and take TURN from the room metadata (protocol.md
  // 2.3): its stand-in pushes mod_external_services' list with the first metadata.
  { type: 'room_metadata', node: 'metadata', kind: 'lua', module: 'jitsi_elements_room_metadata' },
  { type: 'polls', node: 'polls', kind: 'xep0114' },
  { type: 'lobbyrooms', node: 'lobby', kind: 'muc', modules: ['jitsi_elements_lobby_rooms'] },
  { type: 'breakout_rooms', node: 'breakout', kind: 'muc', modules: ['jitsi_elements_breakout_rooms'] },
];

export const componentAddress = (spec: ComponentSpec, domain: string): string => `${spec.node}.${domain}`;
