/**
 * The live conference that `<jitsi-conference>` provides to its descendants (`@lit/context`); `<jitsi-track>`
 * and `<jitsi-device-picker>` consume it. The key is a registered symbol, so two copies of the bundle on one
 * page still find each other's providers.
 */
import { createContext } from '@lit/context';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiLocalTrack } from '../../src/rtc/JitsiLocalTrack.js';

export interface ConferenceContext {
  /** The conference once created (also before joining, so listeners can attach). */
  readonly conference: JitsiConference | undefined;
  /** The local tracks the provider owns: the pre-join preview and then the call. */
  readonly localTracks: readonly JitsiLocalTrack[];
  /** The participant id of the current dominant speaker. */
  readonly dominantSpeaker: string | undefined;
  /** Grows on every change consumers may render (tracks, mute, speaker); a new object is provided each time. */
  readonly revision: number;
  /** Replaces the local track of that kind with one from `deviceId`; the call goes on (replaceTrack). */
  switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void>;
  /** Sends every remote and local audio element to `deviceId`. */
  setAudioOutput(deviceId: string): Promise<void>;
}

export const conferenceContext = createContext<ConferenceContext | undefined>(Symbol.for('jitsi-elements.conference-context'));
