/**
 * The entry for Jingle IQs from a room's occupants (protocol.md 5.1): every well-formed IQ is acked at once
 * with an empty result, then dispatched; malformed or unroutable ones get the error reply 5.1 prescribes and
 * change nothing (`bad-request` also for sources that cannot be read, such as a json-message that is not JSON).
 */
import { $iq } from 'strophe.js';
import { getLogger } from '../util/logger.js';
import { NS } from '../xmpp/namespaces.js';
import type { HandlerRef } from '../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../xmpp/XmppConnection.js';
import { JingleParseError, parseJingle } from './parseJingle.js';
import { appendReason, jingleIq } from './toJingle.js';

const logger = getLogger('jingle/JingleIqHandler');

const ACTIONS = new Set([
  'session-initiate',
  'session-accept',
  'session-terminate',
  'session-info',
  'transport-info',
  'transport-replace',
  'transport-accept',
  'transport-reject',
  'source-add',
  'source-remove',
  'content-modify',
  'content-add',
  'content-remove',
  'content-accept',
  'content-reject',
  'description-info',
]);

/** Actions whose sources are read: a description that cannot be read at all is refused instead of acked. */
const SOURCE_CARRIERS = new Set(['session-initiate', 'session-accept', 'source-add', 'source-remove']);

export interface IncomingJingle {
  action: string;
  sid: string;
  /** The sender's occupant JID. */
  from: string;
  /** The sender's nick (the resource of `from`). */
  nick: string;
  jingle: Element;
}

export interface JingleIqHandlerOptions {
  roomJid: string;
  /** Is `sid` a session we run? */
  hasSession(sid: string): boolean;
  /** A new session offer; called after the ack. */
  onSessionInitiate(jingle: IncomingJingle): void;
  /** Any other action for a known session; called after the ack. */
  onAction(jingle: IncomingJingle): void;
}

export class JingleIqHandler {
  private readonly handler: HandlerRef;

  constructor(private readonly xmpp: XmppConnection, private readonly options: JingleIqHandlerOptions) {
    this.handler = xmpp.addHandler((iq) => this.onIq(iq), { name: 'iq', type: 'set', ns: NS.JINGLE, from: options.roomJid, options: { matchBareFromJid: true } });
  }

  dispose(): void {
    this.xmpp.deleteHandler(this.handler);
  }

  /** session-terminate for a session we do not run (decline, busy): no state involved. */
  refuse(incoming: IncomingJingle, reason: string, text: string): void {
    const iq = jingleIq(incoming.from, 'session-terminate', { sid: incoming.sid, initiator: incoming.jingle.getAttribute('initiator') ?? incoming.from });
    appendReason(iq, reason, text);
    this.xmpp.sendIQ(iq).catch(() => undefined);
  }

  private onIq(iq: Element): boolean {
    const jingle = Array.from(iq.children).find((c) => c.localName === 'jingle' && c.namespaceURI === NS.JINGLE);
    const from = iq.getAttribute('from') ?? '';
    const slash = from.indexOf('/');
    const action = jingle?.getAttribute('action') ?? '';
    const sid = jingle?.getAttribute('sid') ?? '';
    if (!jingle || slash === -1 || !sid || !ACTIONS.has(action)) {
      this.replyError(iq, 'modify', 'bad-request');
      return true;
    }
    const incoming: IncomingJingle = { action, sid, from, nick: from.slice(slash + 1), jingle };
    const known = this.options.hasSession(sid);
    if (action === 'session-initiate' && known) {
      this.replyError(iq, 'cancel', 'service-unavailable');
      return true;
    }
    if (action !== 'session-initiate' && !known) {
      this.replyError(iq, 'cancel', 'item-not-found', 'unknown-session');
      return true;
    }
    if (SOURCE_CARRIERS.has(action)) {
      try {
        parseJingle(jingle);
      } catch (error) {
        if (!(error instanceof JingleParseError)) throw error;
        logger.warn(`${action} from ${incoming.nick} refused: ${error.message}`);
        this.replyError(iq, 'modify', 'bad-request');
        return true;
      }
    }
    this.xmpp.send($iq({ type: 'result', to: from, id: iq.getAttribute('id') ?? '' }));
    try {
      if (action === 'session-initiate') this.options.onSessionInitiate(incoming);
      else this.options.onAction(incoming);
    } catch (error) {
      logger.error(`${action} from ${incoming.nick} failed`, error);
    }
    return true;
  }

  private replyError(iq: Element, type: string, condition: string, jingleCondition?: string): void {
    const reply = $iq({ type: 'error', to: iq.getAttribute('from') ?? '', id: iq.getAttribute('id') ?? '' })
      .c('error', { type })
      .c(condition, { xmlns: NS.STANZAS })
      .up();
    if (jingleCondition) reply.c(jingleCondition, { xmlns: 'urn:xmpp:jingle:errors:1' }).up();
    try {
      this.xmpp.send(reply);
    } catch (error) {
      logger.warn('Jingle error reply not sent', String(error));
    }
  }
}
