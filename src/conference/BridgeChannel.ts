/**
 * The bridge channel (protocol.md 8.1): Colibri JSON messages to and from the videobridge, over the SCTP data
 * channel of the bridge session or over the Colibri websocket of the offer. A websocket that closes abnormally
 * reconnects with a backoff of 1 s doubling to 60 s; messages sent while the channel is down are dropped, as
 * lib-jitsi-meet does, and the owner re-sends its state on `open`.
 */
import { EventEmitter } from '../util/EventEmitter.js';
import { getLogger } from '../util/logger.js';

const logger = getLogger('conference/BridgeChannel');

const BACKOFF_START_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;

export type ColibriMessage = { colibriClass?: string } & Record<string, unknown>;

export interface BridgeChannelEvents {
  [event: string]: (...args: never[]) => void;
  open(): void;
  message(message: ColibriMessage): void;
  /** The channel is down: closed for good (`final`), or a websocket waiting to reconnect. */
  closed(final: boolean): void;
}

export class BridgeChannel extends EventEmitter<BridgeChannelEvents> {
  readonly mode: 'datachannel' | 'websocket';
  private socket: WebSocket | undefined;
  private channel: RTCDataChannel | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private backoff = BACKOFF_START_MS;
  private disposed = false;
  private url = '';

  constructor(target: { dataChannel: RTCDataChannel } | { url: string }) {
    super();
    if ('dataChannel' in target) {
      this.mode = 'datachannel';
      this.channel = target.dataChannel;
      this.channel.addEventListener('open', () => this.emit('open'));
      this.channel.addEventListener('message', (event) => this.onData(event.data));
      this.channel.addEventListener('close', () => !this.disposed && this.emit('closed', true));
    } else {
      this.mode = 'websocket';
      this.url = target.url;
      this.connect();
    }
  }

  isOpen(): boolean {
    return this.mode === 'datachannel' ? this.channel?.readyState === 'open' : this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a message if the channel is open; false when it is not. */
  send(message: ColibriMessage): boolean {
    if (this.disposed || !this.isOpen()) return false;
    const text = JSON.stringify(message);
    try {
      if (this.mode === 'datachannel') this.channel?.send(text);
      else this.socket?.send(text);
      return true;
    } catch (error) {
      logger.warn('bridge channel send failed', String(error));
      return false;
    }
  }

  /** Closes for good, without reconnecting. */
  close(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000);
    this.socket = undefined;
    this.removeAllListeners();
  }

  private connect(): void {
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      logger.warn('bridge websocket URL refused', String(error));
      this.emit('closed', true);
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.backoff = BACKOFF_START_MS;
      this.emit('open');
    });
    socket.addEventListener('message', (event) => this.onData(event.data));
    socket.addEventListener('close', (event) => {
      if (this.disposed || this.socket !== socket) return;
      this.socket = undefined;
      if (event.code === 1000) {
        this.emit('closed', true);
        return;
      }
      logger.info(`bridge websocket closed (${event.code}); reconnecting in ${this.backoff} ms`);
      this.emit('closed', false);
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    });
  }

  private onData(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      logger.warn('bridge channel: a message that is not JSON was ignored');
      return;
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      logger.warn('bridge channel: a message that is not an object was ignored');
      return;
    }
    this.emit('message', message as ColibriMessage);
  }
}
