/**
 * The device list of `<jitsi-device-picker>` as a Reactive Controller: lists the devices when the host connects,
 * follows DEVICE_LIST_CHANGED (plugged / unplugged devices) while it is connected, and re-lists on demand (after a
 * permission was granted, labels appear). The engine's listener is added in `hostConnected` and removed in
 * `hostDisconnected`; a listing that completes after the host left is dropped.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { JitsiMediaDevicesEvents } from '../../src/events/JitsiMediaDevicesEvents.js';
import { mediaDevices } from '../../src/rtc/mediaDevices.js';

export class DeviceListController implements ReactiveController {
  /** The browser's devices as last listed (labels and ids are empty before a permission was granted). */
  devices: readonly MediaDeviceInfo[] = [];
  /** Whether the list has been read since the host connected. */
  loaded = false;
  /** Settles when the listing in progress (if any) was delivered; `updateComplete` waits for it. */
  pending: Promise<void> = Promise.resolve();
  private generation = 0;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Called with each new list; `changed` is true for a device change while connected (not the first list). */
    private readonly onList: (devices: readonly MediaDeviceInfo[], changed: boolean) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.loaded = false;
    mediaDevices.addEventListener(JitsiMediaDevicesEvents.DEVICE_LIST_CHANGED, this.onDeviceListChanged);
    void this.refresh();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.loaded = false;
    this.generation++;
    mediaDevices.removeEventListener(JitsiMediaDevicesEvents.DEVICE_LIST_CHANGED, this.onDeviceListChanged);
  }

  /** Lists the devices again; resolves once the host has them. */
  refresh(): Promise<void> {
    const generation = ++this.generation;
    this.pending = new Promise<void>((resolve) => {
      mediaDevices.enumerateDevices((devices) => {
        // A newer listing (or a disconnect) supersedes this one.
        if (generation === this.generation && this.connected) this.accept(devices);
        resolve();
      });
    });
    return this.pending;
  }

  private readonly onDeviceListChanged = (devices: MediaDeviceInfo[]): void => {
    this.generation++;
    this.accept(devices);
  };

  private accept(devices: readonly MediaDeviceInfo[]): void {
    const changed = this.loaded;
    this.devices = devices;
    this.loaded = true;
    this.onList(devices, changed);
    this.host.requestUpdate();
  }
}
