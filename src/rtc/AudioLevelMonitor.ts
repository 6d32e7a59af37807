/**
 * Local audio levels from a WebAudio analyser (what lib-jitsi-meet's LocalStatsCollector does): every ~200 ms the
 * peak of the samples since the last tick (the analyser window spans the interval, so short sounds count), 0..1, falling by at most 0.2 per tick so that levels decay instead of flickering.
 * Reports a level when it moved by more than 0.01, and every exact 0 (digital silence: lib-jitsi-meet's
 * NO_AUDIO_INPUT signal). All monitors share one AudioContext, closed when the last one stops.
 */
import { getLogger } from '../util/logger.js';

const logger = getLogger('rtc/AudioLevelMonitor');

export const AUDIO_LEVEL_INTERVAL_MS = 200;
const MIN_CHANGE = 0.01;
const MAX_FALL_PER_TICK = 0.2;

let sharedContext: AudioContext | undefined;
let users = 0;

function acquireContext(): AudioContext {
  sharedContext ??= new AudioContext();
  users++;
  // Created without a user gesture the context may start suspended; it runs once the page may play audio.
  if (sharedContext.state === 'suspended') sharedContext.resume().catch(() => undefined);
  return sharedContext;
}

function releaseContext(): void {
  users = Math.max(0, users - 1);
  if (users > 0 || !sharedContext) return;
  const context = sharedContext;
  sharedContext = undefined;
  context.close().catch((error: unknown) => logger.warn('closing the audio context failed', error));
}

/** Whether this environment can measure levels (no WebAudio in some embedded browsers). */
export function canMonitorAudioLevels(): boolean {
  return typeof AudioContext === 'function';
}

/** For leak tests: monitors running now. */
export function runningAudioLevelMonitors(): number {
  return users;
}

export class AudioLevelMonitor {
  private context: AudioContext | undefined;
  private source: MediaStreamAudioSourceNode | undefined;
  private analyser: AnalyserNode | undefined;
  private samples: Float32Array<ArrayBuffer> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private level = 0;
  private reported = -1;

  constructor(
    private readonly onLevel: (level: number) => void,
    private readonly intervalMs = AUDIO_LEVEL_INTERVAL_MS,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Measures `track` from now on (a replaced track keeps the same monitor); undefined pauses. */
  setTrack(track: MediaStreamTrack | undefined): void {
    this.disconnect();
    if (!track || track.readyState === 'ended') {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.context ??= acquireContext();
    this.source = this.context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = this.context.createAnalyser();
    // The smallest power of two covering one interval (the analyser's maximum is 32768).
    this.analyser.fftSize = Math.min(32768, 2 ** Math.ceil(Math.log2((this.context.sampleRate * this.intervalMs) / 1000)));
    this.samples = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    this.disconnect();
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.context) releaseContext();
    this.context = undefined;
  }

  private disconnect(): void {
    this.source?.disconnect();
    this.source = undefined;
    this.analyser = undefined;
  }

  private tick(): void {
    if (!this.analyser || !this.samples) return;
    this.analyser.getFloatTimeDomainData(this.samples);
    let peak = 0;
    for (const sample of this.samples) peak = Math.max(peak, Math.abs(sample));
    const measured = Math.min(1, peak);
    const next = this.level - measured > MAX_FALL_PER_TICK ? this.level - MAX_FALL_PER_TICK : measured;
    this.level = Math.round(next * 1000) / 1000;
    if (Math.abs(this.level - this.reported) > MIN_CHANGE || this.level === 0) {
      this.reported = this.level;
      this.onLevel(this.level);
    }
  }
}
