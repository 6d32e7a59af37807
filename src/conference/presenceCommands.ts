/**
 * Our own presence extensions (protocol.md 4.9, 4.10): commands (custom children, once or until removed),
 * their listeners, and `jitsi_participant_<key>` properties. Every change goes out with the next presence.
 */
import type { CommandListener, LocalPresence } from '../xmpp/ChatRoom.js';
import type { CommandValue } from '../xmpp/presence.js';

/** A participant property value; arrays travel as comma lists. */
export type PropertyValue = string | number | boolean | (string | number)[];

export class PresenceCommands {
  constructor(private readonly local: LocalPresence, private readonly update: () => void) {}

  sendCommand(name: string, values: CommandValue): void {
    this.local.commands.set(name, values);
    this.update();
  }

  /** In exactly one presence: dropped after the presence queued by sendCommand() went out. */
  sendCommandOnce(name: string, values: CommandValue): void {
    this.sendCommand(name, values);
    queueMicrotask(() => this.local.commands.delete(name));
  }

  removeCommand(name: string): void {
    this.local.commands.delete(name);
  }

  addCommandListener(name: string, listener: CommandListener): void {
    let set = this.local.commandListeners.get(name);
    if (!set) {
      set = new Set();
      this.local.commandListeners.set(name, set);
    }
    set.add(listener);
  }

  removeCommandListener(name: string, listener: CommandListener): void {
    this.local.commandListeners.get(name)?.delete(listener);
  }

  setProperties(entries: Iterable<[string, PropertyValue]>): void {
    for (const [name, value] of entries) this.local.properties.set(name, Array.isArray(value) ? value.join(',') : String(value));
    this.update();
  }

  removeProperty(name: string): void {
    if (this.local.properties.delete(name)) this.update();
  }
}
