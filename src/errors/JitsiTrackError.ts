import { JitsiTrackErrors, type JitsiTrackErrorName } from './JitsiTrackErrors.js';

/** Details of a failed getUserMedia / getDisplayMedia call, as lib-jitsi-meet attaches them. */
export interface GumDetails {
  error: unknown;
  constraints: MediaStreamConstraints | undefined;
  devices: string[];
}

const BY_DOM_NAME: Record<string, JitsiTrackErrorName> = {
  NotAllowedError: JitsiTrackErrors.PERMISSION_DENIED,
  PermissionDeniedError: JitsiTrackErrors.PERMISSION_DENIED,
  SecurityError: JitsiTrackErrors.PERMISSION_DENIED,
  NotFoundError: JitsiTrackErrors.NOT_FOUND,
  DevicesNotFoundError: JitsiTrackErrors.NOT_FOUND,
  OverconstrainedError: JitsiTrackErrors.CONSTRAINT_FAILED,
  ConstraintNotSatisfiedError: JitsiTrackErrors.CONSTRAINT_FAILED,
  TimeoutError: JitsiTrackErrors.TIMEOUT,
};

/**
 * A track error: `name` is the JitsiTrackErrors constant. Built from a JitsiTrackErrors value, or from a
 * DOMException of getUserMedia (mapped the way lib-jitsi-meet maps it), with the `gum` details.
 */
export class JitsiTrackError extends Error {
  override name: JitsiTrackErrorName;
  readonly gum: GumDetails | undefined;

  constructor(error: unknown, constraints?: MediaStreamConstraints, devices: string[] = []) {
    const known = typeof error === 'string' && (Object.values(JitsiTrackErrors) as string[]).includes(error);
    const domName = error instanceof Error ? error.name : undefined;
    const name: JitsiTrackErrorName = known ? (error as JitsiTrackErrorName) : (domName && BY_DOM_NAME[domName]) || JitsiTrackErrors.GENERAL;
    const message = known ? `${name}` : error instanceof Error ? error.message || name : String(error);
    super(message);
    this.name = name;
    this.gum = known ? undefined : { error, constraints, devices };
  }
}
