/**
 * The XMPP connection under JitsiConnection (protocol.md section 2): login (anonymous, password, JWT in the
 * URL), the failure mapping of 2.2, keep-alives (2.4), XEP-0198 resume with `previd` (2.5) and, when a
 * resume is refused, a fresh login on the same stream; server information and XEP-0215 (2.3, 2.6); disco#info
 * answers with the client features and caps (2.7).
 */
import { $iq, Strophe } from 'strophe.js';
import { JitsiConnectionErrors } from '../errors/JitsiConnectionErrors.js';
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger, redact, registerSecret } from '../util/logger.js';
import { networkInfo } from '../util/networkInfo.js';
import { abortBoshRequests, BOSH_RELOGIN_DELAYS, fastBoshRetries, jitter } from './boshRetry.js';
import { ClientFeatures } from './ClientFeatures.js';
import { isJwtExpired } from './jwt.js';
import { PingKeepAlive, WebsocketKeepAlive } from './KeepAlive.js';
import { NS } from './namespaces.js';
import { cheaperInbound, LiveStreamStorage } from './stropheInbound.js';
import { skipOptionalSession } from './stropheLogin.js';
import { ServerDiscovery } from './ServerDiscovery.js';
import type { ServerInfo } from './serverInfo.js';
import { backendSafeRoomName, keepAliveUrl, parseServiceUrl, ServiceUrlError, withQueryParams, type XmppTransport } from './serviceUrl.js';
import { Outbox, RESUME_DELAYS, STATUS_NAMES, StanzaLog, streamManagementOf, untilResumedOrReplaced, type StropheConnection } from './streamSupport.js';
import { firstChild, IqError, StanzaRouter, type HandlerRef, type StanzaFilter, type StanzaHandlerFn } from './StanzaRouter.js';
import type { ConnectParams, FailureDetails, StanzaLogEntry, XmppConnectionEvents, XmppConnectionOptions, XmppState } from './types.js';
import { trace } from '../util/trace.js';

export type * from './types.js';

const logger = getLogger('xmpp/XmppConnection');

type Buildable = Element | { tree(): Element };

export class XmppConnection extends EventEmitter<XmppConnectionEvents> {
  readonly router: StanzaRouter;
  readonly clientFeatures: ClientFeatures;
  readonly discovery: ServerDiscovery;
  readonly connectionTimes: Record<string, number> = {};
  state: XmppState = 'idle';
  transport: XmppTransport = 'websocket';

  private strophe: StropheConnection | undefined;
  private baseUrl = '';
  private params: ConnectParams = {};
  private token: string | null;
  private jidToConnect = '';
  private readonly outbox = new Outbox();
  private readonly log = new StanzaLog();
  /** XEP-0198 state of this connection only (see createStrophe). */
  private readonly smStorage = new LiveStreamStorage();
  private lastInboundAt = 0;
  private lastSuccessAt = 0;
  private lastErrorMessage: string | undefined;
  private lastHttpStatus = 0;
  private connFailed = false;
  private passwordRequired = false;
  private reconnectAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** While a reconnect is pending: stops following the app's online/offline reports. */
  private stopNetworkWatch: (() => void) | undefined;
  private disconnectWaiters: (() => void)[] = [];
  private readonly ping: PingKeepAlive;
  private readonly websocketKeepAlive: WebsocketKeepAlive;

  constructor(private readonly options: XmppConnectionOptions, token: string | null = null) {
    super();
    this.token = token;
    registerSecret(token);
    this.router = new StanzaRouter(
      (stanza) => this.send(stanza),
      () => this.jid,
    );
    this.clientFeatures = new ClientFeatures(options.features, options.clientNode, (submit) => this.emit('featuresChanged', submit));
    this.clientFeatures.install(this.router, (stanza) => this.send(stanza));
    this.discovery = new ServerDiscovery(
      {
        router: this.router,
        sendIQ: (stanza, timeout) => this.sendIQ(stanza, timeout),
        isConnected: () => this.state === 'connected',
        onServerInfo: (info) => this.onServerInfo(info),
      },
      options.hosts.domain,
    );
    this.ping = new PingKeepAlive(
      {
        ping: (timeout) => this.sendIQ($iq({ type: 'get', to: this.options.hosts.domain }).c('ping', { xmlns: NS.PING }), timeout),
        lastInbound: () => this.lastInboundAt,
        onDead: () => this.onLinkDead(),
      },
      options.xmppPing,
    );
    this.websocketKeepAlive = new WebsocketKeepAlive(
      () => options.websocketKeepAliveUrl ?? keepAliveUrl(this.baseUrl),
      options.websocketKeepAlive ?? 60_000,
      (shard) => this.onShardSeen(shard),
    );
  }

