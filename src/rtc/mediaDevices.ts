/**
 * `JitsiMeetJS.mediaDevices` (lib-jitsi-meet's JitsiMediaDevices): device lists, permissions, the audio output
 * device, and DEVICE_LIST_CHANGED / PERMISSIONS_CHANGED / PERMISSION_PROMPT_IS_SHOWN (protocol.md 10.7).
 * Native listeners ('devicechange', permission 'change') exist only while someone listens to the matching event.
 */
import { JitsiMediaDevicesEvents } from '../events/JitsiMediaDevicesEvents.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import { AudioLevelMonitor, canMonitorAudioLevels } from './AudioLevelMonitor.js';
import { getAudioOutputDevice, isAudioOutputChangeAvailable, setAudioOutputDevice } from './audioOutput.js';

const logger = getLogger('rtc/mediaDevices');

export type PermissionKind = 'audio' | 'video';
export type DevicePermissions = Partial<Record<PermissionKind, boolean>>;

export type MediaDevicesEventMap = {
  [JitsiMediaDevicesEvents.DEVICE_LIST_CHANGED]: (devices: MediaDeviceInfo[]) => void;
  [JitsiMediaDevicesEvents.PERMISSIONS_CHANGED]: (permissions: DevicePermissions) => void;
  [JitsiMediaDevicesEvents.PERMISSION_PROMPT_IS_SHOWN]: (environmentType: string) => void;
  [JitsiMediaDevicesEvents.SLOW_GET_USER_MEDIA]: () => void;
};

/** getActiveAudioDevice(): how long to listen for a microphone with signal (lib-jitsi-meet's value). */
const ACTIVE_DEVICE_TIMEOUT_MS = 3000;
/** lib-jitsi-meet's threshold for "this microphone has signal". */
const ACTIVE_LEVEL = 0.008;
const PERMISSION_NAMES: Record<PermissionKind, PermissionName> = { audio: 'microphone', video: 'camera' };

