/**
 * Engine events as DOM events (issue 6): every JitsiConnectionEvents and JitsiConferenceEvents value is
 * re-dispatched by `<jitsi-conference>` under a name derived mechanically from its constant
 * (`CONFERENCE_JOINED` -> `jitsi-conference-joined`), bubbling and composed, with the engine's arguments in
 * `detail.args`. Internal constants (leading `_`) are not dispatched. One constant exists in both families
 * (`CONNECTION_ESTABLISHED`); both go out under its name and `detail.source` tells them apart.
 */
import type { ConferenceEventMap } from '../../src/conference/types.js';
import type { JitsiConnectionEventMap } from '../../src/connection/JitsiConnection.js';
import { JitsiConferenceEvents } from '../../src/events/JitsiConferenceEvents.js';
import { JitsiConnectionEvents } from '../../src/events/JitsiConnectionEvents.js';

type Kebab<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}-${Kebab<Tail>}` : Lowercase<S>;
type Public<K> = K extends `_${string}` ? never : K;

type ConnectionConstants = typeof JitsiConnectionEvents;
type ConferenceConstants = typeof JitsiConferenceEvents;

type ArgsOf<Map, Value> = Value extends keyof Map ? (Map[Value] extends (...args: infer A) => void ? A : unknown[]) : unknown[];

/** `detail` of a re-dispatched engine event. */
export interface EngineEventDetail<Args extends unknown[] = unknown[]> {
  /** Which engine object emitted it. */
  source: 'connection' | 'conference';
  /** The engine's event value, e.g. `conference.joined`. */
  event: string;
  /** The engine's listener arguments, unchanged. */
  args: Args;
}

export type JitsiEngineEventMap = {
  [K in keyof ConnectionConstants as `jitsi-${Kebab<K & string>}`]: CustomEvent<EngineEventDetail<ArgsOf<JitsiConnectionEventMap, ConnectionConstants[K]>>>;
} & {
  [K in keyof ConferenceConstants as Public<K> extends never ? never : `jitsi-${Kebab<K & string>}`]: CustomEvent<
    EngineEventDetail<ArgsOf<ConferenceEventMap, ConferenceConstants[K]>>
  >;
};

export type JitsiEngineEventName = keyof JitsiEngineEventMap;

/** `CONFERENCE_JOINED` -> `jitsi-conference-joined`. */
export const domEventName = (constant: string): string => `jitsi-${constant.toLowerCase().replaceAll('_', '-')}`;

const table = (constants: Record<string, string>): Map<string, string> =>
  new Map(Object.entries(constants).filter(([name]) => !name.startsWith('_')).map(([name, value]) => [value, domEventName(name)]));

/** Engine event value -> DOM event name, per family. */
export const CONNECTION_DOM_EVENTS: ReadonlyMap<string, string> = table(JitsiConnectionEvents);
export const CONFERENCE_DOM_EVENTS: ReadonlyMap<string, string> = table(JitsiConferenceEvents);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends JitsiEngineEventMap {}
}