  get jid(): string { return this.strophe?.jid ?? ''; }
  get caps(): { hash: 'sha-1'; node: string; ver: string } { return this.clientFeatures.caps; }
  /** True for an anonymous (or token) login, false for a login with a user id. */
  get isAnonymous(): boolean { return this.params.id === undefined; }
  /** STUN/TURN servers from XEP-0215. */
  get iceServers(): RTCIceServer[] { return this.discovery.iceServers; }
  /** The underlying Strophe connection, for the escape hatch (`connection.xmpp.connection`). */
  get stropheConnection(): StropheConnection | undefined { return this.strophe; }

  connect(params: ConnectParams = {}): void {
    if (this.refuseWhileBusy('connect')) return;
    this.params = params;
    if (params.token !== undefined) this.setToken(params.token);
    registerSecret(params.password);
    if (!this.begin(() => params.id ?? this.anonymousDomain())) return;
    this.startStream();
  }

  /** Attaches to an existing BOSH session (prebinding). */
  attach(session: { jid: string; sid: string; rid: number | string }): void {
    if (this.refuseWhileBusy('attach') || !this.begin(() => session.jid, true)) return;
    const strophe = this.strophe;
    if (!strophe) return;
    this.armAttemptWatchdog();
    this.installCatchAll();
    strophe.attach(session.jid, session.sid, Number(session.rid), (status, condition, elem) =>
      this.onStatus(status, condition ?? undefined, elem),
    );
  }

  /** WRONG_STATE for connect()/attach() on a connection that is (or is getting) connected. */
  private refuseWhileBusy(what: string): boolean {
    if (this.state !== 'connecting' && this.state !== 'connected' && this.state !== 'resuming' && this.state !== 'disconnecting') return false;
    logger.warn(`${what}() while ${this.state}`);
    this.emit('wrongState');
    return true;
  }

  /** Resolves the service URL and creates the Strophe connection; on a bad URL, CONNECTION_FAILED(OTHER_ERROR). */
  private begin(jid: () => string, boshOnly = false): boolean {
    let parsed;
    try {
      parsed = parseServiceUrl(this.options.serviceUrl ?? this.options.bosh, typeof location === 'undefined' ? undefined : location.href);
      if (boshOnly && parsed.transport !== 'bosh') throw new ServiceUrlError('attach() needs a BOSH serviceUrl (http or https)');
    } catch (error) {
      this.state = 'failed';
      const message = error instanceof ServiceUrlError ? error.message : String(error);
      queueMicrotask(() => this.emit('failed', JitsiConnectionErrors.OTHER_ERROR, message));
      return false;
    }
    this.transport = parsed.transport;
    this.baseUrl = parsed.url;
    this.jidToConnect = jid();
    this.reconnectAttempts = 0;
    this.connFailed = false;
    this.passwordRequired = false;
    this.lastErrorMessage = undefined;
    this.state = 'connecting';
    this.strophe = this.createStrophe();
    return true;
  }

  /** Ends the session: unavailable presence and a clean stream close. Resolves once closed. */
  disconnect(reason?: string): Promise<void> {
    this.clearReconnect();
    this.ping.stop();
    this.websocketKeepAlive.stop();
    const strophe = this.strophe;
    if (!strophe || this.state === 'idle' || this.state === 'disconnected' || this.state === 'failed') {
      this.state = this.state === 'failed' ? 'failed' : 'disconnected';
      return Promise.resolve();
    }
    if (this.state === 'resuming') {
      this.finishDisconnected(reason);
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.disconnectWaiters.push(resolve));
    if (this.state !== 'disconnecting') {
      this.state = 'disconnecting';
      strophe.disconnect(reason);
    }
    return done;
  }

