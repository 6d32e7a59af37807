/**
 * lib-jitsi-meet's ProxyConnectionService (protocol.md 9): a direct WebRTC connection to one peer outside any
 * conference, mainly to show a peer's screen here. Signalling is Jingle (the P2P flavour of protocol.md 7.2)
 * serialized into strings that the application carries itself: `onSendMessage(peerJid, { iq })` out,
 * `processMessage({ from, data: { iq } })` in. The video the peer sends arrives as a JitsiLocalTrack
 * (`deviceId` `proxy:<peerJid>`, `sourceType` `proxy`) that can be added to a conference like a capture; audio
 * is not received (lib-jitsi-meet's receiver answers it inactive).
 *
 * Only one peer at a time: anything from another peer while a connection exists is answered with
 * `connection-error-encountered` (`rejected`) and changes nothing. Closing (stop(), the peer's
 * session-terminate, or a failure) releases every track of the connection, the local ones given to start()
 * included, and calls onConnectionClosed; failures are also reported as an `error` event.
 */
import { $iq, type Builder } from 'strophe.js';
import type { JitsiConnection } from '../connection/JitsiConnection.js';
import { JINGLE_NS } from '../jingle/parseJingle.js';
import { JitsiLocalTrack } from '../rtc/JitsiLocalTrack.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';
import { ProxyActions, ProxyConnectionError, ProxyErrorDetails } from './constants.js';
import { ProxyConnectionPC } from './ProxyConnectionPC.js';
import { p2pRtcConfig } from '../rtc/iceConfig.js';

export { ProxyActions, ProxyConnectionError, ProxyConnectionServiceEvents, ProxyErrorDetails, type ProxyAction } from './constants.js';

const logger = getLogger('proxyconnection/ProxyConnectionService');

/** lib-jitsi-meet's constructor options. */
export interface ProxyConnectionServiceOptions {
  /** Deliver received video as a screen share (`videoType` desktop) rather than a camera. Default false. */
  convertVideoToDesktop?: boolean;
  /** Source of the ICE servers when `pcConfig` is absent: its XEP-0215 servers and `p2pStunServers`. */
  jitsiConnection?: JitsiConnection;
  /** RTCConfiguration of the peer connection; replaces the connection's ICE servers when given. */
  pcConfig?: RTCConfiguration;
  /**
   * Milliseconds a connection may take to connect (offer answered and ICE up) before it is closed with an
   * `error` (connection-error-encountered, details `timeout`). Default 20 000; 0 disables the bound.
   */
  connectionTimeout?: number;
  /** The connection closed (either side stopped, or it failed). */
  onConnectionClosed?: () => void;
  /** A track the peer sends, as a JitsiLocalTrack. Without this callback received tracks are released at once. */
  onRemoteStream?: (track: JitsiLocalTrack) => void;
  /** Carry `message` to `peerJid`; the peer passes it to its processMessage with `from` = our JID. */
  onSendMessage?: (peerJid: string, message: { iq: string }) => void;
}

/** What processMessage takes: the peer's JID and the serialized Jingle IQ it sent. */
export interface ProxyMessage {
  from: string;
  data: { iq: string };
}

export interface ProxyConnectionServiceEventMap {
  [event: string]: (...args: never[]) => void;
  error: (error: ProxyConnectionError) => void;
}

/** How long a connection may take to come up (connectionTimeout). */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 20_000;

/** Actions that end a connection: never answered with a rejection (two services must not ping-pong). */
const CLOSING_ACTIONS: readonly string[] = [ProxyActions.TERMINATE, ProxyActions.CONNECTION_ERROR, ProxyActions.UNAVAILABLE];

export class ProxyConnectionService extends EventEmitter<ProxyConnectionServiceEventMap> {
  private readonly options: ProxyConnectionServiceOptions;
  private connection: ProxyConnectionPC | undefined;
  /** Tracks owned by the connection: the local ones it sends and the ones made from what it receives. */
  private tracks: JitsiLocalTrack[] = [];

