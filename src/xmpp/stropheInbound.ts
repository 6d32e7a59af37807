/**
 * Strophe's inbound path, made cheaper per stanza for large rooms (issue 15), without changing the order of
 * anything. Handlers get DOM elements as before, except the room's presence handler, which asked for presences
 * as plain objects when nobody else wants them (StanzaRouter.dispatchLightPresence).
 */
import type { SMState, SMStorageBackend, Strophe } from 'strophe.js';
import { nextTask } from '../util/nextTask.js';

type StropheConnection = InstanceType<typeof Strophe.Connection>;

const SM = 'urn:xmpp:sm:3';

interface StropheHandler {
  ns: string | null;
  namespaceMatch(elem: Element): boolean;
}

interface StropheStreamManagement {
  _registerSMHandlers(): void;
  _smHandlers: StropheHandler[];
}

/**
 * Strophe matches a handler's namespace against every descendant of every stanza, and its XEP-0198 handlers
 * (`<r/>`, `<a/>`, `<enabled/>`, `<resumed/>`, `<failed/>`: nonzas that carry the namespace themselves) ask
 * for one: five walks of each presence's whole tree. Those five look at the element itself.
 */
function shallowStreamManagementHandlers(strophe: StropheConnection): void {
  const connection = strophe as unknown as StropheStreamManagement;
  if (typeof connection._registerSMHandlers !== 'function') return;
  const register = connection._registerSMHandlers.bind(strophe);
  connection._registerSMHandlers = (): void => {
    register();
    for (const handler of connection._smHandlers ?? []) {
      if (handler.ns !== SM) continue;
      handler.namespaceMatch = (elem: Element): boolean => elem.namespaceURI === SM || elem.getAttribute('xmlns') === SM;
    }
  };
}

interface StropheWebsocket {
  _onMessage(message: { data: unknown }): void;
  _onClose(event: unknown): void;
  _onError(event: unknown): void;
}

/** Frames closer together than this are a burst (a large room's presences arrive back to back). */
const BURST_MS = 2;

interface StropheInboundState {
  authenticated: boolean;
  disconnecting: boolean;
  sm?: { onInboundStanza(name: string): void };
}

/** Presence frames the router may take without a document (StanzaRouter.dispatchLightPresence). */
interface LightDelivery {
  deliver(frame: string): boolean;
  record(frame: string): void;
}

/** A frame that may share one parse with its neighbours: a stanza, not a stream open, close or error. */
const isStanzaFrame = (data: unknown): data is string =>
  typeof data === 'string' && (data.startsWith('<presence') || data.startsWith('<message') || data.startsWith('<iq'));

/**
 * Strophe parses every websocket frame on its own (a new DOMParser and document each), though its frame handler
 * already takes a `<wrapper>` of several stanzas and hands them on one by one, in order. Stanza frames that
 * arrive while earlier ones wait are parsed together, once the frames queued before them are in: a large room's
 * presences cost one parse per burst instead of one each. Any other frame, a close or an error first delivers
 * what waits, so the order never changes. `onBatch` sees the frames of a batch before Strophe's raw input hook
 * sees them joined.
 */
function batchWebsocketFrames(strophe: StropheConnection, onBatch: (frames: readonly string[], joined: string) => void, light?: LightDelivery): void {
  const proto = (strophe as unknown as { _proto: StropheWebsocket })._proto;
  if (typeof proto?._onMessage !== 'function' || typeof proto._onClose !== 'function') return;
  const connection = strophe as unknown as StropheInboundState;
  const onMessage = proto._onMessage.bind(proto);
  const onClose = proto._onClose.bind(proto);
  const onError = proto._onError.bind(proto);
  let waiting: string[] = [];
  const parse = (frames: string[]): void => {
    if (frames.length === 0) return;
    const data = frames.join('');
    onBatch(frames, data);
    onMessage({ data });
  };
  const flush = (): void => {
    if (waiting.length === 0) return;
    const frames = waiting;
    waiting = [];
    if (!light) return parse(frames);
    // Presences the router delivers without a document go in their place between the parsed runs.
    let run: string[] = [];
    for (const frame of frames) {
      if (frame.startsWith('<presence') && connection.authenticated && !connection.disconnecting) {
        parse(run);
        run = [];
        if (light.deliver(frame)) {
          light.record(frame);
          connection.sm?.onInboundStanza('presence');
          continue;
        }
      }
      run.push(frame);
    }
    parse(run);
  };
  let lastFrameAt = -Infinity;
  proto._onMessage = (message): void => {
    if (!isStanzaFrame(message.data)) {
      flush();
      onMessage(message);
      return;
    }
    // A frame on its own (none in the last BURST_MS) goes through at once; the frames of a burst wait for each other.
    const now = performance.now();
    const alone = now - lastFrameAt > BURST_MS && waiting.length === 0;
    lastFrameAt = now;
    waiting.push(message.data);
    if (alone) flush();
    else if (waiting.length === 1) nextTask(flush);
  };
  proto._onClose = (event): void => {
    flush();
    onClose(event);
  };
  proto._onError = (event): void => {
    flush();
    onError(event);
  };
}

/**
 * Installs both on a new Strophe connection; `record` gets every inbound frame once (Strophe's raw input hook,
 * with a batch's frames one by one).
 */
export function cheaperInbound(strophe: StropheConnection, websocket: boolean, record: (data: string) => void, deliverLight?: (frame: string) => boolean): void {
  shallowStreamManagementHandlers(strophe);
  let batch: string | undefined;
  if (websocket) {
    const onBatch = (frames: readonly string[], joined: string): void => {
      for (const frame of frames) record(frame);
      batch = joined;
    };
    batchWebsocketFrames(strophe, onBatch, deliverLight ? { deliver: deliverLight, record } : undefined);
  }
  strophe.rawInput = (data: string): void => {
    if (data === batch) batch = undefined;
    else record(data);
  };
}

/**
 * Strophe's XEP-0198 state goes to storage after every inbound stanza, serialized each time (JSON of the counters
 * and the unacknowledged queue). Strophe persists after every change it makes to that state and replaces the
 * object when it starts over, so holding the latest object is the same as holding its last snapshot; it is
 * copied when read, by the connection that resumes it.
 */
export class LiveStreamStorage implements SMStorageBackend {
  private readonly states = new Map<string, SMState>();

  save(key: string, state: SMState): void {
    this.states.set(key, state);
  }

  load(key: string): SMState | null {
    const state = this.states.get(key);
    return state ? (JSON.parse(JSON.stringify(state)) as SMState) : null;
  }

  clear(key: string): void {
    this.states.delete(key);
  }
}
