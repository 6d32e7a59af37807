/** E2ePingEvents: lib-jitsi-meet's exact string values (its service/e2eping/E2ePingEvents), pinned by test/browser/unit/constants.test.ts. */
export const E2ePingEvents = {
  E2E_RTT_CHANGED: 'e2eping.e2e_rtt_changed',
} as const;

export type E2ePingEvent = (typeof E2ePingEvents)[keyof typeof E2ePingEvents];
