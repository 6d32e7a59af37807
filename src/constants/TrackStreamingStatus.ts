/**
 * `JitsiMeetJS.constants.trackStreamingStatus`: the values of JitsiRemoteTrack.getTrackStreamingStatus() and
 * of TRACK_STREAMING_STATUS_CHANGED (lib-jitsi-meet's modules/connectivity/TrackStreamingStatus), pinned by
 * test/browser/unit/constants.test.ts.
 */
export const TrackStreamingStatus = {
  ACTIVE: 'active',
  INACTIVE: 'inactive',
  INTERRUPTED: 'interrupted',
  RESTORING: 'restoring',
} as const;

export type TrackStreamingStatusValue = (typeof TrackStreamingStatus)[keyof typeof TrackStreamingStatus];
