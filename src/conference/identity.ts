/** Persistent client identifiers lib-jitsi-meet keeps in storage: the machine UID and the stats id (protocol.md 3.1, 4.3). */
const WORDS = ['Amber', 'Birch', 'Cedar', 'Delta', 'Ember', 'Fable', 'Garnet', 'Harbor', 'Indigo', 'Juniper', 'Kestrel', 'Lumen'];

function storage(external?: Storage): Storage | undefined {
  if (external) return external;
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage blocked (third-party iframe, privacy settings)
  }
}

function remembered(key: string, create: () => string, external?: Storage): string {
  const store = storage(external);
  try {
    const existing = store?.getItem(key);
    if (existing) return existing;
    const value = create();
    store?.setItem(key, value);
    return value;
  } catch {
    return create();
  }
}

const hex = (bytes: number): string => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

/** 32 hex, persistent (`jitsiMeetId`). */
export const machineUid = (external?: Storage): string => remembered('jitsiMeetId', () => hex(16), external);

/** `Word-Xyz`, persistent (`callStatsUserName`). */
export const statsId = (external?: Storage): string =>
  remembered(
    'callStatsUserName',
    () => `${WORDS[Math.floor(Math.random() * WORDS.length)] ?? 'Amber'}-${hex(2).slice(0, 3).replace(/^./, (c) => c.toUpperCase())}`,
    external,
  );

/**
 * Endpoint id (MUC nick, protocol.md 4.1): for anonymous logins the first 8 characters of the JID's node when
 * they are lowercase hex, otherwise (and always for authenticated logins) 8 random hex characters.
 */
export function endpointId(jid: string, authenticated: boolean): string {
  const node = jid.split('@')[0] ?? '';
  if (!authenticated && jid.includes('@') && /^[0-9a-f]{8}/.test(node)) return node.slice(0, 8);
  return hex(4);
}
