/**
 * One localization mechanism for every element: built-in English and German strings, a page-wide override
 * (`setStrings('en', { leave: 'Hang up' })`), and the language from the element's `lang`, the closest
 * `[lang]` ancestor, the document, then English.
 */
const en = {
  join: 'Join',
  joinMeeting: 'Join meeting',
  leave: 'Leave',
  microphone: 'Microphone',
  camera: 'Camera',
  speaker: 'Speaker',
  muteMicrophone: 'Mute microphone',
  unmuteMicrophone: 'Unmute microphone',
  stopCamera: 'Stop camera',
  startCamera: 'Start camera',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  chat: 'Chat',
  send: 'Send',
  message: 'Message',
  yourName: 'Your name',
  you: 'You',
  participants: 'Participants',
  controls: 'Call controls',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  failed: 'The call could not be started.',
  left: 'You left the call.',
  permissionDenied: 'Camera or microphone access was denied.',
  allowDevices: 'Allow camera and microphone',
  play: 'Play',
  muted: 'muted',
  speaking: 'speaking',
  noDevices: 'No devices',
  defaultDevice: 'Default',
  preview: 'Preview',
  microphoneLevel: 'Microphone level',
  video: 'Video',
  screenShare: 'Screen share',
  devices: 'Devices',
} as const;

export type StringKey = keyof typeof en;
export type Strings = Record<StringKey, string>;

const de: Strings = {
  join: 'Beitreten',
  joinMeeting: 'Besprechung beitreten',
  leave: 'Verlassen',
  microphone: 'Mikrofon',
  camera: 'Kamera',
  speaker: 'Lautsprecher',
  muteMicrophone: 'Mikrofon stummschalten',
  unmuteMicrophone: 'Mikrofon einschalten',
  stopCamera: 'Kamera ausschalten',
  startCamera: 'Kamera einschalten',
  shareScreen: 'Bildschirm teilen',
  stopSharing: 'Teilen beenden',
  chat: 'Chat',
  send: 'Senden',
  message: 'Nachricht',
  yourName: 'Dein Name',
  you: 'Du',
  participants: 'Teilnehmende',
  controls: 'Anrufsteuerung',
  connecting: 'Verbinde…',
  reconnecting: 'Verbindung wird wiederhergestellt…',
  failed: 'Der Anruf konnte nicht gestartet werden.',
  left: 'Du hast den Anruf verlassen.',
  permissionDenied: 'Der Zugriff auf Kamera oder Mikrofon wurde verweigert.',
  allowDevices: 'Kamera und Mikrofon erlauben',
  play: 'Abspielen',
  muted: 'stumm',
  speaking: 'spricht',
  noDevices: 'Keine Geräte',
  defaultDevice: 'Standard',
  preview: 'Vorschau',
  microphoneLevel: 'Mikrofonpegel',
  video: 'Video',
  screenShare: 'Bildschirmfreigabe',
  devices: 'Geräte',
};

const builtIn: Record<string, Strings> = { en, de };
const overrides = new Map<string, Partial<Strings>>();

/** Overrides (or adds) strings for a language, for every element on the page. */
export function setStrings(lang: string, strings: Partial<Strings>): void {
  const key = lang.toLowerCase();
  overrides.set(key, { ...overrides.get(key), ...strings });
}

/** The language an element speaks: its own or the closest `lang`, reduced to the primary subtag. */
export function languageOf(element: Element): string {
  const lang = element.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang ?? '';
  return lang.toLowerCase();
}

export function translate(lang: string, key: StringKey): string {
  const primary = lang.split('-')[0] ?? '';
  for (const candidate of [lang, primary]) {
    const value = overrides.get(candidate)?.[key] ?? builtIn[candidate]?.[key];
    if (value !== undefined) return value;
  }
  return overrides.get('en')?.[key] ?? en[key];
}