  /** Sends a stanza now, or queues it while a resume is under way. */
  send(stanza: Buildable): void {
    const element = 'tree' in stanza ? stanza.tree() : stanza;
    if (this.state === 'connected' && this.strophe) {
      this.strophe.send(element);
      return;
    }
    if (this.state === 'resuming' || this.state === 'connecting') {
      this.outbox.push(element);
      return;
    }
    throw new Error(`cannot send: the XMPP connection is ${this.state}`);
  }

  /** Sends an IQ and resolves with its result; rejects with IqError. The timeout includes reconnect time. */
  sendIQ(stanza: Buildable, timeoutMs = 10_000): Promise<Element> {
    const element = 'tree' in stanza ? stanza.tree() : stanza;
    const result = this.router.trackIq(element, timeoutMs);
    try {
      this.send(element);
    } catch (error) {
      this.router.untrack(element);
      return Promise.reject(new IqError(null, (error as Error).message));
    }
    return result;
  }

  addHandler(fn: StanzaHandlerFn, filter: StanzaFilter = {}): HandlerRef {
    return this.router.addHandler(fn, filter);
  }

  deleteHandler(ref: HandlerRef | undefined): void {
    this.router.deleteHandler(ref);
  }

  addFeature(feature: string, submit = false): void {
    this.clientFeatures.add(feature, submit);
  }

  removeFeature(feature: string, submit = false): void {
    this.clientFeatures.remove(feature, submit);
  }

  /** Replaces the JWT in the URL and, on websocket with stream management, resumes at once (protocol.md 2.5.6). */
  refreshToken(token: string): Promise<void> {
    this.setToken(token);
    const strophe = this.strophe;
    if (this.state !== 'connected' || !strophe || this.transport !== 'websocket' || !streamManagementOf(strophe)?.hasResumableState()) {
      return Promise.resolve();
    }
    const resumed = untilResumedOrReplaced(this, 3_000, 'token refresh');
    this.dropLink(0);
    return resumed;
  }

  getLogs(): { metadata: Record<string, unknown>; stanzas: StanzaLogEntry[] } {
    return {
      metadata: {
        time: new Date().toISOString(),
        url: redact(this.baseUrl),
        jid: this.jid,
        transport: this.transport,
        state: this.state,
        streamManagement: Boolean(this.strophe?.isStreamManagementEnabled()),
      },
      stanzas: this.log.read(),
    };
  }

  private setToken(token: string | null): void {
    this.token = token;
    registerSecret(token);
  }

  private anonymousDomain(): string {
    const { domain, anonymousdomain } = this.options.hosts;
    const loginRequested = typeof location !== 'undefined' && /[?&]login=true\b/.test(location.search);
    return anonymousdomain && !this.token && !loginRequested ? anonymousdomain : domain;
  }

  private serviceUrlFor(previd?: string): string {
    return withQueryParams(this.baseUrl, {
      // A `room=` the application put in the service URL stays unless connect({ name }) names one.
      ...(this.params.name ? { room: backendSafeRoomName(this.params.name) } : {}),
      token: this.token ?? undefined,
      previd,
    });
  }

  private createStrophe(previd?: string): StropheConnection {
    const websocket = this.transport === 'websocket';
    const strophe = new Strophe.Connection(this.serviceUrlFor(previd), {
      mechanisms: [Strophe.SASLAnonymous, Strophe.SASLPlain, Strophe.SASLSHA1],
      enableStreamManagement: websocket && this.options.enableWebsocketResume !== false,
      // Strophe defaults to sessionStorage keyed by the bare JID: every anonymous connection on a page (two
      // conferences, two tabs' worth of reloads) would share "meet.example.com" and resume each other's streams.
      streamManagement: { maxUnacked: 5, requestResume: true, storage: this.smStorage },
    });
    strophe.maxRetries = 3;
    if (!websocket) fastBoshRetries(strophe);
    skipOptionalSession(strophe);
    cheaperInbound(strophe, websocket, (data) => this.onRawInput(data), (frame) => this.router.dispatchLightPresence(frame));
    strophe.rawOutput = (data: string) => this.log.record('out', data);
    return strophe;
  }

