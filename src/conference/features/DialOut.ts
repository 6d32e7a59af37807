/**
 * SIP dial-out through Jigasi (protocol.md 13.11) and the dial-in number and PIN (13.12), signalling only:
 * `<dial xmlns="urn:xmpp:rayo:1">` to the focus occupant, whose `<ref uri=>` names the call; hangup() sends
 * `<hangup/>` to that address. The gateway then joins the room as an ordinary occupant (USER_JOINED, its call
 * progress as USER_STATUS_CHANGED). `<call-control phone= pin=>` in any occupant's presence sets the number and
 * PIN (PHONE_NUMBER_CHANGED).
 */
import { $iq } from 'strophe.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import type { PresenceNode } from '../../xmpp/presence.js';
import { IqError } from '../../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';
import type { ConferenceEmit } from '../host.js';

const NS_RAYO = 'urn:xmpp:rayo:1';

/** A refused dial or hangup: the error condition of the focus's (or Prosody's) answer. */
export class DialError extends Error {
  override name = 'DialError';

  constructor(
    readonly error: string,
    options?: { cause?: unknown },
  ) {
    super(`dial refused: ${error}`, options);
  }
}

export interface DialOutHost {
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  isJoined(): boolean;
  focusNick(): string | undefined;
  /** The conference-request result's properties (sipGatewayEnabled). */
  conferenceProperties(): Record<string, string>;
  roomPassword(): string | undefined;
  emit: ConferenceEmit;
  addCommandListener(name: string, listener: (node: PresenceNode, nick: string) => void): void;
}

export class DialOut {
  private callResource: string | undefined;
  private phone: string | undefined;
  private pin: string | undefined;

  constructor(private readonly host: DialOutHost) {
    host.addCommandListener('call-control', (node) => {
      const phone = node.attributes.phone;
      const pin = node.attributes.pin;
      if (phone === this.phone && pin === this.pin) return;
      this.phone = phone;
      this.pin = pin;
      host.emit(E.PHONE_NUMBER_CHANGED);
    });
  }

  /** Whether the focus said a SIP gateway is configured (conference-request property sipGatewayEnabled). */
  isSIPCallingSupported(): boolean {
    return this.host.conferenceProperties().sipGatewayEnabled === 'true';
  }

  /** Dials `number` through the gateway; resolves once the focus accepted (the gateway joins afterwards). */
  async dial(number: string): Promise<void> {
    if (!this.host.isJoined()) throw new DialError('not-joined');
    const iq = $iq({ type: 'set', to: `${this.host.roomJid}/${this.host.focusNick() ?? 'focus'}` })
      .c('dial', { xmlns: NS_RAYO, to: number, from: 'fromnumber' })
      .c('header', { name: 'JvbRoomName', value: this.host.roomJid })
      .up();
    const password = this.host.roomPassword();
    if (password) iq.c('header', { name: 'JvbRoomPassword', value: password }).up();
    let result: Element;
    try {
      result = await this.host.xmpp.sendIQ(iq, 10_000);
    } catch (error) {
      throw new DialError(error instanceof IqError ? error.condition : 'error', { cause: error });
    }
    const uri = Array.from(result.children).find((c) => c.localName === 'ref')?.getAttribute('uri') ?? '';
    this.callResource = uri.replace(/^xmpp:/, '') || undefined;
  }

  /** Hangs up the call dial() started. */
  async hangup(): Promise<void> {
    const to = this.callResource;
    if (!to) throw new Error('No call in progress');
    try {
      await this.host.xmpp.sendIQ($iq({ type: 'set', to }).c('hangup', { xmlns: NS_RAYO }), 10_000);
      this.callResource = undefined;
    } catch (error) {
      throw new DialError(error instanceof IqError ? error.condition : 'error', { cause: error });
    }
  }

  /** The address of the running call (the gateway's nick is its local part), if any. */
  getCallResource(): string | undefined {
    return this.callResource;
  }

  getPhoneNumber(): string | undefined {
    return this.phone;
  }

  getPhonePin(): string | undefined {
    return this.pin;
  }
}
