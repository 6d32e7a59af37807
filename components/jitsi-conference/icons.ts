/**
 * Inline SVG icons (24x24, stroked with currentColor): no icon font, no emoji, so they render on any machine
 * and take the text colour of their control. Each is decorative (`aria-hidden`); the control carries the name.
 */
import { svg, type SVGTemplateResult, html, type TemplateResult } from 'lit';

const icon = (paths: SVGTemplateResult, extra = ''): TemplateResult =>
  html`<svg class=${`icon ${extra}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

const slash = svg`<path d="M3 3l18 18" />`;
const micShape = svg`<rect x="9" y="3" width="6" height="11" rx="3" /><path d="M5 11a7 7 0 0 0 14 0M12 18v3" />`;
const camShape = svg`<rect x="3" y="6" width="12" height="12" rx="2" /><path d="M15 10l6-3v10l-6-3" />`;

export const icons = {
  microphone: icon(micShape),
  microphoneOff: icon(svg`${micShape}${slash}`),
  camera: icon(camShape),
  cameraOff: icon(svg`${camShape}${slash}`),
  screen: icon(svg`<rect x="3" y="4" width="18" height="12" rx="2" /><path d="M8 20h8M12 16v4M9 10l3-3 3 3M12 7v6" />`),
  chat: icon(svg`<path d="M4 5h16v11H9l-5 4z" />`),
  record: icon(svg`<circle cx="12" cy="12" r="8" /><circle cx="12" cy="12" r="3" fill="currentColor" />`),
  participants: icon(svg`<circle cx="9" cy="8" r="3.2" /><path d="M3 19c.6-3.4 3-5 6-5s5.4 1.6 6 5" /><circle cx="17" cy="9" r="2.4" /><path d="M16.5 14c2.4.2 4 1.6 4.5 4" />`),
  hand: icon(svg`<path d="M8 13V5.5a1.5 1.5 0 0 1 3 0V12M11 11V4.5a1.5 1.5 0 0 1 3 0V12M14 11V5.5a1.5 1.5 0 0 1 3 0V14c0 4-2.5 7-6 7-2.5 0-4-1.2-5.3-3.3L3.5 14a1.5 1.5 0 0 1 2.5-1.6L8 15" />`),
  reactions: icon(svg`<circle cx="12" cy="12" r="9" /><path d="M8.5 14.5c1.8 2 5.2 2 7 0" /><path d="M9 9.5h.01M15 9.5h.01" stroke-width="2.6" />`),
  tileView: icon(svg`<rect x="3" y="3" width="8" height="8" rx="1.5" /><rect x="13" y="3" width="8" height="8" rx="1.5" /><rect x="3" y="13" width="8" height="8" rx="1.5" /><rect x="13" y="13" width="8" height="8" rx="1.5" />`),
  speakerView: icon(svg`<rect x="3" y="3" width="18" height="12" rx="1.5" /><rect x="3" y="17" width="5" height="4" rx="1" /><rect x="9.5" y="17" width="5" height="4" rx="1" /><rect x="16" y="17" width="5" height="4" rx="1" />`),
  devices: icon(svg`<circle cx="12" cy="12" r="3" /><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1" />`),
  leave: icon(svg`<path d="M3.5 14.5c5-4.7 12-4.7 17 0l-2 2.5-3.5-1.5v-2.5a10 10 0 0 0-6 0v2.5L5.5 17z" />`),
  lock: icon(svg`<rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V8a4 4 0 0 1 8 0v3" />`),
  keyboard: icon(svg`<rect x="2" y="6" width="20" height="12" rx="2" /><path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10" />`),
  close: icon(svg`<path d="M6 6l12 12M18 6L6 18" />`),
  previous: icon(svg`<path d="M15 5l-7 7 7 7" />`),
  next: icon(svg`<path d="M9 5l7 7-7 7" />`),
  moderator: icon(svg`<path d="M12 3l2.6 5.6 6 .7-4.5 4.1 1.2 6L12 16.5 6.7 19.4l1.2-6L3.4 9.3l6-.7z" />`),
  kick: icon(svg`<circle cx="10" cy="8" r="3.5" /><path d="M3 20c.7-3.8 3.5-5.5 7-5.5 1.6 0 3 .3 4.2 1M16 15l5 5M21 15l-5 5" />`),
  retry: icon(svg`<path d="M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5" />`),
} as const;

/** Meeting reactions (protocol.md 13.7): the keys lib-jitsi-meet's apps send, each drawn as a small face or sign. */
export const REACTIONS = ['like', 'love', 'clap', 'laugh', 'surprised', 'boo', 'silence'] as const;
export type Reaction = (typeof REACTIONS)[number];

const face = (mouth: SVGTemplateResult, eyes = svg`<path d="M9 9.5h.01M15 9.5h.01" stroke-width="2.6" />`): TemplateResult =>
  icon(svg`<circle cx="12" cy="12" r="9" />${eyes}${mouth}`, 'reaction');

export const reactionIcons: Record<Reaction, TemplateResult> = {
  like: icon(svg`<path d="M7 10v10H4V10zM7 10l4-7c1.5 0 2.5 1 2.2 2.6L12.5 9H19a2 2 0 0 1 2 2.3l-1.2 6.5A2.5 2.5 0 0 1 17.3 20H7" />`, 'reaction'),
  love: icon(svg`<path d="M12 20s-7.5-4.6-8.8-9.4C2.3 7 4.6 4.5 7.4 4.5c2 0 3.4 1.2 4.6 2.8 1.2-1.6 2.6-2.8 4.6-2.8 2.8 0 5.1 2.5 4.2 6.1C19.5 15.4 12 20 12 20z" />`, 'reaction'),
  clap: icon(svg`<path d="M9 11l-2.5-4.3a1.3 1.3 0 0 1 2.2-1.3L12 11M11 7.5l-.8-1.4a1.3 1.3 0 0 1 2.2-1.3l3.6 6.2c1.9 3.2 1 6.6-1.8 8.2-2.6 1.5-5.6.8-7.3-2L4.6 11a1.3 1.3 0 0 1 2.2-1.3L9 13.4M17 3l.6-1.5M19.5 5.5L21 5M20 8.5l1.5.3" />`, 'reaction'),
  laugh: face(svg`<path d="M7.5 13h9a4.5 4.5 0 0 1-9 0z" />`, svg`<path d="M8 10l1.5-1 1.5 1M13 10l1.5-1 1.5 1" />`),
  surprised: face(svg`<circle cx="12" cy="15.5" r="2" />`),
  boo: face(svg`<path d="M8.5 16.5c1.8-2 5.2-2 7 0" />`, svg`<path d="M8 9l2 1M16 9l-2 1" />`),
  silence: face(svg`<path d="M9 15.5h6" /><path d="M12 12.5v6" />`),
};
