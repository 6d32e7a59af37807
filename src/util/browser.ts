/**
 * lib-jitsi-meet's `JitsiMeetJS.util.browser`: which browser runs the page, read once from the user agent
 * (client hints first). Only the questions applications ask of it; the engine itself tests capabilities,
 * never names.
 */
interface BrandHints {
  brands?: { brand: string; version: string }[];
  mobile?: boolean;
}

function detect(): { name: string; version: string; mobile: boolean } {
  if (typeof navigator === 'undefined') return { name: 'unknown', version: '', mobile: false };
  const ua = navigator.userAgent;
  const hints = (navigator as Navigator & { userAgentData?: BrandHints }).userAgentData;
  const mobile = hints?.mobile ?? /Mobi|Android|iPhone|iPad/.test(ua);
  const match = (pattern: RegExp): string | undefined => pattern.exec(ua)?.[1];
  let version: string | undefined;
  if ((version = match(/Firefox\/([\d.]+)/))) return { name: 'firefox', version, mobile };
  if ((version = match(/Edg\/([\d.]+)/))) return { name: 'chrome', version, mobile };
  if ((version = match(/(?:Chrome|Chromium|CriOS)\/([\d.]+)/))) return { name: 'chrome', version, mobile };
  if (/AppleWebKit/.test(ua) && (version = match(/Version\/([\d.]+)/))) return { name: 'safari', version, mobile };
  return { name: 'unknown', version: '', mobile };
}

const info = detect();

export const browser = {
  /** 'chrome' (every Chromium-based browser), 'firefox', 'safari' or 'unknown', as lib-jitsi-meet names them. */
  getName: (): string => info.name,
  getVersion: (): string => info.version,
  isChrome: (): boolean => info.name === 'chrome',
  isChromiumBased: (): boolean => info.name === 'chrome',
  isFirefox: (): boolean => info.name === 'firefox',
  isSafari: (): boolean => info.name === 'safari',
  isWebKitBased: (): boolean => info.name === 'safari',
  isMobileDevice: (): boolean => info.mobile,
  isVersionGreaterThan: (version: number): boolean => Number.parseInt(info.version, 10) > version,
  isVersionLessThan: (version: number): boolean => Number.parseInt(info.version, 10) < version,
  supportsInsertableStreams: (): boolean => typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype,
  supportsEncodedTransform: (): boolean => typeof RTCRtpScriptTransform !== 'undefined',
  supportsVideo: (): boolean => true,
};

/**
 * lib-jitsi-meet's `JitsiMeetJS.analytics`: the engine collects no analytics, so events given to it go
 * nowhere; the methods exist so that code written for lib-jitsi-meet runs unchanged.
 */
export const analytics = {
  setAnalyticsHandlers(_handlers: unknown[]): void {},
  addPermanentProperties(_properties: Record<string, unknown>): void {},
  setConferenceName(_name: string): void {},
  sendEvent(_event: unknown, _properties?: Record<string, unknown>): void {},
  reset(): void {},
  dispose(): void {},
};