  constructor(options: ProxyConnectionServiceOptions = {}) {
    super();
    this.options = { ...options };
  }

  /** The JID of the connected (or connecting) peer, if any. */
  getPeerJid(): string | undefined {
    return this.connection?.peerJid;
  }

  /** The RTCPeerConnection of the current connection, if any. */
  get peerconnection(): RTCPeerConnection | undefined {
    return this.connection?.pc;
  }

  /**
   * Connects to `peerJid` as the initiator, sending `localTracks` (renamed `peer-a<i>` / `peer-v<i>`, `i` their
   * index in the array, as lib-jitsi-meet does). Throws without a peer JID or while a connection exists.
   */
  start(peerJid: string, localTracks: JitsiLocalTrack[] = []): void {
    if (typeof peerJid !== 'string' || peerJid === '') throw new Error('ProxyConnectionService.start() needs the JID of the peer to connect to');
    if (this.connection) throw new Error(`ProxyConnectionService: a connection with ${this.connection.peerJid} exists; stop() it first`);
    localTracks.forEach((track, index) => track.setSourceName(`peer-${track.getType() === 'audio' ? 'a' : 'v'}${index}`));
    const connection = this.createConnection(peerJid, true);
    this.tracks = [...localTracks];
    logger.info(`starting a proxy connection with ${peerJid} (${localTracks.length} track(s))`);
    connection.start(localTracks);
  }

  /**
   * Handles one message from a peer (protocol.md 9). A message that is not a Jingle IQ is logged and ignored.
   */
  processMessage(message: ProxyMessage): void {
    const peerJid = message?.from;
    const xml = message?.data?.iq;
    if (typeof peerJid !== 'string' || peerJid === '' || typeof xml !== 'string') {
      logger.warn('ignoring a proxy message without a sender or an iq string');
      return;
    }
    const jingle = parseJingleIq(xml);
    const action = jingle?.getAttribute('action');
    if (!jingle || !action) {
      logger.warn(`ignoring a malformed proxy message from ${peerJid}`);
      return;
    }

    const current = this.connection;
    if (current && current.peerJid !== peerJid) {
      if (CLOSING_ACTIONS.includes(action)) return;
      logger.info(`rejecting ${action} from ${peerJid}: connected with ${current.peerJid}`);
      this.sendError(peerJid, ProxyActions.CONNECTION_ERROR, ProxyErrorDetails.REJECTED);
      return;
    }
    const sid = jingle.getAttribute('sid');
    if (current && sid && action !== ProxyActions.INITIATE && sid !== current.sid) {
      logger.info(`ignoring ${action} of an old session (${sid}) from ${peerJid}`);
      return;
    }

    switch (action) {
      case ProxyActions.INITIATE: {
        // The same peer starting over replaces the connection it had.
        if (current) void this.close({ notify: false });
        this.createConnection(peerJid, false).processMessage(action, jingle);
        return;
      }
      case ProxyActions.TERMINATE:
        if (current) void this.close({ notify: false });
        return;
      case ProxyActions.CONNECTION_ERROR:
      case ProxyActions.UNAVAILABLE: {
        if (!current) return;
        const details = childText(jingle, 'details');
        void this.close({ notify: false, error: new ProxyConnectionError(peerJid, action, details, true) });
        return;
      }
      default:
        if (current) current.processMessage(action, jingle);
        else logger.info(`ignoring ${action} from ${peerJid}: no proxy connection`);
    }
  }

  /**
   * Ends the connection: session-terminate to the peer, the peer connection closed, every track released,
   * onConnectionClosed called. Resolves once the tracks are released.
   */
  stop(): Promise<void> {
    return this.close({ notify: true });
  }

