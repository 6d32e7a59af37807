import { css } from 'lit';

/**
 * The second half of the conference's styles (jitsi-conference.styles.ts is the first): the panels and the
 * narrow-element and icon-only rules, which come after the call's rules in the cascade. The custom properties
 * (`--_…`) are set on :host by the first half.
 */
export const panelStyles = css`
  /* ---- panels ---- */
  .panel {
    flex: none;
    width: min(22rem, 40%);
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    min-height: 0;
    padding: var(--_gap);
    box-sizing: border-box;
    background: var(--_surface);
    border-radius: var(--_radius);
    overflow-y: auto;
  }
  .panel-header {
    display: flex;
    align-items: center;
    justify-content: space-between;
  }
  .panel-title {
    margin: 0;
    font-size: 1rem;
  }
  .log {
    flex: 1;
    min-height: 4rem;
    overflow-y: auto;
  }
  .log ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
  }
  .message .meta {
    font-size: 0.8rem;
  }
  .message time {
    color: var(--_muted);
    margin-inline-start: 0.25rem;
  }
  .message .text {
    overflow-wrap: anywhere;
    white-space: pre-wrap;
  }
  .message a {
    color: inherit;
    text-decoration: underline;
  }
  .chat-form,
  .password-form .row {
    display: flex;
    gap: var(--_gap);
  }
  .password-form {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    border-top: 1px solid var(--_border);
    padding-top: var(--_gap);
  }
  .password-form label {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  /* meeting moderation (view-moderation.ts) */
  .moderation-switch {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    border-top: 1px solid var(--_border);
    padding-top: var(--_gap);
  }
  .speaker-stats h3,
  .panel-subtitle {
    font-size: inherit;
    margin: var(--_gap) 0 0.25rem;
  }
  .speaker-stats ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .speaker-stats li {
    display: flex;
    justify-content: space-between;
    gap: var(--_gap);
  }
  .participant-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  .participant {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.5rem;
    padding: 0.35rem 0;
  }
  .participant-name {
    flex: 1;
    min-width: 6rem;
    overflow-wrap: anywhere;
  }
  .participant-state,
  .participant-actions {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
  }
  .participant-state .icon {
    width: 1rem;
    height: 1rem;
  }
  .participant-state .hand {
    color: #f59e0b;
  }
  .shortcuts {
    margin: 0;
    display: grid;
    gap: 0.5rem;
  }
  .shortcut {
    display: flex;
    gap: 0.75rem;
    align-items: center;
  }
  .shortcut dd {
    margin: 0;
  }
  kbd {
    display: inline-block;
    min-width: 1.5rem;
    text-align: center;
    padding: 0.1rem 0.35rem;
    border: 1px solid var(--_border);
    border-radius: 0.3rem;
    font: inherit;
  }

  /* ---- below 70rem the controls show icons only (the label stays their accessible name) ---- */
  @container (max-width: 70rem) {
    .controls .label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  }
  /* ---- a narrow element: tighter controls, the panel covers the media ---- */
  @container (max-width: 40rem) {
    .controls {
      gap: 0.35rem;
      padding: 0.35rem;
    }
    .panel {
      position: absolute;
      inset: 0;
      width: auto;
      z-index: 3;
    }
    /* What the panel covers can be neither seen nor reached: no focus or hits on hidden page buttons. */
    .with-panel .media {
      visibility: hidden;
    }
  }
`;
