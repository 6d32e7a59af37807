/**
 * `JitsiMeetJS.createTrackVADEmitter` (lib-jitsi-meet's TrackVADEmitter): the PCM of one microphone, cut into
 * frames of the processor's length at its sample rate, each scored for voice activity and published as
 * VAD_SCORE_PUBLISHED. lib-jitsi-meet's callers pass an RNNoise wasm processor; without one, an energy score is
 * used. Audio flows through a ScriptProcessorNode, as in lib-jitsi-meet: an AudioWorklet would need a module URL
 * that a page's CSP may forbid.
 */
import { DetectionEvents } from '../events/DetectionEvents.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import { createLocalTracks } from './createLocalTracks.js';
import type { JitsiLocalTrack } from './JitsiLocalTrack.js';

const logger = getLogger('rtc/vad');

/** lib-jitsi-meet's VAD processor interface (RNNoise: 480 samples at 44.1 kHz). */
export interface VadProcessor {
  getSampleLength(): number;
  getRequiredPCMFrequency(): number;
  calculateAudioFrameVAD(pcm: Float32Array): number;
}

export interface VadScore {
  deviceId: string;
  score: number;
  timestamp: number;
  pcmData: Float32Array;
}

export type TrackVADEmitterEventMap = {
  [DetectionEvents.VAD_SCORE_PUBLISHED]: (score: VadScore) => void;
};

/** The buffer sizes a ScriptProcessorNode accepts; other requests use the closest. */
const PROCESSOR_BUFFER_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384];

export function processorBufferSize(requested: number): number {
  return PROCESSOR_BUFFER_SIZES.reduce((best, size) => (Math.abs(size - requested) < Math.abs(best - requested) ? size : best));
}

/** Voice-likeness from loudness alone: -60 dBFS (room noise) scores 0, -10 dBFS (close speech) scores 1. */
export function energyScore(pcm: Float32Array): number {
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  const rms = Math.sqrt(sum / Math.max(1, pcm.length));
  if (rms === 0) return 0;
  return Math.min(1, Math.max(0, (20 * Math.log10(rms) + 60) / 50));
}

/** The processor used when the caller passes none: 10 ms frames at 48 kHz scored by energyScore. */
export const energyVadProcessor: VadProcessor = {
  getSampleLength: () => 480,
  getRequiredPCMFrequency: () => 48_000,
  calculateAudioFrameVAD: energyScore,
};

export class TrackVADEmitter extends EventEmitter<TrackVADEmitterEventMap> {
  private readonly context: AudioContext;
  private readonly source: MediaStreamAudioSourceNode;
  private readonly node: ScriptProcessorNode;
  private readonly frameLength: number;
  private residue = new Float32Array(0);
  private running = false;
  private destroyed = false;

  constructor(
    bufferSize: number,
    private readonly processor: VadProcessor,
    private readonly track: JitsiLocalTrack,
  ) {
    super();
    this.frameLength = Math.max(1, Math.floor(processor.getSampleLength()));
    this.context = new AudioContext({ sampleRate: processor.getRequiredPCMFrequency() });
    this.source = this.context.createMediaStreamSource(track.getOriginalStream());
    // Mono is enough to score voice activity.
    this.node = this.context.createScriptProcessor(processorBufferSize(bufferSize), 1, 1);
  }

  /** Captures `deviceId` ('' for the default microphone) and wires it to `processor` (energy score if none). */
  static async create(deviceId: string, bufferSize: number, processor: VadProcessor = energyVadProcessor): Promise<TrackVADEmitter> {
    const [track] = await createLocalTracks({ devices: ['audio'], micDeviceId: deviceId || undefined });
    if (!track) throw new Error(`Failed to create jitsi local track for device id: ${deviceId}`);
    try {
      return new TrackVADEmitter(bufferSize, processor, track);
    } catch (error) {
      await track.dispose();
      throw error;
    }
  }

  getDeviceId(): string {
    return this.track.getDeviceId();
  }

  getTrackLabel(): string {
    return this.track.getTrackLabel();
  }

  start(): void {
    if (this.running || this.destroyed) return;
    this.running = true;
    this.node.onaudioprocess = (event) => this.process(event.inputBuffer.getChannelData(0));
    this.source.connect(this.node);
    // A ScriptProcessorNode only runs while connected to the destination; it outputs silence.
    this.node.connect(this.context.destination);
    if (this.context.state === 'suspended') this.context.resume().catch((error: unknown) => logger.warn('audio context did not resume', error));
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.node.onaudioprocess = null;
    this.source.disconnect();
    this.node.disconnect();
    this.residue = new Float32Array(0);
  }

  /** Stops, closes the audio context and releases the microphone. */
  destroy(): void {
    if (this.destroyed) return;
    this.stop();
    this.destroyed = true;
    this.context.close().catch((error: unknown) => logger.warn('closing the VAD audio context failed', error));
    this.track.dispose().catch((error: unknown) => logger.warn('releasing the VAD microphone failed', error));
    this.removeAllListeners();
  }

  /** Frames of exactly frameLength samples; what is left waits for the next buffer. */
  private process(input: Float32Array): void {
    const pcm = new Float32Array(this.residue.length + input.length);
    pcm.set(this.residue);
    pcm.set(input, this.residue.length);
    const timestamp = Date.now();
    let offset = 0;
    for (; offset + this.frameLength <= pcm.length; offset += this.frameLength) {
      const frame = pcm.slice(offset, offset + this.frameLength);
      // The processor may write into its input, so it gets its own copy.
      const score = this.processor.calculateAudioFrameVAD(frame.slice());
      this.emit(DetectionEvents.VAD_SCORE_PUBLISHED, { deviceId: this.getDeviceId(), score, timestamp, pcmData: frame });
    }
    this.residue = pcm.slice(offset);
  }
}

/** lib-jitsi-meet's JitsiMeetJS.createTrackVADEmitter(localAudioDeviceId, sampleRate, vadProcessor). */
export function createTrackVADEmitter(localAudioDeviceId: string, sampleRate: number, vadProcessor?: VadProcessor): Promise<TrackVADEmitter> {
  return TrackVADEmitter.create(localAudioDeviceId, sampleRate, vadProcessor);
}
