/**
 * Room metadata (protocol.md 13.8, 4.13, 2.6): lib-jitsi-meet's `conference.getMetadataHandler()`. The
 * room-metadata component pushes the room's whole map before our self-presence and again on every change;
 * the first push also carries `services`, the deployment's STUN/TURN list, which replaces XEP-0215 discovery
 * whenever the component is announced. `startMuted` in it is the room's start-muted policy.
 */
import { $build } from 'strophe.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import { getLogger } from '../../util/logger.js';
import type { ExternalService } from '../../xmpp/externalServices.js';
import { NS } from '../../xmpp/namespaces.js';
import type { ConferenceEmit } from '../host.js';
import type { ComponentChannel } from './ComponentChannel.js';

const logger = getLogger('conference/features/RoomMetadata');

export type RoomMetadata = Record<string, unknown>;

export interface RoomMetadataHost {
  readonly components: ComponentChannel;
  readonly roomJid: string;
  isJoined(): boolean;
  isModerator(): boolean;
  emit: ConferenceEmit;
  /** The policy in `startMuted` (RoomController.onStartMutedPolicy). */
  startMutedPolicy(policy: { audio: boolean; video: boolean }): void;
  /** The STUN/TURN services of the first push (ServerDiscovery.useServices). */
  services(services: ExternalService[]): void;
  /** `recording.isTranscribingEnabled` changed (P2P is off while it is true). */
  transcribingChanged(): void;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Structural equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/** `metadata.services` entries -> ExternalService (protocol.md 2.6); entries without type or host are skipped. */
export function parseMetadataServices(value: unknown): ExternalService[] {
  if (!Array.isArray(value)) return [];
  const out: ExternalService[] = [];
  for (const entry of value) {
    if (!isObject(entry) || typeof entry.type !== 'string' || typeof entry.host !== 'string' || !entry.host) continue;
    const port = Number(entry.port);
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    out.push({
      type: entry.type,
      host: entry.host,
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
      transport: text(entry.transport),
      username: text(entry.username),
      password: text(entry.password),
      expires: text(entry.expires),
      restricted: entry.restricted === true,
    });
  }
  return out;
}

export class RoomMetadataHandler {
  private metadata: RoomMetadata = {};
  private readonly unsubscribe: () => void;

  constructor(private readonly host: RoomMetadataHost) {
    this.unsubscribe = host.components.on('room_metadata', (payload, _from, stanza) => this.onPush(payload, stanza));
  }

  /** Whether the deployment announced a room-metadata component. */
  isSupported(): boolean {
    return this.host.components.isSupported('room_metadata');
  }

  /** The room_metadata component's address, when the deployment has one (protocol.md 2.3). */
  getComponentAddress(): string | undefined {
    return this.host.components.address('room_metadata');
  }

  /** Whether the metadata says transcription is on (`recording.isTranscribingEnabled`). */
  isTranscribing(): boolean {
    const recording = this.metadata.recording;
    return isObject(recording) && recording.isTranscribingEnabled === true;
  }

  /** The last map the component sent (a copy). */
  getMetadata(): RoomMetadata {
    return structuredClone(this.metadata);
  }

  /**
   * Asks the component to set `key` to `data` (moderators; protocol.md 13.8 (b)). The component refuses
   * silently, so, as lib-jitsi-meet, a call that cannot succeed is only logged: not supported, not joined, not
   * a moderator. The change comes back as METADATA_UPDATED.
   */
  setMetadata(key: string, data: unknown): void {
    if (!this.isSupported() || !this.host.isJoined()) {
      logger.error(`Cannot set room metadata - supported:${this.isSupported()}, joined:${this.host.isJoined()}`);
      return;
    }
    if (!this.host.isModerator()) {
      logger.error('Cannot set room metadata: only moderators can');
      return;
    }
    let text: string;
    try {
      text = JSON.stringify({ key, data, type: 'room_metadata' });
    } catch (error) {
      logger.error('Cannot set room metadata: data is not JSON', (error as Error).message);
      return;
    }
    this.host.components.send('room_metadata', (message) => {
      message.cnode($build('room_metadata', { xmlns: NS.JITMEET, room: this.host.roomJid }).t(text).tree());
    });
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onPush(payload: Record<string, unknown>, stanza: Element): void {
    const json = Array.from(stanza.children).find((c) => c.localName === 'json-message');
    const room = json?.getAttribute('room');
    if (room && room.toLowerCase() !== this.host.roomJid) return;
    const metadata = payload.metadata;
    if (!isObject(metadata)) return;
    if (metadata.services !== undefined) this.host.services(parseMetadataServices(metadata.services));
    if (jsonEqual(metadata, this.metadata)) return;
    const before = this.metadata;
    const wasTranscribing = this.isTranscribing();
    this.metadata = metadata;
    const startMuted = metadata.startMuted;
    if (isObject(startMuted) && !jsonEqual(startMuted, before.startMuted)) {
      this.host.startMutedPolicy({ audio: startMuted.audio === true, video: startMuted.video === true });
    }
    this.host.emit(E.METADATA_UPDATED, structuredClone(metadata));
    if (this.isTranscribing() !== wasTranscribing) this.host.transcribingChanged();
  }
}
