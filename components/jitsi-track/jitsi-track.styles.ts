import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    color: var(--jitsi-track-color, #f9fafb);
    background: var(--jitsi-track-background, #1f2937);
    border-radius: var(--jitsi-track-radius, 0);
  }
  :host([hidden]) {
    display: none;
  }
  /* An audio track has nothing to show but a play button; it must not cover a video laid under it. */
  :host([kind='audio']) {
    background: none;
    pointer-events: none;
  }
  .base {
    position: relative;
    width: 100%;
    height: 100%;
    border-radius: inherit;
  }
  .base.audio {
    display: flex;
    align-items: center;
    justify-content: center;
  }
  video {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
    border-radius: inherit;
  }
  video.contain {
    object-fit: contain;
  }
  video.mirrored {
    transform: scaleX(-1);
  }
  audio {
    display: none;
  }
  .placeholder {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    color: var(--jitsi-track-placeholder-color, #9ca3af);
    background: var(--jitsi-track-placeholder-background, var(--jitsi-track-background, #1f2937));
    border-radius: inherit;
  }
  .placeholder[hidden] {
    display: none;
  }
  .placeholder-icon {
    width: 30%;
    max-width: 4rem;
    height: auto;
  }
  .speaking-indicator {
    position: absolute;
    inset: 0;
    border-radius: inherit;
    pointer-events: none;
    box-shadow: inset 0 0 0 var(--jitsi-speaking-width, 3px) var(--jitsi-speaking-color, var(--jitsi-color-accent, #2563eb));
    opacity: 0;
    transition: opacity 0.15s;
  }
  :host([speaking]) .speaking-indicator {
    opacity: 1;
  }
  .overlay {
    position: absolute;
    inset: 0;
    pointer-events: none;
  }
  .overlay ::slotted(*) {
    pointer-events: auto;
  }
  .play-button {
    position: absolute;
    top: 50%;
    left: 50%;
    transform: translate(-50%, -50%);
    pointer-events: auto;
    font: inherit;
    color: #fff;
    background: var(--jitsi-color-accent, #2563eb);
    border: 0;
    border-radius: var(--jitsi-radius, 0.75rem);
    padding: 0.5rem 1rem;
    cursor: pointer;
  }
  .base.audio .play-button {
    position: static;
    transform: none;
  }
  .play-button:focus-visible {
    outline: 2px solid currentColor;
    outline-offset: 2px;
  }
`;
