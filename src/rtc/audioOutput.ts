/**
 * The global audio output device (`JitsiMeetJS.mediaDevices.setAudioOutputDevice`): every audio track applies it
 * to the elements it is attached to, the ones already attached and the ones attached later.
 */
import { JitsiTrackError } from '../errors/JitsiTrackError.js';
import { getLogger } from '../util/logger.js';

const logger = getLogger('rtc/audioOutput');

let outputDeviceId = 'default';
/** lib-jitsi-meet applies the device to new elements only after an explicit choice; 'default' needs no call. */
let explicitlyChosen = false;
const listeners = new Set<(deviceId: string) => Promise<void>>();

export function isAudioOutputChangeAvailable(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

export function getAudioOutputDevice(): string {
  return outputDeviceId;
}

/** Whether attach() should set the sink of a new element. */
export function hasChosenAudioOutput(): boolean {
  return explicitlyChosen;
}

/**
 * Checks the device on a detached element first (an unknown id rejects with NOT_FOUND and changes nothing), then
 * updates every subscribed track; resolves when all of them have tried.
 */
export async function setAudioOutputDevice(deviceId: string): Promise<void> {
  if (!isAudioOutputChangeAvailable()) throw new Error('Audio output device change is not supported');
  try {
    await document.createElement('audio').setSinkId(deviceId);
  } catch (error) {
    throw new JitsiTrackError(error, undefined, ['audiooutput']);
  }
  outputDeviceId = deviceId;
  explicitlyChosen = true;
  logger.debug(`audio output device set to ${deviceId}`);
  const results = await Promise.allSettled([...listeners].map((listener) => listener(deviceId)));
  for (const result of results) if (result.status === 'rejected') logger.warn('an element kept its previous audio output', result.reason);
}

/** Subscribes a track with attached audio elements; returns the unsubscribe function. */
export function onAudioOutputChange(listener: (deviceId: string) => Promise<void>): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For leak tests: how many tracks follow the output device now. */
export function audioOutputListenerCount(): number {
  return listeners.size;
}
