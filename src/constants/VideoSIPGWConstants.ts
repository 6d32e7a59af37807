/**
 * `JitsiMeetJS.constants.sipVideoGW` (protocol.md 13.11): video SIP gateway availability, session states and
 * creation errors, flat as lib-jitsi-meet's module exports them. Pinned by test/browser/unit/constants.test.ts.
 */
export const VideoSIPGWConstants = {
  STATUS_AVAILABLE: 'available',
  STATUS_BUSY: 'busy',
  STATUS_UNDEFINED: 'undefined',
  STATE_ON: 'on',
  STATE_OFF: 'off',
  STATE_PENDING: 'pending',
  STATE_RETRYING: 'retrying',
  STATE_FAILED: 'failed',
  ERROR_NO_CONNECTION: 'error_no_connection',
  ERROR_SESSION_EXISTS: 'error_session_already_exists',
} as const;
