/**
 * `JitsiMeetJS.joinConference(roomName, appId, token, options)`: lib-jitsi-meet's one-call way in. It connects
 * (with JaaS defaults when `appId` is a `vpaas-magic-cookie-…` tenant), creates the conference, resolves with
 * it, then adds the given tracks, joins and asks for 720p from everyone. Connection failures reject with the
 * JitsiConnectionErrors value; join results arrive as conference events.
 */
import type { JitsiConference } from './conference/JitsiConference.js';
import type { ConferenceOptions } from './conference/types.js';
import { JitsiConnection, type JitsiConnectionOptions } from './connection/JitsiConnection.js';
import { JitsiConnectionEvents } from './events/JitsiConnectionEvents.js';
import type { JitsiLocalTrack } from './rtc/JitsiLocalTrack.js';
import { getLogger } from './util/logger.js';

const logger = getLogger('JitsiMeetJS/joinConference');

export interface JoinConferenceOptions {
  /** JitsiConnection options (serviceUrl, hosts, …); for a JaaS tenant the JaaS addresses replace these. */
  connectionOptions?: Partial<JitsiConnectionOptions>;
  /** `initJitsiConference` options. */
  conferenceOptions?: ConferenceOptions;
  /** JaaS only: `useStaging` picks staging.8x8.vc. (`release` is accepted and unused.) */
  jaas?: { release?: boolean; useStaging?: boolean };
  /** Local tracks added before the join. */
  tracks?: JitsiLocalTrack[];
}

const JAAS_TENANT_PREFIX = 'vpaas-magic-cookie';

/** The JaaS deployment's addresses for a tenant (lib-jitsi-meet's defaults; they win over given ones). */
function jaasOptions(roomName: string, appId: string, useStaging: boolean): Partial<JitsiConnectionOptions> {
  const domain = useStaging ? 'staging.8x8.vc' : '8x8.vc';
  const room = encodeURIComponent(roomName);
  return {
    conferenceRequestUrl: `https://${domain}/${appId}/conference-request/v1?room=${room}`,
    hosts: { domain, muc: `conference.${appId}.${domain}` },
    serviceUrl: `wss://${domain}/${appId}/xmpp-websocket?room=${room}`,
    websocketKeepAliveUrl: `https://${domain}/${appId}/_unlock?room=${room}`,
  };
}

export function joinConference(
  roomName: string,
  appId = '',
  token: string | null = null,
  options: JoinConferenceOptions = {},
): Promise<JitsiConference> {
  let connectionOptions = { ...(options.connectionOptions ?? {}) } as JitsiConnectionOptions;
  if (appId.startsWith(JAAS_TENANT_PREFIX)) {
    const jaas = jaasOptions(roomName, appId, options.jaas?.useStaging ?? false);
    connectionOptions = { ...connectionOptions, ...jaas, hosts: { ...connectionOptions.hosts, ...jaas.hosts } };
  }
  const connection = new JitsiConnection(appId, token, connectionOptions);
  return new Promise<JitsiConference>((resolve, reject) => {
    const E = JitsiConnectionEvents;
    const cleanup = (): void => {
      connection.off(E.CONNECTION_ESTABLISHED, onEstablished);
      connection.off(E.CONNECTION_FAILED, onFailed);
    };
    const onEstablished = (): void => {
      cleanup();
      let conference: JitsiConference;
      try {
        conference = connection.initJitsiConference(roomName, options.conferenceOptions ?? {});
      } catch (error) {
        void connection.disconnect();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      resolve(conference);
      // After the caller's `then` has run, so that it can listen for the tracks' and the join's events.
      queueMicrotask(() => {
        for (const track of options.tracks ?? []) {
          conference.addTrack(track).catch((error: unknown) => logger.warn(`${track.toString()} not added`, error));
        }
        conference.join();
        conference.setReceiverConstraints({ defaultConstraints: { maxHeight: 720 }, lastN: -1 });
      });
    };
    const onFailed = (error: string): void => {
      cleanup();
      // lib-jitsi-meet rejects with the JitsiConnectionErrors string itself; callers compare it with ===.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(error);
    };
    connection.on(E.CONNECTION_ESTABLISHED, onEstablished);
    connection.on(E.CONNECTION_FAILED, onFailed);
    connection.connect({ name: roomName });
  });
}
