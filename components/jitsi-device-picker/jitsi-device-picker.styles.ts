import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    color: var(--jitsi-color-text, inherit);
    font-family: var(--jitsi-font, inherit);
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    display: grid;
    gap: var(--jitsi-spacing, 0.5rem);
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  label {
    font-size: 0.9em;
  }
  select,
  button {
    font: inherit;
    min-height: 2.25rem;
    padding: 0.35rem 0.6rem;
    border-radius: calc(var(--jitsi-radius, 0.75rem) / 2);
    border: 1px solid var(--jitsi-color-border, #6b7280);
  }
  select {
    width: 100%;
    color: var(--jitsi-color-field-text, FieldText);
    background: var(--jitsi-color-field, Field);
  }
  button {
    color: #fff;
    background: var(--jitsi-color-accent, #2563eb);
    border-color: var(--jitsi-color-accent, #2563eb);
    cursor: pointer;
    justify-self: start;
  }
  select:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--jitsi-color-accent, #2563eb);
    outline-offset: 2px;
  }
  select:disabled {
    opacity: 0.6;
  }
  .error {
    margin: 0;
    color: var(--jitsi-color-danger, #b91c1c);
  }
  video {
    display: block;
    width: 100%;
    max-width: var(--jitsi-preview-width, 100%);
    aspect-ratio: 16 / 9;
    object-fit: cover;
    background: #000;
    border-radius: var(--jitsi-radius, 0.75rem);
    /* A self view is a mirror. */
    transform: scaleX(-1);
  }
  meter {
    width: 100%;
    height: 0.5rem;
  }
`;
