/** `JitsiMeetJS.constants.transcriptionStatus` (protocol.md 13.10): TRANSCRIPTION_STATUS_CHANGED's status. */
export const JitsiTranscriptionStatus = {
  ON: 'ON',
  OFF: 'OFF',
} as const;

export type TranscriptionStatus = (typeof JitsiTranscriptionStatus)[keyof typeof JitsiTranscriptionStatus];
