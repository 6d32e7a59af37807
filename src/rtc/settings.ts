/**
 * The media-related `JitsiMeetJS.init()` options, kept here (not read from JitsiMeetJS) so that the rtc modules
 * do not import the entry object that imports them.
 */
export interface RtcSettings {
  /** No local audio analysers, no TRACK_AUDIO_LEVEL_CHANGED from local tracks. */
  disableAudioLevels: boolean;
  /** Audio processing switches of lib-jitsi-meet's init options (the audio constraints follow them). */
  disableAP: boolean;
  disableAEC: boolean;
  disableNS: boolean;
  disableAGC: boolean;
  stereo: boolean;
}

export const rtcSettings: RtcSettings = {
  disableAudioLevels: false,
  disableAP: false,
  disableAEC: false,
  disableNS: false,
  disableAGC: false,
  stereo: false,
};

/** Called by JitsiMeetJS.init(): every init resets to the defaults plus what it names, as init replaces options. */
export function applyRtcInitOptions(options: Record<string, unknown>): void {
  const flag = (key: string): boolean => options[key] === true;
  const audioQuality = options.audioQuality as { stereo?: unknown } | undefined;
  rtcSettings.disableAudioLevels = flag('disableAudioLevels');
  rtcSettings.disableAP = flag('disableAP');
  rtcSettings.disableAEC = flag('disableAEC');
  rtcSettings.disableNS = flag('disableNS');
  rtcSettings.disableAGC = flag('disableAGC');
  rtcSettings.stereo = audioQuality?.stereo === true;
}
