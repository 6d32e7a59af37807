/**
 * `JitsiMeetJS.constants.iceRestartReason`: why an in-place ICE restart of the bridge session was asked for
 * (`conference.restartJvbIce(reason)`). Only logged: the session-info request carries no reason (protocol.md 5.2).
 */
export const IceRestartReason = {
  API: 'api',
  ICE_FAILED: 'ice-failed',
  NETWORK_CHANGE: 'network-change',
} as const;

export type IceRestartReasonValue = (typeof IceRestartReason)[keyof typeof IceRestartReason];
