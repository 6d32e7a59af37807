/**
 * `JitsiMeetJS.constants.recording` (protocol.md 13.9 d): Jibri session status, recording mode and the error
 * names of JibriSession.getError(). Pinned by test/browser/unit/constants.test.ts.
 */
export const recordingConstants = {
  error: {
    BUSY: 'busy',
    ERROR: 'error',
    POLICY_VIOLATION: 'policy-violation',
    RESOURCE_CONSTRAINT: 'resource-constraint',
    SERVICE_UNAVAILABLE: 'service-unavailable',
    UNEXPECTED_REQUEST: 'unexpected-request',
  },
  mode: {
    FILE: 'file',
    STREAM: 'stream',
  },
  status: {
    OFF: 'off',
    ON: 'on',
    PENDING: 'pending',
  },
} as const;