/** lib-jitsi-meet passes the browser's name with PERMISSION_PROMPT_IS_SHOWN. */
export function environmentType(userAgent = typeof navigator === 'undefined' ? '' : navigator.userAgent): string {
  if (/Electron\//.test(userAgent)) return 'electron';
  if (/Firefox\//.test(userAgent)) return 'firefox';
  if (/Chrom(e|ium)\//.test(userAgent)) return 'chrome';
  if (/Safari\//.test(userAgent)) return 'safari';
  return 'other';
}

function deviceKey(devices: MediaDeviceInfo[]): string {
  return devices
    .map((d) => `${d.kind}|${d.deviceId}|${d.groupId}|${d.label}`)
    .sort()
    .join('\n');
}

function hasMediaDevices(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.enumerateDevices === 'function';
}

class JitsiMediaDevices {
  private readonly emitter = new EventEmitter<MediaDevicesEventMap>();
  private permissions: DevicePermissions = {};
  private knownDevices: string | undefined;
  private deviceChangeListening = false;
  private permissionStatuses: { kind: PermissionKind; status: PermissionStatus }[] = [];
  private permissionWatch: 'off' | 'starting' | 'on' = 'off';

  private readonly onDeviceChange = (): void => {
    void this.listDevices().then((devices) => {
      const key = deviceKey(devices);
      // Chrome fires devicechange twice for one change, and for changes that do not alter the list.
      if (key === this.knownDevices) return;
      this.knownDevices = key;
      this.emitter.emit(JitsiMediaDevicesEvents.DEVICE_LIST_CHANGED, devices);
    });
  };

  private readonly onPermissionChange = (): void => {
    const update: DevicePermissions = {};
    for (const { kind, status } of this.permissionStatuses) update[kind] = status.state === 'granted';
    this.reportPermissions(update);
  };

  isDeviceListAvailable(): boolean {
    return hasMediaDevices();
  }

  /** 'output' asks about the audio output device (setSinkId); input devices can always be changed. */
  isDeviceChangeAvailable(deviceType?: 'output' | 'input' | 'audiooutput'): boolean {
    return deviceType === 'output' || deviceType === 'audiooutput' ? isAudioOutputChangeAvailable() : hasMediaDevices();
  }

  isMultipleAudioInputSupported(): boolean {
    return !/iPhone|iPad|iPod/.test(typeof navigator === 'undefined' ? '' : navigator.userAgent);
  }

  /** Calls back with the devices (labels are empty before a permission was granted); [] when listing fails. */
  enumerateDevices(callback: (devices: MediaDeviceInfo[]) => void): void {
    void this.listDevices().then(callback);
  }

  getAudioOutputDevice(): string {
    return getAudioOutputDevice();
  }

  /** Sets the output of every attached audio element (present and future); rejects for an unknown device. */
  setAudioOutputDevice(deviceId: string): Promise<void> {
    return setAudioOutputDevice(deviceId);
  }

  /** Permissions API where it knows camera/microphone, else "a device of that kind has a label". */
  async isDevicePermissionGranted(type?: PermissionKind): Promise<boolean> {
    const kinds: PermissionKind[] = type ? [type] : ['audio', 'video'];
    const states = await Promise.all(kinds.map((kind) => this.queryPermission(kind)));
    if (states.every((state) => state !== undefined)) return states.every((state) => state === 'granted');
    const devices = await this.listDevices();
    return kinds.every((kind) => devices.some((d) => d.kind === `${kind}input` && d.label !== ''));
  }

  /**
   * lib-jitsi-meet's getActiveAudioDevice: opens every microphone and answers the first whose level rises above
   * 0.008 within 3 s, else `{ deviceId: '', deviceLabel: '' }`. Every opened microphone is released.
   */
  async getActiveAudioDevice(): Promise<{ deviceId: string; deviceLabel: string }> {
    const none = { deviceId: '', deviceLabel: '' };
    if (!hasMediaDevices() || !canMonitorAudioLevels()) return none;
    const inputs = (await this.listDevices()).filter((d) => d.kind === 'audioinput');
    // 'default' and 'communications' are aliases of real devices; answer with a real one.
    const real = inputs.filter((d) => d.deviceId !== 'default' && d.deviceId !== 'communications');
    const candidates = real.length > 0 ? real : inputs;
    const opened = await Promise.allSettled(candidates.map((d) => navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: d.deviceId } } })));
    const monitors: AudioLevelMonitor[] = [];
    const streams = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    try {
      return await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(none), ACTIVE_DEVICE_TIMEOUT_MS);
        for (const stream of streams) {
          const [track] = stream.getAudioTracks();
          if (!track) continue;
          const monitor = new AudioLevelMonitor((level) => {
            if (level <= ACTIVE_LEVEL) return;
            clearTimeout(timer);
            resolve({ deviceId: track.getSettings().deviceId ?? '', deviceLabel: track.label });
          });
          monitor.setTrack(track);
          monitors.push(monitor);
        }
      });
    } finally {
      for (const monitor of monitors) monitor.stop();
      for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    }
  }

  addEventListener<K extends keyof MediaDevicesEventMap>(event: K, listener: MediaDevicesEventMap[K]): void {
    this.emitter.on(event, listener);
    this.syncNativeListeners();
  }

  removeEventListener<K extends keyof MediaDevicesEventMap>(event: K, listener: MediaDevicesEventMap[K]): void {
    this.emitter.off(event, listener);
    this.syncNativeListeners();
  }

  on<K extends keyof MediaDevicesEventMap>(event: K, listener: MediaDevicesEventMap[K]): this {
    this.addEventListener(event, listener);
    return this;
  }

  once<K extends keyof MediaDevicesEventMap>(event: K, listener: MediaDevicesEventMap[K]): this {
    const wrapper = ((...args: Parameters<MediaDevicesEventMap[K]>) => {
      this.removeEventListener(event, wrapper);
      (listener as (...a: Parameters<MediaDevicesEventMap[K]>) => void)(...args);
    }) as MediaDevicesEventMap[K];
    this.addEventListener(event, wrapper);
    return this;
  }

  off<K extends keyof MediaDevicesEventMap>(event: K, listener: MediaDevicesEventMap[K]): this {
    this.removeEventListener(event, listener);
    return this;
  }

  /** @internal createLocalTracks with `fireSlowPromiseEvent`: capture is slow. */
  emitSlowGetUserMedia(): void {
    this.emitter.emit(JitsiMediaDevicesEvents.SLOW_GET_USER_MEDIA);
  }

  /** @internal createLocalTracks: a permission prompt is about to show. */
  emitPermissionPromptShown(): void {
    this.emitter.emit(JitsiMediaDevicesEvents.PERMISSION_PROMPT_IS_SHOWN, environmentType());
  }

  /** @internal What a getUserMedia outcome says about permissions; PERMISSIONS_CHANGED when that changed. */
  reportPermissions(update: DevicePermissions): void {
    const changed = (Object.keys(update) as PermissionKind[]).some((kind) => update[kind] !== this.permissions[kind]);
    if (!changed) return;
    this.permissions = { ...this.permissions, ...update };
    this.emitter.emit(JitsiMediaDevicesEvents.PERMISSIONS_CHANGED, { ...this.permissions });
  }

  /** @internal For leak tests: whether native listeners are installed. */
  nativeListeners(): { devicechange: boolean; permissions: number } {
    return { devicechange: this.deviceChangeListening, permissions: this.permissionStatuses.length };
  }

  private async listDevices(): Promise<MediaDeviceInfo[]> {
    if (!hasMediaDevices()) return [];
    try {
      return await navigator.mediaDevices.enumerateDevices();
    } catch (error) {
      logger.warn('enumerateDevices failed', error);
      return [];
    }
  }

  private async queryPermission(kind: PermissionKind): Promise<PermissionState | undefined> {
    if (typeof navigator === 'undefined' || !navigator.permissions) return undefined;
    try {
      return (await navigator.permissions.query({ name: PERMISSION_NAMES[kind] })).state;
    } catch {
      // Firefox and older browsers do not know 'camera'/'microphone'.
      return undefined;
    }
  }

  private syncNativeListeners(): void {
    const wantDevices = this.emitter.listenerCount(JitsiMediaDevicesEvents.DEVICE_LIST_CHANGED) > 0;
    if (wantDevices !== this.deviceChangeListening && hasMediaDevices()) {
      this.deviceChangeListening = wantDevices;
      if (wantDevices) {
        navigator.mediaDevices.addEventListener('devicechange', this.onDeviceChange);
        // The baseline against which changes are detected.
        void this.listDevices().then((devices) => (this.knownDevices ??= deviceKey(devices)));
      } else {
        navigator.mediaDevices.removeEventListener('devicechange', this.onDeviceChange);
      }
    }
    const wantPermissions = this.emitter.listenerCount(JitsiMediaDevicesEvents.PERMISSIONS_CHANGED) > 0;
    if (wantPermissions && this.permissionWatch === 'off') {
      this.permissionWatch = 'starting';
      void this.watchPermissions().finally(() => {
        this.permissionWatch = 'on';
        // The last listener may have gone while the statuses were being queried.
        this.syncNativeListeners();
      });
    } else if (!wantPermissions && this.permissionWatch === 'on') {
      for (const { status } of this.permissionStatuses) status.removeEventListener('change', this.onPermissionChange);
      this.permissionStatuses = [];
      this.permissionWatch = 'off';
    }
  }

  private async watchPermissions(): Promise<void> {
    if (typeof navigator === 'undefined' || !navigator.permissions) return;
    const kinds: PermissionKind[] = ['audio', 'video'];
    const statuses = await Promise.all(kinds.map((kind) => navigator.permissions.query({ name: PERMISSION_NAMES[kind] }).catch(() => undefined)));
    kinds.forEach((kind, i) => {
      const status = statuses[i];
      if (!status) return;
      status.addEventListener('change', this.onPermissionChange);
      this.permissionStatuses.push({ kind, status });
      // The current state is the baseline, not a change.
      this.permissions[kind] ??= status.state === 'granted';
    });
  }
}

export type { JitsiMediaDevices };

/** The one instance behind `JitsiMeetJS.mediaDevices`. */
export const mediaDevices = new JitsiMediaDevices();
