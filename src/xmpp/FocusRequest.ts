/**
 * The conference request to the focus (protocol.md 3.1-3.2): sent until the focus answers `ready="true"`,
 * with lib-jitsi-meet's backoff for not-ready answers and invalid sessions, and a bounded number of
 * retries when the focus does not answer at all, so that a join always ends.
 */
import { $iq } from 'strophe.js';
import { getLogger } from '../util/logger.js';
import { NS } from './namespaces.js';
import { firstChild, IqError } from './StanzaRouter.js';

const logger = getLogger('xmpp/FocusRequest');

export interface FocusRequestOptions {
  focusAddress: string;
  roomJid: string;
  machineUid: string;
  token?: string | null;
  sessionId?: string | null;
  properties?: Record<string, string>;
  /** Per-attempt answer deadline (lib-jitsi-meet's IQ timeout: 10 s). */
  timeoutMs?: number;
  /** Attempts without any answer before giving up. */
  maxSilentAttempts?: number;
  /** Not-ready answers before giving up (the delay doubles from 1 s up to 120 s). */
  maxNotReady?: number;
}

export interface FocusResult {
  focusJid?: string;
  sessionId?: string;
  identity?: string;
  vnode?: string;
  properties: Record<string, string>;
}

export type FocusFailure =
  | { kind: 'reservation'; code?: string; text?: string }
  | { kind: 'not-authorized' }
  | { kind: 'no-answer' }
  | { kind: 'not-ready' }
  | { kind: 'cancelled' }
  | { kind: 'other'; condition: string; text?: string };

export class FocusRequestError extends Error {
  override name = 'FocusRequestError';
  constructor(readonly failure: FocusFailure) {
    super(`conference request failed: ${failure.kind}`);
  }
}

export interface FocusTransport {
  sendIQ(stanza: { tree(): Element }, timeoutMs: number): Promise<Element>;
}

export class FocusRequest {
  private cancelled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  sessionId: string | null;

  constructor(private readonly transport: FocusTransport, private readonly options: FocusRequestOptions) {
    this.sessionId = options.sessionId ?? null;
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
  }

  async run(): Promise<FocusResult> {
    let notReady = 0;
    let silent = 0;
    let sessionErrors = 0;
    for (;;) {
      if (this.cancelled) throw new FocusRequestError({ kind: 'cancelled' });
      try {
        const result = await this.transport.sendIQ(this.build(), this.options.timeoutMs ?? 10_000);
        const conference = firstChild(result, 'conference', NS.FOCUS);
        const parsed = this.parse(conference);
        if (conference?.getAttribute('ready') === 'true') return parsed;
        notReady++;
        if (notReady > (this.options.maxNotReady ?? 10)) throw new FocusRequestError({ kind: 'not-ready' });
        const delay = Math.min(1000 * 2 ** (notReady - 1), 120_000);
        logger.info(`focus not ready; asking again in ${delay} ms`);
        await this.sleep(delay);
      } catch (error) {
        if (error instanceof FocusRequestError) throw error;
        if (!(error instanceof IqError)) throw error;
        if (!error.stanza) {
          silent++;
          if (silent >= (this.options.maxSilentAttempts ?? 3)) throw new FocusRequestError({ kind: 'no-answer' });
          const delay = 1000 * 2 ** (silent - 1);
          logger.warn(`the focus did not answer; asking again in ${delay} ms`);
          await this.sleep(delay);
          continue;
        }
        const failure = this.classify(error);
        if (failure.kind === 'other' && (failure.condition === 'not-acceptable' || failure.condition === 'session-invalid')) {
          // protocol.md 3.2: forget the session and retry while the delay stays under 60 s.
          this.sessionId = null;
          const delay = 1000 * 2 ** sessionErrors++;
          if (delay >= 60_000) throw new FocusRequestError(failure);
          await this.sleep(delay);
          continue;
        }
        throw new FocusRequestError(failure);
      }
    }
  }

  private build(): { tree(): Element } {
    const { focusAddress, roomJid, machineUid, token, properties } = this.options;
    const iq = $iq({ type: 'set', to: focusAddress }).c('conference', {
      xmlns: NS.FOCUS,
      room: roomJid,
      'machine-uid': machineUid,
      ...(token ? { token } : {}),
      ...(this.sessionId ? { 'session-id': this.sessionId } : {}),
    });
    for (const [name, value] of Object.entries(properties ?? {})) iq.c('property', { name, value }).up();
    return iq;
  }

  private parse(conference: Element | null): FocusResult {
    const properties: Record<string, string> = {};
    for (const property of Array.from(conference?.children ?? [])) {
      if (property.localName !== 'property') continue;
      const name = property.getAttribute('name');
      if (name) properties[name] = property.getAttribute('value') ?? '';
    }
    const sessionId = conference?.getAttribute('session-id') ?? undefined;
    if (sessionId) this.sessionId = sessionId;
    return {
      focusJid: conference?.getAttribute('focusjid') ?? undefined,
      sessionId,
      identity: conference?.getAttribute('identity') ?? undefined,
      vnode: conference?.getAttribute('vnode') ?? undefined,
      properties,
    };
  }

  private classify(error: IqError): FocusFailure {
    const errorElement = error.stanza ? firstChild(error.stanza, 'error') : null;
    const reservation = errorElement ? firstChild(errorElement, 'reservation-error', NS.FOCUS) : null;
    if (reservation) {
      const text = errorElement ? firstChild(errorElement, 'text')?.textContent ?? undefined : undefined;
      return { kind: 'reservation', code: reservation.getAttribute('error-code') ?? undefined, text };
    }
    if (errorElement && firstChild(errorElement, 'session-invalid', NS.FOCUS)) return { kind: 'other', condition: 'session-invalid' };
    if (error.condition === 'not-authorized') return { kind: 'not-authorized' };
    const text = errorElement ? firstChild(errorElement, 'text')?.textContent ?? undefined : undefined;
    return { kind: 'other', condition: error.condition, text };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
