import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
    min-height: 16rem;
    color: var(--jitsi-color-text, #f9fafb);
    background: var(--jitsi-color-background, #111827);
    font-family: var(--jitsi-font, system-ui, sans-serif);
    border-radius: var(--jitsi-radius, 0.75rem);
    overflow: hidden;
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    display: flex;
    flex-direction: column;
    gap: var(--jitsi-spacing, 0.5rem);
    padding: var(--jitsi-spacing, 0.5rem);
    height: 100%;
    box-sizing: border-box;
  }
  .status {
    margin: auto;
    padding: var(--jitsi-spacing, 0.5rem);
  }
  .error {
    color: #fecaca;
    background: color-mix(in srgb, var(--jitsi-color-danger, #dc2626) 40%, transparent);
    border-radius: var(--jitsi-radius, 0.75rem);
  }
  .stage {
    position: relative;
    flex: 1;
    display: flex;
    gap: var(--jitsi-spacing, 0.5rem);
    min-height: 0;
  }
  .grid {
    flex: 1;
    display: grid;
    gap: var(--jitsi-spacing, 0.5rem);
    grid-template-columns: repeat(auto-fit, minmax(var(--jitsi-tile-min-width, 14rem), 1fr));
    grid-auto-rows: minmax(9rem, 1fr);
  }
  .tile {
    position: relative;
    background: var(--jitsi-color-surface, #1f2937);
    border-radius: var(--jitsi-radius, 0.75rem);
    overflow: hidden;
    outline: 3px solid transparent;
    transition: outline-color 0.2s;
  }
  .tile.speaking {
    outline-color: var(--jitsi-color-accent, #2563eb);
  }
  .tile.featured {
    grid-column: 1 / -1;
    grid-row: span 2;
  }
  .tile jitsi-track {
    position: absolute;
    inset: 0;
  }
  .name,
  .indicators {
    position: absolute;
    bottom: var(--jitsi-spacing, 0.5rem);
    padding: 0.1rem 0.4rem;
    border-radius: 0.25rem;
    background: rgb(0 0 0 / 0.6);
    font-size: 0.85rem;
  }
  .name {
    left: var(--jitsi-spacing, 0.5rem);
  }
  .indicators {
    right: var(--jitsi-spacing, 0.5rem);
    display: flex;
    gap: 0.25rem;
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .controls {
    display: flex;
    justify-content: center;
    flex-wrap: wrap;
    gap: var(--jitsi-spacing, 0.5rem);
    padding: var(--jitsi-spacing, 0.5rem);
    background: var(--jitsi-color-surface, #1f2937);
    border-radius: var(--jitsi-radius, 0.75rem);
  }
  button {
    font: inherit;
    color: inherit;
    background: #374151;
    border: 1px solid #4b5563;
    border-radius: var(--jitsi-radius, 0.75rem);
    padding: 0.5rem 0.9rem;
    cursor: pointer;
  }
  button[aria-pressed='true'] {
    background: var(--jitsi-color-accent, #2563eb);
    border-color: var(--jitsi-color-accent, #2563eb);
  }
  button.control-leave {
    background: var(--jitsi-color-danger, #dc2626);
    border-color: var(--jitsi-color-danger, #dc2626);
  }
  button:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--jitsi-color-accent, #2563eb);
    outline-offset: 2px;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .panel {
    width: min(20rem, 40%);
    background: var(--jitsi-color-surface, #1f2937);
    border-radius: var(--jitsi-radius, 0.75rem);
    padding: var(--jitsi-spacing, 0.5rem);
    overflow-y: auto;
  }
  .chat {
    display: flex;
    flex-direction: column;
    background: var(--jitsi-color-surface, #1f2937);
    border-radius: var(--jitsi-radius, 0.75rem);
    padding: var(--jitsi-spacing, 0.5rem);
  }
  .log {
    flex: 1;
    overflow-y: auto;
  }
  .log ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  .chat-form,
  .prejoin {
    display: flex;
    gap: var(--jitsi-spacing, 0.5rem);
  }
  .prejoin {
    flex-direction: column;
    align-items: stretch;
    max-width: 28rem;
    margin: auto;
    width: 100%;
  }
  .prejoin .tile {
    aspect-ratio: 16 / 9;
  }
  input {
    font: inherit;
    flex: 1;
    padding: 0.4rem 0.6rem;
    border-radius: 0.4rem;
    border: 1px solid #4b5563;
    background: #111827;
    color: inherit;
  }
  .overlay {
    position: absolute;
    inset: 0;
    pointer-events: none;
  }
  .overlay ::slotted(*) {
    pointer-events: auto;
  }
`;
