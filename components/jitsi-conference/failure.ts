/** What a person is told when the call could not start or ended: an engine constant -> a string key. */
import type { StringKey } from '../base/localize.js';

const MESSAGES: Record<string, StringKey> = {
  'connection.otherError': 'error_connectionFailed',
  'connection.droppedError': 'error_connectionFailed',
  'connection.serverError': 'error_connectionFailed',
  'connection.notLiveError': 'error_connectionFailed',
  'connection.conferenceRequestFailed': 'error_focus',
  'connection.passwordRequired': 'error_authentication',
  'conference.passwordRequired': 'error_passwordRequired',
  'conference.connectionError': 'error_connectionFailed',
  'conference.connectionError.notAllowed': 'error_notAllowed',
  'conference.connectionError.accessDenied': 'error_accessDenied',
  'conference.connectionError.membersOnly': 'error_membersOnly',
  'conference.max_users': 'error_maxUsers',
  'conference.authenticationRequired': 'error_authentication',
  'conference.focusDisconnected': 'error_focus',
  'conference.focusLeft': 'error_focus',
  'conference.videobridgeNotAvailable': 'error_videobridge',
  'conference.iceFailed': 'error_iceFailed',
  'conference.destroyed': 'ended',
};

export function failureMessage(failure: string | undefined): StringKey {
  return (failure && MESSAGES[failure]) || 'error_general';
}
