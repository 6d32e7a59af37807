/**
 * Recording and live streaming through Jibri (protocol.md 13.9), signalling only: the `<jibri>` IQ to the
 * focus occupant, and the `<jibri-recording-status>` the focus publishes in its presence. Each recording is a
 * JibriSession; RECORDER_STATE_CHANGED(session) fires after the start result (`pending`), on every changed
 * status of the focus (`off` for a session we never knew is ignored) and when a start fails (the IQ error's
 * condition as getError()). Transcription status (13.10) is here too: `<transcription-status status=>` from a
 * hidden occupant.
 */
import { $iq } from 'strophe.js';
import { recordingConstants } from '../../constants/recordingConstants.js';
import { JitsiTranscriptionStatus, type TranscriptionStatus } from '../../constants/JitsiTranscriptionStatus.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import type { PresenceNode } from '../../xmpp/presence.js';
import { IqError } from '../../xmpp/StanzaRouter.js';
import type { XmppConnection } from '../../xmpp/XmppConnection.js';
import type { ConferenceEmit } from '../host.js';
import type { JitsiParticipant } from '../JitsiParticipant.js';

const NS_JIBRI = 'http://jitsi.org/protocol/jibri';

export type RecordingMode = 'file' | 'stream';

export interface StartRecordingOptions {
  mode: RecordingMode;
  /** Stream mode: the RTMP URL or stream key. */
  streamId?: string;
  /** Stream mode: the YouTube broadcast. */
  broadcastId?: string;
  /** Sent as JSON in `app_data`. */
  appData?: string | Record<string, unknown>;
}

/** lib-jitsi-meet's JibriSession: one recording or live stream of the room. */
export class JibriSession {
  status: string;
  error: string | undefined;
  initiator: JitsiParticipant | string | undefined;
  terminator: JitsiParticipant | string | undefined;
  liveStreamViewURL: string | undefined;
  jibriJid: string | undefined;

  constructor(
    public id: string | undefined,
    readonly mode: RecordingMode,
    status = '',
  ) {
    this.status = status;
  }

  getID(): string | undefined {
    return this.id;
  }

  getStatus(): string {
    return this.status;
  }

  getMode(): RecordingMode {
    return this.mode;
  }

  getError(): string | undefined {
    return this.error;
  }

  getInitiator(): JitsiParticipant | string | undefined {
    return this.initiator;
  }

  getTerminator(): JitsiParticipant | string | undefined {
    return this.terminator;
  }

  getLiveStreamViewURL(): string | undefined {
    return this.liveStreamViewURL;
  }

  getJibriJid(): string | undefined {
    return this.jibriJid;
  }
}

/** A refused start or stop: the focus's (or Prosody's) error condition, and the session it concerned. */
export class RecordingError extends Error {
  override name = 'RecordingError';

  constructor(
    readonly error: string,
    readonly session: JibriSession | undefined,
    options?: { cause?: unknown },
  ) {
    super(`recording request refused: ${error}`, options);
  }
}

export interface RecordingHost {
  readonly xmpp: XmppConnection;
  readonly roomJid: string;
  isJoined(): boolean;
  focusNick(): string | undefined;
  participant(id: string): JitsiParticipant | undefined;
  emit: ConferenceEmit;
  addCommandListener(name: string, listener: (node: PresenceNode, nick: string) => void): void;
}

export class Recording {
  private readonly sessions = new Map<string, JibriSession>();
  private transcription: TranscriptionStatus = JitsiTranscriptionStatus.OFF;
  private transcriber: string | undefined;

  constructor(private readonly host: RecordingHost) {
    host.addCommandListener('jibri-recording-status', (node, nick) => {
      if (nick === host.focusNick()) this.onFocusStatus(node);
    });
    host.addCommandListener('transcription-status', (node, nick) => this.onTranscriptionStatus(node, nick));
  }

