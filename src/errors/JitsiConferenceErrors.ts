/** JitsiConferenceErrors: lib-jitsi-meet's exact string values (protocol.md 10.4), pinned by test/browser/unit/constants.test.ts. */
export const JitsiConferenceErrors = {
  AUTHENTICATION_REQUIRED: 'conference.authenticationRequired',
  CHAT_ERROR: 'conference.chatError',
  CONFERENCE_ACCESS_DENIED: 'conference.connectionError.accessDenied',
  CONFERENCE_DESTROYED: 'conference.destroyed',
  CONFERENCE_MAX_USERS: 'conference.max_users',
  CONNECTION_ERROR: 'conference.connectionError',
  DISPLAY_NAME_REQUIRED: 'conference.display_name_required',
  FOCUS_DISCONNECTED: 'conference.focusDisconnected',
  FOCUS_LEFT: 'conference.focusLeft',
  GRACEFUL_SHUTDOWN: 'conference.gracefulShutdown',
  ICE_FAILED: 'conference.iceFailed',
  INCOMPATIBLE_SERVER_VERSIONS: 'conference.incompatible_server_versions',
  MEMBERS_ONLY_ERROR: 'conference.connectionError.membersOnly',
  NOT_ALLOWED_ERROR: 'conference.connectionError.notAllowed',
  OFFER_ANSWER_FAILED: 'conference.offerAnswerFailed',
  PASSWORD_NOT_SUPPORTED: 'conference.passwordNotSupported',
  PASSWORD_REQUIRED: 'conference.passwordRequired',
  RESERVATION_ERROR: 'conference.reservationError',
  SETTINGS_ERROR: 'conference.settingsError',
  VIDEOBRIDGE_NOT_AVAILABLE: 'conference.videobridgeNotAvailable',
} as const;

export type JitsiConferenceError = (typeof JitsiConferenceErrors)[keyof typeof JitsiConferenceErrors];

/** The second argument of `CONFERENCE_FAILED(NOT_ALLOWED_ERROR, type)` (protocol.md 4.7, 10.4). */
export const AUTH_ERROR_TYPES = {
  GENERAL: 'general',
  NO_MAIN_PARTICIPANTS: 'no-main-participants',
  NO_VISITORS_LOBBY: 'no-visitors-lobby',
  PROMOTION_NOT_ALLOWED: 'promotion-not-allowed',
  ROOM_CREATION_RESTRICTION: 'room-creation-restriction',
  ROOM_UNAUTHENTICATED_ACCESS_DISABLED: 'authentication-required',
} as const;

export type AuthErrorType = (typeof AUTH_ERROR_TYPES)[keyof typeof AUTH_ERROR_TYPES];
