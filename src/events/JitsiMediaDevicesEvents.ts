/** JitsiMediaDevicesEvents: lib-jitsi-meet's exact string values (protocol.md 10.7), pinned by test/browser/unit/constants.test.ts. */
export const JitsiMediaDevicesEvents = {
  DEVICE_LIST_CHANGED: 'mediaDevices.devicechange',
  PERMISSIONS_CHANGED: 'rtc.permissions_changed',
  PERMISSION_PROMPT_IS_SHOWN: 'mediaDevices.permissionPromptIsShown',
  /** createLocalTracks with `fireSlowPromiseEvent`: capture has taken longer than 1 s. */
  SLOW_GET_USER_MEDIA: 'mediaDevices.slowGetUserMedia',
} as const;

export type JitsiMediaDevicesEvent = (typeof JitsiMediaDevicesEvents)[keyof typeof JitsiMediaDevicesEvents];