  private createConnection(peerJid: string, isInitiator: boolean): ProxyConnectionPC {
    const connection = new ProxyConnectionPC({
      peerJid,
      localJid: this.options.jitsiConnection?.xmpp.connection.jid || undefined,
      isInitiator,
      rtcConfig: this.rtcConfig(),
      send: (iq) => this.send(peerJid, iq),
      connectTimeoutMs: this.options.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      onRemoteTrack: (track) => this.onRemoteTrack(connection, track),
      onFailure: (details, cause) => {
        if (this.connection !== connection) return;
        // The next proxy connection is built from XEP-0215 credentials: renewed now if they have expired.
        void this.options.jitsiConnection?.xmpp.engine.discovery.refreshIfExpired();
        this.sendError(peerJid, ProxyActions.CONNECTION_ERROR, details);
        void this.close({ notify: false, error: new ProxyConnectionError(peerJid, ProxyActions.CONNECTION_ERROR, details, false, { cause }) });
      },
    });
    this.connection = connection;
    return connection;
  }

  /** `pcConfig`, else the connection's P2P ICE servers (protocol.md 2.6, 9); no public default. */
  private rtcConfig(): RTCConfiguration {
    if (this.options.pcConfig) return this.options.pcConfig;
    const jitsiConnection = this.options.jitsiConnection;
    if (!jitsiConnection) return { iceServers: [] };
    return p2pRtcConfig({ connection: jitsiConnection.options, discovered: jitsiConnection.getIceServers() });
  }

  private onRemoteTrack(connection: ProxyConnectionPC, media: MediaStreamTrack): void {
    if (this.connection !== connection) return;
    const video = media.kind === 'video';
    const track = new JitsiLocalTrack({
      stream: new MediaStream([media]),
      track: media,
      mediaType: video ? 'video' : 'audio',
      videoType: video ? (this.options.convertVideoToDesktop ? 'desktop' : 'camera') : undefined,
      deviceId: `proxy:${connection.peerJid}`,
      sourceType: 'proxy',
    });
    const deliver = this.options.onRemoteStream;
    if (!deliver) {
      logger.warn('a proxied track arrived without an onRemoteStream callback; it is released');
      void track.dispose();
      return;
    }
    this.tracks.push(track);
    deliver(track);
  }

  private async close({ notify, error }: { notify: boolean; error?: ProxyConnectionError }): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = undefined;
    connection.close(notify);
    const released = Promise.all(this.tracks.splice(0).map((track) => track.dispose().catch((e: unknown) => logger.warn(`${track.toString()} not released`, e))));
    logger.info(`proxy connection with ${connection.peerJid} closed${error ? `: ${error.message}` : ''}`);
    if (error) this.emit('error', error);
    try {
      this.options.onConnectionClosed?.();
    } catch (e) {
      logger.error('onConnectionClosed threw', e);
    }
    await released;
  }

  /** connection-error-encountered / unavailable: `<jingle action=…><details>…</details></jingle>`, no session id. */
  private sendError(peerJid: string, action: string, details: string): void {
    this.send(peerJid, $iq({ to: peerJid, type: 'set' }).c('jingle', { xmlns: JINGLE_NS.JINGLE, action }).c('details', {}, details));
  }

  private send(peerJid: string, iq: Builder): void {
    const onSendMessage = this.options.onSendMessage;
    if (!onSendMessage) {
      logger.warn('no onSendMessage callback: a proxy message is not sent');
      return;
    }
    try {
      onSendMessage(peerJid, { iq: new XMLSerializer().serializeToString(iq.tree()) });
    } catch (error) {
      // The application's channel failed; its content (ICE credentials) stays out of the log.
      logger.error(`sending a proxy message to ${peerJid} failed`, error);
    }
  }
}

/** The `<jingle>` element of a serialized IQ, or undefined when the text is not XML or holds none. */
function parseJingleIq(xml: string): Element | undefined {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  if (document.getElementsByTagName('parsererror').length > 0) return undefined;
  const root = document.documentElement;
  if (root?.localName !== 'iq') return undefined;
  return Array.from(root.children).find((child) => child.localName === 'jingle' && child.namespaceURI === JINGLE_NS.JINGLE);
}

const childText = (element: Element, localName: string): string =>
  Array.from(element.children).find((child) => child.localName === localName)?.textContent?.trim() ?? '';

export default ProxyConnectionService;