  /** Asks the focus to start a recording or stream; resolves with the session (status `pending`). */
  async startRecording(options: StartRecordingOptions): Promise<JibriSession> {
    const mode = options.mode === recordingConstants.mode.STREAM ? recordingConstants.mode.STREAM : recordingConstants.mode.FILE;
    const attrs: Record<string, string> = { xmlns: NS_JIBRI, action: 'start', recording_mode: mode };
    if (options.streamId) attrs.streamid = options.streamId;
    if (options.broadcastId) attrs.you_tube_broadcast_id = options.broadcastId;
    if (options.appData !== undefined) attrs.app_data = typeof options.appData === 'string' ? options.appData : JSON.stringify(options.appData);
    const session = new JibriSession(undefined, mode);
    let result: Element;
    try {
      result = await this.sendToFocus(attrs);
    } catch (error) {
      session.status = recordingConstants.status.OFF;
      session.error = error instanceof IqError ? error.condition : 'error';
      this.host.emit(E.RECORDER_STATE_CHANGED, session);
      throw new RecordingError(session.error, session, { cause: error });
    }
    const id = Array.from(result.children).find((c) => c.localName === 'jibri')?.getAttribute('session_id') ?? undefined;
    const known = id ? this.sessions.get(id) : undefined;
    if (known) return known; // the focus status came first
    session.id = id;
    session.status = recordingConstants.status.PENDING;
    if (id) this.sessions.set(id, session);
    this.host.emit(E.RECORDER_STATE_CHANGED, session);
    return session;
  }

  /** Asks the focus to stop the room's recording (the IQ carries no session id: one recorder per room). */
  async stopRecording(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    try {
      await this.sendToFocus({ xmlns: NS_JIBRI, action: 'stop', recording_mode: session?.mode ?? recordingConstants.mode.FILE });
    } catch (error) {
      throw new RecordingError(error instanceof IqError ? error.condition : 'error', session, { cause: error });
    }
  }

  getSession(id: string): JibriSession | undefined {
    return this.sessions.get(id);
  }

  getTranscriptionStatus(): TranscriptionStatus {
    return this.transcription;
  }

  /** A hidden transcriber occupant left: its transcription is over (protocol.md 13.10). */
  onMemberLeft(id: string): void {
    if (id !== this.transcriber || this.transcription === JitsiTranscriptionStatus.OFF) return;
    this.transcription = JitsiTranscriptionStatus.OFF;
    this.host.emit(E.TRANSCRIPTION_STATUS_CHANGED, this.transcription, id, true);
  }

  private sendToFocus(attrs: Record<string, string>): Promise<Element> {
    if (!this.host.isJoined()) return Promise.reject(new RecordingError('not-joined', undefined));
    const focus = this.host.focusNick() ?? 'focus';
    return this.host.xmpp.sendIQ($iq({ type: 'set', to: `${this.host.roomJid}/${focus}` }).c('jibri', attrs), 10_000);
  }

  private who(occupantJid: string | undefined): JitsiParticipant | string | undefined {
    if (!occupantJid) return undefined;
    const nick = occupantJid.slice(occupantJid.indexOf('/') + 1);
    return this.host.participant(nick) ?? nick;
  }

  private onFocusStatus(node: PresenceNode): void {
    const a = node.attributes;
    const status = a.status;
    const id = a.session_id;
    if (!id || (status !== 'on' && status !== 'off' && status !== 'pending')) return;
    let session = this.sessions.get(id);
    if (!session) {
      if (status === 'off') return;
      session = new JibriSession(id, a.recording_mode === 'stream' ? 'stream' : 'file');
      this.sessions.set(id, session);
    }
    const error = a.failure_reason || undefined;
    if (session.status === status && session.error === error) return;
    session.status = status;
    session.error = error;
    if (status === 'off') session.terminator = this.who(a.initiator);
    else if (a.initiator) session.initiator = this.who(a.initiator);
    this.host.emit(E.RECORDER_STATE_CHANGED, session);
  }

  private onTranscriptionStatus(node: PresenceNode, nick: string): void {
    const participant = this.host.participant(nick);
    if (!participant?.isHidden()) return;
    const status = node.attributes.status === 'ON' ? JitsiTranscriptionStatus.ON : node.attributes.status === 'OFF' ? JitsiTranscriptionStatus.OFF : undefined;
    if (!status || status === this.transcription) return;
    this.transcription = status;
    this.transcriber = nick;
    this.host.emit(E.TRANSCRIPTION_STATUS_CHANGED, status, nick, false);
  }
}
