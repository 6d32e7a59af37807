/**
 * lib-jitsi-meet's JitsiConnection: `new JitsiConnection(appID, token, options)`, `connect()`, events with
 * lib-jitsi-meet's names and arguments (protocol.md 10.1-10.2). The XMPP work is XmppConnection's.
 */
import type { BridgeChannelOptions } from '../conference/bridgeChannelOptions.js';
import { JitsiConference, type ConferenceOptions } from '../conference/JitsiConference.js';
import type { JitsiConnectionError } from '../errors/JitsiConnectionErrors.js';
import { JitsiConnectionEvents } from '../events/JitsiConnectionEvents.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger, registerSecret } from '../util/logger.js';
import type { PingOptions } from '../xmpp/KeepAlive.js';
import { StropheFacade } from '../xmpp/StropheFacade.js';
import { XmppConnection, type FailureDetails, type StanzaLogEntry, type XmppHosts } from '../xmpp/XmppConnection.js';

const logger = getLogger('connection/JitsiConnection');

/**
 * Connection options. Those lib-jitsi-meet documents but that do not apply here are accepted and ignored
 * (see README, "Engine API"), never an error.
 */
export interface JitsiConnectionOptions {
  serviceUrl?: string;
  /** Deprecated alias of serviceUrl. */
  bosh?: string;
  /** Deprecated alias of serviceUrl. */
  websocket?: string;
  hosts: XmppHosts;
  enableWebsocketResume?: boolean;
  websocketKeepAlive?: number;
  websocketKeepAliveUrl?: string;
  xmppPing?: PingOptions;
  /** Older name of `p2p.stunServers`. */
  p2pStunServers?: RTCIceServer[];
  /** P2P and proxy-connection ICE, read here first as lib-jitsi-meet does (rtc/iceConfig.ts). */
  p2p?: { stunServers?: RTCIceServer[]; iceTransportPolicy?: RTCIceTransportPolicy; [option: string]: unknown };
  /** UDP TURN servers for the bridge too (by default it gets TCP/TLS TURN only). */
  useTurnUdp?: boolean;
  flags?: Record<string, unknown>;
  clientNode?: string;
  disableFocus?: boolean;
  deploymentInfo?: { shard?: string; region?: string; userRegion?: string };
  disableRtx?: boolean;
  enableOpusRed?: boolean;
  enableRemb?: boolean;
  enableTcc?: boolean;
  /** How the bridge channel is opened (protocol.md 8.1); read by every conference of this connection. */
  bridgeChannel?: BridgeChannelOptions;
  [option: string]: unknown;
}

export interface ConnectOptions {
  id?: string;
  password?: string;
  /** The room name (sent as the `room` URL parameter, as the Jitsi Meet app does). */
  name?: string;
}

export interface JitsiConnectionEventMap {
  [event: string]: (...args: never[]) => void;
  'connection.connectionEstablished': (id: string) => void;
  'connection.connectionFailed': (
    errType: JitsiConnectionError,
    message?: string,
    credentials?: { jid: string; password?: string },
    details?: FailureDetails,
  ) => void;
  'connection.connectionDisconnected': (message?: string) => void;
  'connection.wrongState': () => void;
  'connection.redirected': (vnode: string | undefined, focusJid: string, username?: string) => void;
  'connection.token_expired': () => void;
  'connection.display_name_required': () => void;
  'connection.propertiesUpdated': (properties: { region?: string; shard?: string }) => void;
}

export class JitsiConnection extends EventEmitter<JitsiConnectionEventMap> {
  readonly appID: string | null;
  readonly options: JitsiConnectionOptions;
  /** The XMPP layer; `xmpp.connection` is the Strophe-shaped escape hatch lib-jitsi-meet apps use. */
  readonly xmpp: { connection: StropheFacade; engine: XmppConnection };
  private token: string | null;