  private startStream(): void {
    const strophe = this.strophe;
    if (!strophe) return;
    this.armAttemptWatchdog();
    this.installCatchAll();
    // A replaced Strophe connection's late reports (a BOSH request of the dead session answering) are ignored.
    strophe.connect(this.jidToConnect, this.params.password ?? '', (status, condition, elem) => {
      if (strophe === this.strophe) this.onStatus(status, condition ?? undefined, elem);
    });
  }

  /**
   * Strophe has no deadline for opening a websocket stream, so a black-holed server would hang an attempt
   * forever: an initial connect gets 30 s, each reconnect attempt 10 s.
   */
  private armAttemptWatchdog(): void {
    this.clearAttemptWatchdog();
    const initial = this.state === 'connecting';
    this.attemptTimer = setTimeout(() => {
      this.attemptTimer = undefined;
      const strophe = this.strophe;
      if (!strophe || (this.state !== 'connecting' && this.state !== 'resuming')) return;
      logger.warn(`${initial ? 'connect' : 'reconnect attempt'} timed out`);
      if (initial) {
        this.connFailed = true;
        this.lastErrorMessage = 'connection timed out';
      }
      strophe._doDisconnect('timeout');
    }, initial ? 30_000 : 10_000);
  }

  private attemptTimer: ReturnType<typeof setTimeout> | undefined;

