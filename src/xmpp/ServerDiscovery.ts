/**
 * What the deployment tells a client about itself (protocol.md 2.3, 2.6): server information pushed right
 * after bind ("jiconop") or asked with disco#info, and XEP-0215 STUN/TURN services (extdisco v2, then v1),
 * skipped when a room_metadata component delivers them with the room metadata instead.
 */
import { $iq } from 'strophe.js';
import { getLogger } from '../util/logger.js';
import { credentialsExpired, parseExternalServices, toIceServers, type ExternalService } from './externalServices.js';
import { NS } from './namespaces.js';
import { parseServerInfo, type ServerInfo } from './serverInfo.js';
import { firstChild, type StanzaRouter } from './StanzaRouter.js';

const logger = getLogger('xmpp/ServerDiscovery');

export interface DiscoveryHost {
  readonly router: StanzaRouter;
  sendIQ(stanza: Element | { tree(): Element }, timeoutMs?: number): Promise<Element>;
  isConnected(): boolean;
  onServerInfo(info: ServerInfo): void;
}

export class ServerDiscovery {
  serverInfo: ServerInfo | undefined;
  externalServices: ExternalService[] = [];
  iceServers: RTCIceServer[] = [];
  private pushed: ServerInfo | undefined;
  private refreshing: Promise<boolean> | undefined;

  constructor(private readonly host: DiscoveryHost, private readonly domain: string) {
    host.router.addHandler(
      (message) => {
        if (message.getAttribute('from') !== this.domain) return true;
        const query = firstChild(message, 'query', NS.DISCO_INFO);
        if (query) this.pushed = parseServerInfo(query);
        const services = firstChild(message, 'services', NS.EXTDISCO_2);
        if (services) this.useServices(parseExternalServices(services));
        return true;
      },
      { ns: NS.DISCO_INFO, name: 'message' },
    );
  }

  /** Runs after every new session (not after a resume: nothing changed). Never rejects. */
  async discover(): Promise<void> {
    let info = this.pushed;
    if (!info) {
      try {
        const result = await this.host.sendIQ($iq({ type: 'get', to: this.domain }).c('query', { xmlns: NS.DISCO_INFO }), 5_000);
        const query = firstChild(result, 'query', NS.DISCO_INFO);
        if (query) info = parseServerInfo(query);
      } catch (error) {
        if (this.host.isConnected()) logger.warn('server disco#info failed', (error as Error).message);
      }
    }
    if (info) {
      this.serverInfo = info;
      this.host.onServerInfo(info);
    }
    if (info?.components.room_metadata || !this.host.isConnected()) return;
    await this.queryServices();
  }

  /**
   * Credentials past their `expires` (time-limited TURN credentials) are asked for again with extdisco, so that
   * the next RTC configuration (a new session, an ICE restart) is built from valid ones. Resolves true when a
   * new list arrived; false when nothing had expired or the query failed. Never rejects. Also where the list
   * came with the room metadata (which is pushed once per join): the server still answers extdisco.
   */
  refreshIfExpired(nowMs = Date.now()): Promise<boolean> {
    if (!credentialsExpired(this.externalServices, nowMs) || !this.host.isConnected()) {
      return Promise.resolve(false);
    }
    logger.info('TURN credentials expired; asking the server for new ones');
    return (this.refreshing ??= this.queryServices().finally(() => {
      this.refreshing = undefined;
    }));
  }

  /** XEP-0215 extdisco v2, then v1. Resolves true when the server answered with a list. */
  private async queryServices(): Promise<boolean> {
    for (const ns of [NS.EXTDISCO_2, NS.EXTDISCO_1]) {
      try {
        const result = await this.host.sendIQ($iq({ type: 'get', to: this.domain }).c('services', { xmlns: ns }), 5_000);
        const services = firstChild(result, 'services', ns);
        if (services) this.useServices(parseExternalServices(services));
        return services !== null;
      } catch (error) {
        logger.debug(`extdisco ${ns} failed`, (error as Error).message);
        if (!this.host.isConnected()) return false;
      }
    }
    return false;
  }

  /** The STUN/TURN services, from XEP-0215 or the room metadata's `services` (protocol.md 2.6). */
  useServices(services: ExternalService[]): void {
    this.externalServices = services;
    this.iceServers = toIceServers(services);
  }
}
