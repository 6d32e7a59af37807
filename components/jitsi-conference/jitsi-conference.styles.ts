import { css } from 'lit';

/*
 * Every text sits on a surface it is paired with through tokens: text on background/surface, control-text on
 * control, on-accent on accent, on-danger on danger, on-badge on badge (names over video), field-text on field.
 * A theme that sets a surface sets its pair, and stays readable.
 */
export const styles = css`
  :host {
    --_bg: var(--jitsi-color-background, #111827);
    --_surface: var(--jitsi-color-surface, #1f2937);
    --_text: var(--jitsi-color-text, #f9fafb);
    --_muted: var(--jitsi-color-text-muted, #cbd5e1);
    --_control: var(--jitsi-color-control, #374151);
    --_control-text: var(--jitsi-color-control-text, #f9fafb);
    --_border: var(--jitsi-color-border, #4b5563);
    --_field: var(--jitsi-color-field, #111827);
    --_field-text: var(--jitsi-color-field-text, #f9fafb);
    --_accent: var(--jitsi-color-accent, #2563eb);
    --_on-accent: var(--jitsi-color-on-accent, #ffffff);
    --_danger: var(--jitsi-color-danger, #dc2626);
    --_on-danger: var(--jitsi-color-on-danger, #ffffff);
    --_badge: var(--jitsi-color-badge, rgb(0 0 0 / 0.7));
    --_on-badge: var(--jitsi-color-on-badge, #ffffff);
    --_radius: var(--jitsi-radius, 0.75rem);
    --_gap: var(--jitsi-spacing, 0.5rem);
    display: block;
    position: relative;
    /*
     * The width of its place (an explicit width is needed: with a height set, aspect-ratio would otherwise derive
     * the width from it); with no height given, a 16:9 box, never too small for the pre-join step.
     */
    width: 100%;
    box-sizing: border-box;
    aspect-ratio: 16 / 9;
    min-height: 26rem;
    color: var(--_text);
    background: var(--_bg);
    font-family: var(--jitsi-font, system-ui, sans-serif);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  /* The device pickers inside follow the same tokens. */
  jitsi-device-picker {
    --jitsi-color-field: var(--_field);
    --jitsi-color-field-text: var(--_field-text);
    --jitsi-color-text: var(--_text);
    --jitsi-color-border: var(--_border);
    --jitsi-color-accent: var(--_accent);
  }
  :host([hidden]) {
    display: none;
  }
  :host([headless]) {
    aspect-ratio: auto;
    min-height: 0;
    background: none;
    color: inherit;
    overflow: visible;
  }
  .base {
    position: relative;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    padding: var(--_gap);
    height: 100%;
    box-sizing: border-box;
    container-type: inline-size;
    outline: none;
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .icon {
    width: 1.25rem;
    height: 1.25rem;
    flex: none;
  }
  .muted-text {
    color: var(--_muted);
  }
  .small {
    font-size: 0.85rem;
  }

  /* ---- controls ---- */
  button.control {
    font: inherit;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4rem;
    min-height: 2.75rem;
    min-width: 2.75rem;
    padding: 0.45rem 0.8rem;
    color: var(--_control-text);
    background: var(--_control);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
    position: relative;
  }
  button.control.round {
    padding: 0.45rem;
    border-radius: 999px;
  }
  button.control.small {
    min-height: 2rem;
    min-width: 2rem;
    padding: 0.25rem;
  }
  button.control.small .icon {
    width: 1rem;
    height: 1rem;
  }
  button.control[aria-pressed='true'],
  button.control.primary {
    color: var(--_on-accent);
    background: var(--_accent);
    border-color: var(--_accent);
  }
  button.control-leave,
  button.control.danger {
    color: var(--_on-danger);
    background: var(--_danger);
    border-color: var(--_danger);
  }
  button.control:disabled {
    opacity: 0.55;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  [tabindex='0']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .badge {
    position: absolute;
    top: -0.35rem;
    right: -0.35rem;
    min-width: 1.2rem;
    height: 1.2rem;
    padding: 0 0.25rem;
    box-sizing: border-box;
    border-radius: 999px;
    font-size: 0.75rem;
    line-height: 1.2rem;
    color: var(--_on-danger);
    background: var(--_danger);
  }
  input {
    font: inherit;
    min-height: 2.5rem;
    padding: 0.4rem 0.6rem;
    border-radius: 0.4rem;
    border: 1px solid var(--_border);
    background: var(--_field);
    color: var(--_field-text);
    box-sizing: border-box;
    width: 100%;
  }
  input[type='checkbox'] {
    width: 1.125rem;
    height: 1.125rem;
    min-height: 0;
    margin: 0;
    padding: 0;
    flex: none;
    accent-color: var(--_accent);
  }
  .moderation-switch {
    display: flex;
    align-items: center;
    gap: 0.6rem;
    padding: 0.25rem 0;
    cursor: pointer;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }

  /* ---- status screens ---- */
  .status {
    margin: auto;
    padding: calc(var(--_gap) * 2);
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: var(--_gap);
    text-align: center;
    max-width: 28rem;
  }
  .status p {
    margin: 0;
  }
  .card {
    background: var(--_surface);
    border-radius: var(--_radius);
  }
  .card.error {
    border-top: 4px solid var(--_danger);
  }
  .status.card .field {
    align-self: stretch;
    text-align: start;
  }
  .notice {
    margin: 0;
    padding: var(--_gap);
    border-radius: var(--_radius);
    background: var(--_surface);
    border-inline-start: 4px solid var(--_danger);
  }
  .spinner {
    width: 1.5rem;
    height: 1.5rem;
    border: 3px solid var(--_border);
    border-top-color: var(--_accent);
    border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }

  /* ---- pre-join: the form scrolls inside the box, the join button stays in view ---- */
  .prejoin {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
    width: 100%;
    max-width: 30rem;
    margin: 0 auto;
  }
  .prejoin-body {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    padding: 2px;
  }
  .prejoin-actions {
    padding-top: var(--_gap);
    display: flex;
  }
  .prejoin-actions button {
    flex: 1;
  }
  .preview {
    flex: none;
    aspect-ratio: 16 / 9;
    width: 100%;
    max-height: 55%;
  }
  .preview-controls {
    position: absolute;
    left: 0;
    right: 0;
    bottom: var(--_gap);
    display: flex;
    justify-content: center;
    gap: var(--_gap);
  }

  /* ---- the call ---- */
  .header {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    padding: 0 var(--_gap);
    min-height: 1.75rem;
    overflow: hidden;
  }
  .subject {
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    font-weight: 600;
  }
  .stage {
    position: relative;
    flex: 1;
    min-height: 0;
    display: flex;
    gap: var(--_gap);
  }
  .media {
    position: relative;
    flex: 1;
    min-width: 0;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  .grid {
    flex: 1;
    min-height: 0;
    display: grid;
    gap: var(--_gap);
    grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
    place-content: center;
  }
  .grid:not(.measured) .tile {
    aspect-ratio: 16 / 9;
  }
  .tile {
    position: relative;
    background: var(--_surface);
    border-radius: var(--_radius);
    overflow: hidden;
    outline: 3px solid transparent;
    outline-offset: -3px;
    transition: outline-color 0.2s;
    --jitsi-track-background: var(--_surface);
  }
  .tile.speaking {
    outline-color: var(--_accent);
  }
  .tile.hand {
    outline-color: #f59e0b;
  }
  .tile jitsi-track {
    position: absolute;
    inset: 0;
  }
  .tile-footer {
    position: absolute;
    left: var(--_gap);
    right: var(--_gap);
    bottom: var(--_gap);
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.25rem;
    pointer-events: none;
  }
  .name {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    padding: 0.1rem 0.45rem;
    border-radius: 0.3rem;
    color: var(--_on-badge);
    background: var(--_badge);
    font-size: 0.85rem;
  }
  .indicators {
    display: flex;
    align-items: center;
    gap: 0.25rem;
    padding: 0.15rem 0.3rem;
    border-radius: 0.3rem;
    color: var(--_on-badge);
    background: var(--_badge);
  }
  .indicator {
    display: inline-flex;
  }
  .indicators .icon {
    width: 1rem;
    height: 1rem;
  }
  .level {
    align-items: flex-end;
    gap: 2px;
    height: 1rem;
  }
  .level .bar {
    width: 3px;
    height: 100%;
    border-radius: 2px;
    background: currentColor;
    transform-origin: bottom;
    transform: scaleY(max(0.2, var(--jitsi-level, 0)));
    transition: transform 0.15s;
  }
  .level .bar:nth-child(2) {
    transform: scaleY(max(0.2, calc(var(--jitsi-level, 0) * 1.6)));
  }
  .quality {
    align-items: flex-end;
    gap: 1px;
    height: 0.9rem;
  }
  .quality span {
    width: 3px;
    background: currentColor;
    opacity: 0.35;
  }
  .quality .q1 { height: 40%; }
  .quality .q2 { height: 70%; }
  .quality .q3 { height: 100%; }
  .quality.good span,
  .quality.fair .q1,
  .quality.fair .q2,
  .quality.poor .q1 {
    opacity: 1;
  }
  .quality.poor .q1 {
    background: #f87171;
  }
  .hand-badge {
    position: absolute;
    top: var(--_gap);
    left: var(--_gap);
    display: inline-flex;
    padding: 0.2rem;
    border-radius: 999px;
    color: #111827;
    background: #f59e0b;
  }
  .reactions {
    position: absolute;
    right: var(--_gap);
    bottom: 2.5rem;
    display: flex;
    flex-direction: column-reverse;
    gap: 0.25rem;
    pointer-events: none;
  }
  .reaction {
    display: inline-flex;
    padding: 0.3rem;
    border-radius: 999px;
    color: var(--_on-accent);
    background: var(--_accent);
    animation: rise 4s ease-out forwards;
  }
  .reaction .icon {
    width: 1.75rem;
    height: 1.75rem;
  }
  @keyframes rise {
    0% { transform: translateY(1rem) scale(0.6); opacity: 0; }
    10% { transform: translateY(0) scale(1); opacity: 1; }
    80% { opacity: 1; }
    100% { transform: translateY(-3rem); opacity: 0; }
  }
  @media (prefers-reduced-motion: reduce) {
    .reaction, .spinner { animation: none; }
  }
  .speaker-view {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
  }
  .stage-main {
    flex: 1;
    min-height: 0;
    display: flex;
  }
  .stage-main .tile {
    flex: 1;
  }
  .filmstrip {
    flex: none;
    height: clamp(4.5rem, 20%, 9rem);
    display: flex;
    gap: var(--_gap);
    overflow-x: auto;
  }
  .filmstrip .tile {
    flex: none;
    height: 100%;
    aspect-ratio: 16 / 9;
  }
  .filmstrip .tile .name {
    font-size: 0.75rem;
  }
  .pager {
    display: flex;
    align-items: center;
    justify-content: center;
    gap: var(--_gap);
    padding-top: var(--_gap);
  }
  .reconnecting {
    position: absolute;
    top: var(--_gap);
    left: 50%;
    transform: translateX(-50%);
    padding: 0.4rem 0.8rem;
    border-radius: 999px;
    color: var(--_on-badge);
    background: var(--_badge);
  }
  .overlay {
    position: absolute;
    inset: 0;
    pointer-events: none;
  }
  .overlay ::slotted(*) {
    pointer-events: auto;
  }

  /* ---- the control bar: always in view; wraps instead of overflowing ---- */
  .controls {
    position: relative;
    flex: none;
    display: flex;
    justify-content: center;
    flex-wrap: wrap;
    gap: var(--_gap);
    padding: var(--_gap);
    background: var(--_surface);
    border-radius: var(--_radius);
  }
  /* recording (view-recording.ts) */
  .recording-indicator {
    align-self: center;
    padding: 0.25rem 0.6rem;
    border-radius: var(--_radius);
    background: var(--_danger);
    color: var(--_on-danger);
    font-size: 0.85rem;
  }
  .reactions-menu {
    position: absolute;
    bottom: calc(100% + var(--_gap));
    left: 50%;
    transform: translateX(-50%);
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 0.25rem;
    padding: 0.35rem;
    max-width: calc(100% - 2 * var(--_gap));
    box-sizing: border-box;
    border-radius: var(--_radius);
    background: var(--_surface);
    border: 1px solid var(--_border);
    z-index: 2;
  }
`;
