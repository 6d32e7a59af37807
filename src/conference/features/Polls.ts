/**
 * Polls (protocol.md 13.6): lib-jitsi-meet's `conference.getPolls()`. Polls go to the polls component as
 * `type="chat"` JSON; the component echoes them to the room with the sender's id, which the engine turns into
 * POLL_RECEIVED / POLL_ANSWER_RECEIVED (`old-polls` for a joiner: one POLL_RECEIVED with `history: true` per
 * poll). Beyond lib-jitsi-meet, the handler keeps the results it has seen (getPoll, getPollResults).
 */
import { $build } from 'strophe.js';
import { JitsiConferenceEvents as E } from '../../events/JitsiConferenceEvents.js';
import { getLogger } from '../../util/logger.js';
import { NS } from '../../xmpp/namespaces.js';
import type { ConferenceEmit } from '../host.js';
import type { ComponentChannel } from './ComponentChannel.js';

const logger = getLogger('conference/features/Polls');

export interface PollsHost {
  readonly components: ComponentChannel;
  emit: ConferenceEmit;
}

export interface PollVoter {
  id: string;
  name: string;
}

/** A poll as the engine knows it: each answer with who chose it. */
export interface PollState {
  pollId: string;
  senderId: string;
  senderName: string;
  question: string;
  answers: { name: string; voters: PollVoter[] }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class PollsHandler {
  private readonly polls = new Map<string, PollState>();
  private readonly unsubscribe: () => void;

  constructor(private readonly host: PollsHost) {
    this.unsubscribe = host.components.on('polls', (payload) => this.onJson(payload));
  }

  /** Whether the deployment announced a polls component. */
  isSupported(): boolean {
    return this.host.components.isSupported('polls');
  }

  /** Sends a new poll; it comes back to everyone (us included) as POLL_RECEIVED. */
  createPoll(pollId: string, question: string, answers: { name: string }[]): void {
    this.sendJson({ answers, command: 'new-poll', pollId, question, type: 'polls' });
  }

  /** Our choice for each answer, in order; it comes back as POLL_ANSWER_RECEIVED. */
  answerPoll(pollId: string, answers: boolean[]): void {
    this.sendJson({ answers, command: 'answer-poll', pollId, type: 'polls' });
  }

  /** A poll seen in this conference, with its answers' voters so far. */
  getPoll(pollId: string): PollState | undefined {
    const poll = this.polls.get(pollId);
    return poll ? structuredClone(poll) : undefined;
  }

  /** The votes per answer of a poll seen in this conference. */
  getPollResults(pollId: string): { name: string; count: number }[] | undefined {
    return this.polls.get(pollId)?.answers.map((a) => ({ name: a.name, count: a.voters.length }));
  }

  dispose(): void {
    this.unsubscribe();
    this.polls.clear();
  }

  private sendJson(payload: Record<string, unknown>): void {
    const sent = this.host.components.send(
      'polls',
      (message) => {
        message.cnode($build('json-message', { xmlns: NS.JITMEET }).t(JSON.stringify(payload)).tree());
      },
      'chat',
    );
    if (!sent) logger.error('polls: the deployment has no polls component');
  }

  private remember(poll: Record<string, unknown>): void {
    const pollId = str(poll.pollId);
    if (!pollId || !Array.isArray(poll.answers)) return;
    this.polls.set(pollId, {
      pollId,
      senderId: str(poll.senderId),
      senderName: str(poll.senderName),
      question: str(poll.question),
      answers: poll.answers.filter(isObject).map((a) => ({
        name: str(a.name),
        voters: (Array.isArray(a.voters) ? a.voters : []).filter(isObject).map((v) => ({ id: str(v.id), name: str(v.name) })),
      })),
    });
  }

  private onJson(payload: Record<string, unknown>): void {
    switch (payload.command) {
      case 'new-poll':
        this.remember(payload);
        this.host.emit(E.POLL_RECEIVED, payload);
        break;
      case 'old-polls':
        for (const poll of Array.isArray(payload.polls) ? payload.polls : []) {
          if (!isObject(poll)) continue;
          this.remember(poll);
          this.host.emit(E.POLL_RECEIVED, { history: true, ...poll });
        }
        break;
      case 'answer-poll': {
        const poll = this.polls.get(str(payload.pollId));
        const answers = payload.answers;
        if (poll && Array.isArray(answers)) {
          const voter = { id: str(payload.senderId), name: str(payload.senderName) };
          poll.answers.forEach((answer, i) => {
            answer.voters = answer.voters.filter((v) => v.id !== voter.id);
            if (answers[i] === true) answer.voters.push(voter);
          });
        }
        this.host.emit(E.POLL_ANSWER_RECEIVED, payload);
        break;
      }
      default:
        break;
    }
  }
}
