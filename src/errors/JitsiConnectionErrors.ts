/** JitsiConnectionErrors: lib-jitsi-meet's exact string values (protocol.md 10.2), pinned by test/browser/unit/constants.test.ts. */
export const JitsiConnectionErrors = {
  CONFERENCE_REQUEST_FAILED: 'connection.conferenceRequestFailed',
  CONNECTION_DROPPED_ERROR: 'connection.droppedError',
  NOT_LIVE_ERROR: 'connection.notLiveError',
  OTHER_ERROR: 'connection.otherError',
  PASSWORD_REQUIRED: 'connection.passwordRequired',
  SERVER_ERROR: 'connection.serverError',
  SHARD_CHANGED_ERROR: 'connection.shardChangedError',
} as const;

export type JitsiConnectionError = (typeof JitsiConnectionErrors)[keyof typeof JitsiConnectionErrors];
