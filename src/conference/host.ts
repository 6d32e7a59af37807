/**
 * What the parts of a conference share without importing JitsiConference (which would make a cycle): the
 * typed emit of the public object, and that object as media code hands it on (to tracks, in P2P_STATUS).
 */
import type { LocalTrackConference } from '../rtc/JitsiLocalTrack.js';
import type { ConferenceEventMap } from './types.js';

export type ConferenceEmit = <K extends keyof ConferenceEventMap>(event: K, ...args: Parameters<ConferenceEventMap[K]>) => boolean;

/** The public conference object, as tracks keep it (`track.conference`) and P2P_STATUS carries it. */
export type ConferenceRef = LocalTrackConference;