  constructor(appID: string | null, token: string | null, options: JitsiConnectionOptions) {
    super();
    this.appID = appID;
    this.token = token;
    registerSecret(token);
    this.options = options ?? { hosts: { domain: '' } };
    const engine = new XmppConnection(
      {
        serviceUrl: this.options.serviceUrl ?? this.options.websocket ?? this.options.bosh,
        hosts: this.options.hosts ?? { domain: '' },
        enableWebsocketResume: this.options.enableWebsocketResume,
        websocketKeepAlive: this.options.websocketKeepAlive,
        websocketKeepAliveUrl: this.options.websocketKeepAliveUrl,
        xmppPing: this.options.xmppPing,
        clientNode: this.options.clientNode,
        deploymentInfo: this.options.deploymentInfo,
        features: {
          disableRtx: this.options.disableRtx,
          enableOpusRed: this.options.enableOpusRed,
          enableRemb: this.options.enableRemb,
          enableTcc: this.options.enableTcc,
          ssrcRewriting: this.options.flags?.ssrcRewritingEnabled === true,
        },
      },
      token,
    );
    this.xmpp = { connection: new StropheFacade(engine), engine };
    this.forwardEvents(engine);
  }

  private forwardEvents(engine: XmppConnection): void {
    const E = JitsiConnectionEvents;
    engine.on('established', (resource) => this.emit(E.CONNECTION_ESTABLISHED, resource));
    engine.on('failed', (error, message, credentials, details) => {
      logger.error(`connection failed: ${error}${message ? ` (${message})` : ''}`);
      this.emit(E.CONNECTION_FAILED, error, message, credentials, details);
    });
    engine.on('disconnected', (message) => this.emit(E.CONNECTION_DISCONNECTED, message));
    engine.on('wrongState', () => this.emit(E.WRONG_STATE));
    engine.on('tokenExpired', () => this.emit(E.CONNECTION_TOKEN_EXPIRED));
    engine.on('displayNameRequired', () => this.emit(E.DISPLAY_NAME_REQUIRED));
    engine.on('propertiesUpdated', (properties) => this.emit(E.PROPERTIES_UPDATED, properties));
  }

  /** Anonymous without `id`; password login with `id` and `password`; a JWT given to the constructor travels in the URL. */
  connect(options: ConnectOptions = {}): void {
    this.xmpp.engine.connect({ id: options.id, password: options.password, name: options.name, token: this.token });
  }

  /** Attaches to a prebound BOSH session. */
  attach(options: { jid: string; sid: string; rid: number | string }): void {
    this.xmpp.engine.attach(options);
  }

  /** Sends unavailable presence and closes the stream; resolves when closed. */
  disconnect(reason?: string): Promise<void> {
    return this.xmpp.engine.disconnect(reason);
  }

  getJid(): string {
    return this.xmpp.engine.jid;
  }

  /** Replaces the token used for the next connect or resume. */
  setToken(token: string | null): void {
    this.token = token;
    registerSecret(token);
  }

  /** Replaces the token and, on a resumable websocket session, resumes right away with it. */
  refreshToken(token: string): Promise<void> {
    this.setToken(token);
    return this.xmpp.engine.refreshToken(token);
  }

  /** Timestamps (performance.now()) of each connection phase: connecting, authenticating, connected, … */
  getConnectionTimes(): Record<string, number> {
    return { ...this.xmpp.engine.connectionTimes };
  }

  /** Recent stanzas in and out, credentials redacted, with metadata. */
  getLogs(): { metadata: Record<string, unknown>; stanzas: StanzaLogEntry[] } {
    return this.xmpp.engine.getLogs();
  }

  /** Adds a feature to disco#info and the caps hash; `submit` asks joined conferences to send presence. */
  addFeature(feature: string, submit = false): void {
    this.xmpp.engine.addFeature(feature, submit);
  }

  removeFeature(feature: string, submit = false): void {
    this.xmpp.engine.removeFeature(feature, submit);
  }

  /** STUN/TURN servers announced by the deployment (XEP-0215), as RTCIceServer entries. */
  getIceServers(): RTCIceServer[] {
    return [...this.xmpp.engine.iceServers];
  }

  /** The JWT the connection was created with (or set since). */
  getToken(): string | null {
    return this.token;
  }

  /** Creates a conference in room `name`, which must be lowercase (lib-jitsi-meet throws too). */
  initJitsiConference(name: string, options: ConferenceOptions = {}): JitsiConference {
    if (typeof name !== 'string' || name === '' || name !== name.toLowerCase()) {
      throw new Error(`Invalid conference name (no conference was created): "${String(name)}" - the name must be lowercase`);
    }
    return new JitsiConference({ name, config: options, connection: this });
  }
}
