/**
 * A member's `SourceInfo` presence extension (protocol.md 4.3, 6) -> validated mute state and video type per
 * source. Pure. SourceInfo comes from any occupant, so nothing in it is trusted: the room parses it once per
 * change of the raw text (not on every read), and what comes out has a bounded size and only the shapes the
 * media layer expects.
 *
 * Rules:
 * - raw text longer than MAX_SOURCE_INFO_CHARS is ignored entirely, as if the member had announced nothing
 *   (every source of it counts as muted). An honest SourceInfo is a few hundred characters; truncating JSON
 *   would still need a parse and could turn "muted" entries into missing ones, so there is nothing to keep.
 * - text that is not a JSON object is ignored entirely (as before).
 * - an entry is kept only when its name is `<sender nick>-…` (protocol.md 6: a member announces only its own
 *   sources), at most MAX_SOURCE_NAME_CHARS long, and its value is an object whose `muted`, when present, is a
 *   boolean. A bad entry is dropped alone: its source counts as muted, as an unannounced one does.
 * - a `videoType` that is not a string is dropped (the source is a camera, as with any unknown video type);
 *   a string starting with `desktop` means a screen share.
 * - at most MAX_SOURCE_INFO_ENTRIES entries are kept; later ones are dropped.
 */

/** One source's state as the media layer reads it. `videoType` is absent when the sender omitted it. */
export interface SourceState {
  readonly muted: boolean;
  readonly videoType?: 'camera' | 'desktop';
}

export type SourceInfo = Readonly<Record<string, SourceState>>;

/** Raw SourceInfo above this size is ignored (the bench's 100 KB SourceInfo member is). */
export const MAX_SOURCE_INFO_CHARS = 16 * 1024;
/** An endpoint sends a microphone, a camera and a screen share; a few more leave room for future clients. */
export const MAX_SOURCE_INFO_ENTRIES = 32;
/** `<endpoint id>-<a|v><index>`; endpoint ids are short (protocol.md 4.1). */
export const MAX_SOURCE_NAME_CHARS = 128;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The raw SourceInfo text the room keeps for change detection: oversized text becomes '' (which parses to
 * nothing, like an empty element), so a flood of different oversized presences is no change at all.
 */
export function boundedSourceInfo(raw: string): string {
  return raw.length > MAX_SOURCE_INFO_CHARS ? '' : raw;
}

/** Validated SourceInfo of member `nick`, or undefined when there is nothing usable (see the rules above). */
export function parseSourceInfo(raw: string | undefined, nick: string): SourceInfo | undefined {
  if (!raw || raw.length > MAX_SOURCE_INFO_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const prefix = `${nick}-`;
  const entries: [string, SourceState][] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (entries.length === MAX_SOURCE_INFO_ENTRIES) break;
    if (!name.startsWith(prefix) || name.length > MAX_SOURCE_NAME_CHARS || !isPlainObject(value)) continue;
    const { muted, videoType } = value;
    if (muted !== undefined && typeof muted !== 'boolean') continue;
    const state: SourceState = {
      // protocol.md 6: only an explicit `false` is unmuted.
      muted: muted !== false,
      ...(typeof videoType === 'string' ? { videoType: videoType.startsWith('desktop') ? 'desktop' : 'camera' } : {}),
    };
    entries.push([name, Object.freeze(state)]);
  }
  return Object.freeze(Object.fromEntries(entries));
}
