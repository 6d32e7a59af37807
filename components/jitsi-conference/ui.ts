/** What the view modules of `<jitsi-conference>` need from the element: state, strings and actions. */
import type { StringKey } from '../base/localize.js';
import type { ConferenceSession } from './session.js';

export type Panel = 'chat' | 'participants' | 'devices' | 'help';
export type Layout = 'auto' | 'tile' | 'speaker';

export interface ConferenceUi {
  readonly session: ConferenceSession;
  readonly displayName: string;
  readonly room: string;
  /** Whether a join target is set (room and a deployment). */
  readonly canJoin: boolean;
  readonly panel: Panel | undefined;
  readonly layout: Layout;
  readonly page: number;
  readonly reactionsOpen: boolean;
  /** Attribute `recording`: the deployment records, so moderators get the recording button. */
  readonly recordingOffered: boolean;
  /** The measured size of the box the tiles are laid out in (tile view grid or speaker view), once known. */
  readonly stageSize: { width: number; height: number } | undefined;
  /** The language the strings are in. */
  readonly language: string;
  t(key: StringKey): string;
  f(key: StringKey, values: Record<string, string | number>): string;
  togglePanel(panel: Panel): void;
  setLayout(layout: Layout): void;
  setPage(page: number): void;
  toggleReactions(): void;
  toggleAudio(): Promise<void>;
  toggleVideo(): Promise<void>;
  toggleScreenShare(): Promise<void>;
  toggleHand(): void;
  leave(): Promise<void>;
  join(): Promise<void>;
  /** Sets the name typed in the pre-join step. */
  setDisplayName(name: string): void;
}