  private clearAttemptWatchdog(): void {
    if (this.attemptTimer !== undefined) clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  /** One Strophe handler feeds the router; Strophe forgets it whenever a stream ends, so it is re-added each time. */
  private installCatchAll(): void {
    this.strophe?.addHandler(
      (stanza) => {
        this.router.dispatch(stanza);
        return true;
      },
      null,
      null,
      null,
    );
  }

  private onRawInput(data: string): void {
    this.lastInboundAt = Date.now();
    this.log.record('in', data);
  }

  private onStatus(status: number, condition: string | undefined, elem: Element | undefined): void {
    const name = STATUS_NAMES[status] ?? String(status);
    this.connectionTimes[name] = performance.now();
    trace(`xmpp ${name}`);
    logger.debug(`strophe status ${name}${condition ? ` (${condition})` : ''}`);
    switch (status) {
      case Strophe.Status.CONNECTED:
      case Strophe.Status.ATTACHED:
        this.onConnected();
        break;
      case Strophe.Status.AUTHFAIL:
        this.onAuthFailed((elem && firstChild(elem, 'text')?.textContent) || condition || 'authentication failed');
        break;
      case Strophe.Status.CONNFAIL:
        this.connFailed = true;
        this.lastErrorMessage = condition;
        if (condition === Strophe.ErrorCondition.MISSING_JID_NODE) this.passwordRequired = true;
        // BOSH gave up after maxRetries: Strophe does not always follow with DISCONNECTED.
        if (condition === 'giving-up') this.onGivingUp();
        break;
      case Strophe.Status.DISCONNECTED:
        this.onDisconnected();
        break;
      default:
        break;
    }
  }

  private onConnected(): void {
    this.clearAttemptWatchdog();
    const strophe = this.strophe;
    if (!strophe) return;
    const previous = this.state;
    this.state = 'connected';
    this.lastSuccessAt = Date.now();
    this.lastInboundAt = Date.now();
    this.connFailed = false;
    this.lastErrorMessage = undefined;
    this.ping.start();
    if (this.transport === 'websocket') this.websocketKeepAlive.start(previous === 'resuming' ? 0 : 5_000);
    const resource = Strophe.getResourceFromJid(strophe.jid) ?? '';
    if (previous === 'resuming') {
      this.reconnectAttempts = 0;
      const oldJid = this.lastJid;
      this.lastJid = strophe.jid;
      if (strophe.hasResumed()) {
        this.flushOutbox();
        logger.info('stream resumed');
        this.emit('resumed');
      } else {
        // What was queued was meant for the old session (room presence, chat to rooms we are no longer in).
        this.dropOutbox('the XMPP session was replaced');
        logger.info('resume refused; continuing with a fresh session');
        this.emit('sessionReplaced', oldJid, strophe.jid);
        void this.discovery.discover();
      }
      return;
    }
    this.lastJid = strophe.jid;
    this.flushOutbox();
    this.emit('established', resource);
    void this.discovery.discover();
  }

  private lastJid = '';

  private onDisconnected(): void {
    this.clearAttemptWatchdog();
    this.ping.stop();
    this.websocketKeepAlive.stop();
    switch (this.state) {
      case 'disconnecting':
        this.finishDisconnected(undefined);
        return;
      case 'connecting': {
        this.state = 'failed';
        this.outbox.clear();
        this.router.rejectAll('connection failed');
        const credentials = this.passwordRequired ? { jid: this.jidToConnect, password: this.params.password } : undefined;
        if (this.passwordRequired) {
          this.emit('failed', JitsiConnectionErrors.PASSWORD_REQUIRED, this.lastErrorMessage, credentials);
        } else if (this.connFailed) {
          this.emit('failed', JitsiConnectionErrors.OTHER_ERROR, this.lastErrorMessage, undefined, this.failureDetails());
        } else {
          this.emitDropped();
        }
        return;
      }
      case 'connected':
      case 'resuming':
        this.scheduleReconnect();
        return;
      default:
        return;
    }
  }

  /** protocol.md 2.2: CONNFAIL 'giving-up' -> CONNECTION_FAILED(OTHER_ERROR, 'giving-up'). */
  private onGivingUp(): void {
    if (this.state === 'failed' || this.state === 'disconnected') return;
    // A BOSH login attempt while reconnecting that found no server: the next attempt of the schedule follows.
    if (this.state === 'resuming') {
      this.strophe?._doDisconnect('giving-up');
      if (this.state === 'resuming' && this.reconnectTimer === undefined) this.scheduleReconnect();
      return;
    }
    this.state = 'failed';
    this.clearReconnect();
    this.outbox.clear();
    this.router.rejectAll('giving up');
    this.emit('failed', JitsiConnectionErrors.OTHER_ERROR, 'giving-up', undefined, this.failureDetails());
    this.strophe?._doDisconnect('giving-up');
  }

  /** protocol.md 2.2: AUTHFAIL -> CONNECTION_FAILED(PASSWORD_REQUIRED, text, credentials), then disconnect. */
  private onAuthFailed(message: string): void {
    const wasResuming = this.state === 'resuming';
    this.state = 'failed';
    this.clearReconnect();
    this.outbox.clear();
    this.router.rejectAll('authentication failed');
    if (wasResuming) logger.warn('authentication failed while reconnecting');
    this.emit('failed', JitsiConnectionErrors.PASSWORD_REQUIRED, message, { jid: this.jidToConnect, password: this.params.password });
    this.strophe?.disconnect('authentication failed');
  }

  private finishDisconnected(message: string | undefined): void {
    this.state = 'disconnected';
    this.clearReconnect();
    this.outbox.clear();
    this.router.rejectAll('disconnected');
    this.emit('disconnected', message);
    for (const resolve of this.disconnectWaiters.splice(0)) resolve();
  }

  private emitDropped(): void {
    const error = this.lastHttpStatus >= 500 ? JitsiConnectionErrors.SERVER_ERROR : JitsiConnectionErrors.CONNECTION_DROPPED_ERROR;
    this.emit('failed', error, this.lastErrorMessage ?? 'connection dropped', undefined, this.failureDetails());
  }

  private failureDetails(): FailureDetails {
    return { suspend_time: 0, time_since_last_success: this.lastSuccessAt ? Date.now() - this.lastSuccessAt : 0 };
  }

  /** protocol.md 2.5.3: resume with jitter, give up after `maxReconnectAttempts` (3). */
  private scheduleReconnect(): void {
    if (this.state === 'connected') this.emit('interrupted');
    this.state = 'resuming';
    const max = this.options.maxReconnectAttempts ?? 3;
    if (this.token && isJwtExpired(this.token)) {
      this.state = 'failed';
      this.router.rejectAll('token expired');
      this.emit('tokenExpired');
      return;
    }
    if (this.reconnectAttempts >= max) {
      this.state = 'failed';
      this.outbox.clear();
      this.router.rejectAll('reconnect failed');
      this.emitDropped();
      return;
    }
    // BOSH has no resume: the session is gone, so the fresh login need not wait as a websocket resume does.
    const delays = this.transport === 'bosh' ? BOSH_RELOGIN_DELAYS : RESUME_DELAYS;
    const range = delays[Math.min(this.reconnectAttempts, delays.length - 1)] ?? [1_500, 3_000];
    this.reconnectAttempts++;
    const delay = this.immediateReconnect ? 0 : jitter(range);
    this.immediateReconnect = false;
    logger.info(`link lost; reconnect attempt ${this.reconnectAttempts}/${max} in ${Math.round(delay)} ms`);
    this.clearReconnect();
    // As lib-jitsi-meet's resume task: while the app reports the network offline (setNetworkInfo), no attempt
    // is made; going offline cancels a pending one, coming back online arms it again.
    const arm = (): void => {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = networkInfo.isOnline() ? setTimeout(() => this.reconnect(), delay) : undefined;
      if (!networkInfo.isOnline()) logger.info('the network is offline: the reconnect attempt waits for it');
    };
    this.stopNetworkWatch = networkInfo.subscribe(arm);
    arm();
  }

  private immediateReconnect = false;

  private reconnect(): void {
    this.reconnectTimer = undefined;
    this.stopNetworkWatch?.();
    this.stopNetworkWatch = undefined;
    const strophe = this.strophe;
    if (!strophe || this.state !== 'resuming') return;
    // navigator.onLine is not consulted: it reports false on hosts whose only route is loopback or a VPN,
    // and an attempt while really offline fails fast anyway.
    const sm = streamManagementOf(strophe);
    const previd = sm?.hasResumableState() ? sm.state.id : undefined;
    // A new Strophe connection per attempt: a reused one can keep requests of the dead BOSH session queued
    // ahead of the new ones. XEP-0198 state lives in our storage, so a websocket resume still finds it.
    strophe.reset();
    abortBoshRequests(strophe);
    this.strophe = this.createStrophe(previd || undefined);
    this.startStream();
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopNetworkWatch?.();
    this.stopNetworkWatch = undefined;
    this.clearAttemptWatchdog();
  }

  /** Ping threshold reached: drop the transport so the resume logic takes over. */
  private onLinkDead(): void {
    logger.warn('XMPP ping: the link is dead');
    this.dropLink(undefined);
  }

  private dropLink(delay: number | undefined): void {
    const strophe = this.strophe;
    if (!strophe || this.state !== 'connected') return;
    if (delay === 0) this.immediateReconnect = true;
    // _doDisconnect closes the transport without the closing handshake a dead link cannot complete.
    strophe._doDisconnect('link dead');
  }

  private onShardSeen(shard: string | null): void {
    const known = this.options.deploymentInfo?.shard;
    if (known && shard && shard !== known) {
      logger.warn('the deployment shard changed');
      this.clearReconnect();
      this.state = 'failed';
      const details = { ...this.failureDetails(), shard_changed: true };
      this.emit('failed', JitsiConnectionErrors.OTHER_ERROR, 'shard changed', undefined, details);
      this.strophe?._doDisconnect('shard changed');
    }
  }

  private dropOutbox(reason: string): void {
    for (const stanza of this.outbox.take()) if (stanza.localName === 'iq') this.router.reject(stanza, reason);
  }

  private flushOutbox(): void {
    const queued = this.outbox.take();
    for (const stanza of queued) this.strophe?.send(stanza);
  }

  private onServerInfo(info: ServerInfo): void {
    this.emit('serverInfo', info);
    if (info.shard || info.region) {
      this.emit('propertiesUpdated', {
        ...(info.region ? { region: info.region } : {}),
        ...(info.shard ? { shard: info.shard } : {}),
      });
    }
    if (info.displayNameRequired) this.emit('displayNameRequired');
  }
}
