import { getLogger } from './logger.js';

const logger = getLogger('util/EventEmitter');

/** Maps event names to listener signatures. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/**
 * A typed event emitter with lib-jitsi-meet's surface (`on`/`off`/`addEventListener`/`removeEventListener`).
 * A listener that throws is logged and does not stop the others or the engine.
 */
export class EventEmitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  on<K extends keyof Events>(event: K, listener: Events[K]): this {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  once<K extends keyof Events>(event: K, listener: Events[K]): this {
    const wrapper = ((...args: Parameters<Events[K]>) => {
      this.off(event, wrapper);
      (listener as (...a: Parameters<Events[K]>) => void)(...args);
    }) as Events[K];
    return this.on(event, wrapper);
  }

  addEventListener<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.on(event, listener);
  }

  removeEventListener<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.off(event, listener);
  }

  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (error) {
        logger.error(`listener for ${String(event)} threw`, error);
      }
    }
    return true;
  }
}
