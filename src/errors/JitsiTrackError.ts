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

/** Failed constraints that make an OverconstrainedError of a video request an UNSUPPORTED_RESOLUTION. */
const RESOLUTION_CONSTRAINTS = new Set(['width', 'height', 'minWidth', 'maxWidth', 'minHeight', 'maxHeight']);

/** lib-jitsi-meet's messages, so that logs and UIs read the same. */
const MESSAGES: Partial<Record<JitsiTrackErrorName, string>> = {
  [JitsiTrackErrors.UNSUPPORTED_RESOLUTION]: 'Video resolution is not supported: ',
  [JitsiTrackErrors.SCREENSHARING_USER_CANCELED]: 'User canceled screen sharing prompt',
  [JitsiTrackErrors.SCREENSHARING_GENERIC_ERROR]: 'Unknown error from screensharing',
  [JitsiTrackErrors.SCREENSHARING_NOT_SUPPORTED_ERROR]: 'Not supported',
  [JitsiTrackErrors.GENERAL]: 'Generic getUserMedia error',
  [JitsiTrackErrors.PERMISSION_DENIED]: 'User denied permission to use device(s): ',
  [JitsiTrackErrors.NOT_FOUND]: 'Requested device(s) was/were not found: ',
  [JitsiTrackErrors.CONSTRAINT_FAILED]: 'Constraint could not be satisfied: ',
  [JitsiTrackErrors.TIMEOUT]: 'Could not start media source. Timeout occurred!',
  [JitsiTrackErrors.TRACK_IS_DISPOSED]: 'Track has been already disposed',
  [JitsiTrackErrors.TRACK_NO_STREAM_FOUND]: 'Track does not have an associated Media Stream',
};

function field(error: unknown, key: 'name' | 'message' | 'constraint' | 'constraintName'): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A track error: `name` is the JitsiTrackErrors constant. Built from a JitsiTrackErrors value (with an optional
 * message), or from a getUserMedia error (a DOMException or any `{ name }`), mapped the way lib-jitsi-meet maps
 * it, with the `gum` details. An OverconstrainedError on width/height of a video request is
 * UNSUPPORTED_RESOLUTION; lib-jitsi-meet also counts a failed `deviceId` as one, we keep CONSTRAINT_FAILED.
 * A constant with a `cause` (a getDisplayMedia failure mapped by its caller) also carries the `gum` details.
 */
export class JitsiTrackError extends Error {
  override name: JitsiTrackErrorName;
  readonly gum: GumDetails | undefined;

  constructor(error: unknown, constraints?: MediaStreamConstraints | string, devices: string[] = [], cause?: unknown) {
    const known = typeof error === 'string' && (Object.values(JitsiTrackErrors) as string[]).includes(error);
    const domName = field(error, 'name');
    let name: JitsiTrackErrorName = known ? (error as JitsiTrackErrorName) : (domName && BY_DOM_NAME[domName]) || JitsiTrackErrors.GENERAL;
    const failed = field(error, 'constraintName') ?? field(error, 'constraint') ?? '';
    const videoRequested = typeof constraints === 'object' && Boolean(constraints.video) && (devices.length === 0 || devices.includes('video'));
    if (name === JitsiTrackErrors.CONSTRAINT_FAILED && videoRequested && RESOLUTION_CONSTRAINTS.has(failed)) {
      name = JitsiTrackErrors.UNSUPPORTED_RESOLUTION;
    }
    let message: string;
    if (known) message = typeof constraints === 'string' ? constraints : (MESSAGES[name] ?? name);
    else if (name === JitsiTrackErrors.GENERAL) message = field(error, 'message') || (typeof error === 'string' ? error : (MESSAGES[name] ?? name));
    else if (name === JitsiTrackErrors.CONSTRAINT_FAILED || name === JitsiTrackErrors.UNSUPPORTED_RESOLUTION) message = `${MESSAGES[name] ?? ''}${failed}`;
    else message = `${MESSAGES[name] ?? ''}${devices.join(', ')}`;
    const original = known ? cause : error;
    super(message, original === undefined ? undefined : { cause: original });
    this.name = name;
    this.gum = original === undefined ? undefined : { error: original, constraints: typeof constraints === 'object' ? constraints : undefined, devices: [...devices] };
  }
}
