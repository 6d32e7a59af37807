/** ConnectionQualityEvents: lib-jitsi-meet's exact string values (lib-jitsi-meet's service/connectivity/ConnectionQualityEvents), pinned by test/browser/unit/constants.test.ts. */
export const ConnectionQualityEvents = {
  LOCAL_STATS_UPDATED: 'cq.local_stats_updated',
  REMOTE_STATS_UPDATED: 'cq.remote_stats_updated',
} as const;

export type ConnectionQualityEvent = (typeof ConnectionQualityEvents)[keyof typeof ConnectionQualityEvents];
