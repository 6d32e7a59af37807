/** Types shared by the XMPP connection and JitsiConnection. */
import type { JitsiConnectionError } from '../errors/JitsiConnectionErrors.js';
import type { FeatureOptions } from './caps.js';
import type { PingOptions } from './KeepAlive.js';
import type { ServerInfo } from './serverInfo.js';

export interface XmppHosts {
  domain: string;
  anonymousdomain?: string;
  muc?: string;
  focus?: string;
}

export interface XmppConnectionOptions {
  serviceUrl?: string;
  /** Deprecated lib-jitsi-meet alias of serviceUrl. */
  bosh?: string;
  hosts: XmppHosts;
  enableWebsocketResume?: boolean;
  websocketKeepAlive?: number;
  websocketKeepAliveUrl?: string;
  xmppPing?: PingOptions;
  clientNode?: string;
  features?: FeatureOptions;
  /** Maximum reconnect attempts after a drop (lib-jitsi-meet: 3). */
  maxReconnectAttempts?: number;
  deploymentInfo?: { shard?: string; region?: string; userRegion?: string };
}

export interface ConnectParams {
  id?: string;
  password?: string;
  /** Room name: sent as the `room` URL parameter (backend-safe form). */
  name?: string;
  token?: string | null;
}

export type XmppState = 'idle' | 'connecting' | 'connected' | 'resuming' | 'disconnecting' | 'disconnected' | 'failed';

export interface FailureDetails {
  shard_changed?: boolean;
  suspend_time: number;
  time_since_last_success: number;
}

export interface XmppConnectionEvents {
  [event: string]: (...args: never[]) => void;
  established(resource: string): void;
  failed(error: JitsiConnectionError, message?: string, credentials?: { jid: string; password?: string }, details?: FailureDetails): void;
  disconnected(message?: string): void;
  wrongState(): void;
  tokenExpired(): void;
  displayNameRequired(): void;
  propertiesUpdated(properties: { region?: string; shard?: string }): void;
  /** The link dropped; resume attempts follow. */
  interrupted(): void;
  /** XEP-0198 resumed the same session: nothing was lost. */
  resumed(): void;
  /** The resume was refused and a fresh session (new JID) replaced the old one. */
  sessionReplaced(oldJid: string, newJid: string): void;
  featuresChanged(submit: boolean): void;
  serverInfo(info: ServerInfo): void;
}

export interface StanzaLogEntry {
  time: number;
  direction: 'in' | 'out';
  xml: string;
}

