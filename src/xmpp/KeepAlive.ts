/**
 * Keep-alives (protocol.md 2.4):
 * - XMPP ping to the domain every `interval` (10 s), `timeout` (5 s) each; after `threshold` (2) consecutive
 *   timeouts the link is declared dead. A tick is skipped when inbound data arrived since the previous one.
 * - For websocket only: an HTTP GET to the service URL (wss -> https) after 5 s, then every
 *   `websocketKeepAlive` ms plus 0-60 s jitter; `-1` disables it.
 */
import { getLogger } from '../util/logger.js';
import { IqError } from './StanzaRouter.js';

const logger = getLogger('xmpp/KeepAlive');

export interface PingOptions {
  interval?: number;
  timeout?: number;
  threshold?: number;
}

export const PING_DEFAULTS = { interval: 10_000, timeout: 5_000, threshold: 2 } as const;

export interface KeepAliveHost {
  /** Sends `<iq type="get" to=domain><ping xmlns="urn:xmpp:ping"/></iq>`; resolves on any reply. */
  ping(timeoutMs: number): Promise<unknown>;
  /** Milliseconds since the epoch of the last inbound data. */
  lastInbound(): number;
  /** Called once when `threshold` pings in a row got no answer. */
  onDead(): void;
}

export class PingKeepAlive {
  private timer: ReturnType<typeof setInterval> | undefined;
  private failures = 0;
  private inFlight = false;
  private lastTick = 0;
  private readonly interval: number;
  private readonly timeout: number;
  private readonly threshold: number;

  constructor(private readonly host: KeepAliveHost, options: PingOptions = {}) {
    this.interval = positive(options.interval, PING_DEFAULTS.interval);
    this.timeout = positive(options.timeout, PING_DEFAULTS.timeout);
    this.threshold = positive(options.threshold, PING_DEFAULTS.threshold);
  }

  start(): void {
    this.stop();
    this.failures = 0;
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), this.interval);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.inFlight = false;
  }

  private tick(): void {
    const since = this.lastTick;
    this.lastTick = Date.now();
    if (this.inFlight) return;
    if (this.host.lastInbound() > since) {
      this.failures = 0;
      return;
    }
    this.inFlight = true;
    this.host
      .ping(this.timeout)
      .then(() => {
        this.failures = 0;
      })
      .catch((error: unknown) => {
        // An error reply still proves the server is there; only silence counts.
        if (error instanceof IqError && error.stanza) {
          this.failures = 0;
          return;
        }
        this.failures++;
        logger.warn(`ping ${this.failures}/${this.threshold} got no answer`);
        if (this.failures >= this.threshold && this.timer !== undefined) {
          this.stop();
          this.host.onDead();
        }
      })
      .finally(() => {
        this.inFlight = false;
      });
  }
}

export class WebsocketKeepAlive {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | undefined;

  /** @param intervalMs `websocketKeepAlive`; -1 (or 0) disables. */
  constructor(
    private readonly url: () => string,
    private readonly intervalMs: number,
    private readonly onShard?: (shard: string | null) => void,
  ) {}

  get enabled(): boolean {
    return this.intervalMs > 0;
  }

  start(firstDelayMs = 5_000): void {
    this.stop();
    if (!this.enabled) return;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.controller = undefined;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      void this.fetchOnce().finally(() => {
        if (this.timer !== undefined) this.schedule(this.intervalMs + Math.random() * 60_000);
      });
    }, delay);
  }

  private async fetchOnce(): Promise<void> {
    this.controller = new AbortController();
    try {
      const response = await fetch(this.url(), { method: 'GET', cache: 'no-store', signal: this.controller.signal });
      this.onShard?.(response.headers.get('x-jitsi-shard'));
    } catch (error) {
      logger.debug('websocket keep-alive GET failed', (error as Error).message);
    }
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
