/**
 * One logger for the engine, with lib-jitsi-meet's levels (`JitsiMeetJS.logLevels`, `setLogLevel`,
 * `setLogLevelById`, global transports). Every argument goes through `redact()` first: tokens and
 * passwords never reach a console or a transport.
 */
export const LogLevels = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  LOG: 'log',
  WARN: 'warn',
  ERROR: 'error',
} as const;

export type LogLevel = (typeof LogLevels)[keyof typeof LogLevels];

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, log: 3, warn: 4, error: 5 };

/** Receives every log entry at or above the current level, after redaction. */
export interface LogTransport {
  trace?(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
  info?(...args: unknown[]): void;
  log?(...args: unknown[]): void;
  warn?(...args: unknown[]): void;
  error?(...args: unknown[]): void;
}

const REDACTED = '[redacted]';
const secrets = new Set<string>();

/** Remembers a secret (a JWT, a password) so that it is blanked wherever it appears in logs. */
export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

export function forgetSecret(secret: string | undefined | null): void {
  if (secret) secrets.delete(secret);
}

const PATTERNS: [RegExp, string][] = [
  // Query parameters carrying credentials.
  [/([?&](?:token|jwt|password|access_token)=)[^&#\s"'<]*/gi, `$1${REDACTED}`],
  // SASL payloads (PLAIN carries the password in base64; SCRAM proofs).
  [/(<(?:auth|response|challenge|success)\b[^>]*>)[^<]*(<\/)/gi, `$1${REDACTED}$2`],
  // MUC room passwords and the conference request's token attribute.
  [/(<password\b[^>]*>)[^<]*(<\/password>)/gi, `$1${REDACTED}$2`],
  [/(\btoken=["'])[^"']*(["'])/gi, `$1${REDACTED}$2`],
  // Anything shaped like a JWT.
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, REDACTED],
];

/** Blanks credentials in a string: registered secrets, JWTs, token/password parameters, SASL payloads. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function redactArg(arg: unknown): unknown {
  if (typeof arg === 'string') return redact(arg);
  if (arg instanceof Error) {
    const copy = new Error(redact(arg.message));
    copy.name = arg.name;
    copy.stack = arg.stack === undefined ? undefined : redact(arg.stack);
    return copy;
  }
  if (typeof Element !== 'undefined' && arg instanceof Element) return redact(arg.outerHTML);
  if (arg && typeof arg === 'object') {
    try {
      return JSON.parse(redact(JSON.stringify(arg))) as unknown;
    } catch {
      return '[unserialisable object]';
    }
  }
  return arg;
}

let globalLevel: LogLevel = 'info';
const levelById = new Map<string, LogLevel>();
const transports = new Set<LogTransport>([console]);

export function setLogLevel(level: LogLevel): void {
  if (level in ORDER) globalLevel = level;
}

export function getLogLevel(): LogLevel {
  return globalLevel;
}

export function setLogLevelById(level: LogLevel, id: string): void {
  if (level in ORDER) levelById.set(id, level);
}

/** @jitsi/logger's global options (`JitsiMeetJS.setGlobalLogOptions`). */
export interface GlobalLogOptions {
  /**
   * @jitsi/logger prefixes lines with the calling method unless this is set. The engine's lines never carry
   * caller information, so it is always in effect here.
   */
  disableCallerInfo?: boolean;
  [option: string]: unknown;
}

let globalOptions: GlobalLogOptions = {};

/** Replaces the global options, as @jitsi/logger's setGlobalOptions does (undefined resets them). */
export function setGlobalOptions(options: GlobalLogOptions | undefined): void {
  globalOptions = { ...(options ?? {}) };
}

export function getGlobalOptions(): Readonly<GlobalLogOptions> {
  return globalOptions;
}

export function addGlobalTransport(transport: LogTransport): void {
  transports.add(transport);
}

export function removeGlobalTransport(transport: LogTransport): void {
  transports.delete(transport);
}

export class Logger {
  constructor(readonly id: string) {}

  private write(level: LogLevel, args: unknown[]): void {
    const threshold = levelById.get(this.id) ?? globalLevel;
    if (ORDER[level] < ORDER[threshold]) return;
    const line = [`[jitsi-elements ${this.id}]`, ...args.map(redactArg)];
    for (const transport of transports) {
      try {
        if (transport[level]) transport[level](...line);
        else transport.log?.(...line);
      } catch {
        // A failing transport must not break the engine.
      }
    }
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  log(...args: unknown[]): void {
    this.write('log', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
}

export function getLogger(id: string): Logger {
  return new Logger(id);
}
