/**
 * STAND-IN for the polls component of a Jitsi deployment's Prosody (protocol.md 13.6), an XEP-0114 component
 * on `polls.<domain>`. Any occupant sends `new-poll` / `answer-poll` JSON (`type="chat"`); the stand-in
 * validates, stores the room's polls, echoes each to every occupant of the sender's room with `senderId` (and
 * `senderName` for answers), and replays them to each joiner as one `old-polls`. A duplicate `pollId` gets a
 * `cancel`/`not-allowed` error message; more than 128 polls, a payload of 1024 bytes or more, or malformed
 * JSON is dropped silently, as the real component does. (Creation restricted by room metadata is not
 * reproduced: the metadata lives in the Lua room-metadata stand-in.)
 */
import { xml } from '@xmpp/component';
import type { XmlElement } from '@xmpp/xml';
import type { ComponentHandle, FeatureHost, FeatureStandIn, StandInOccupant, StandInRoom } from './types.js';

const NS_JITMEET = 'http://jitsi.org/jitmeet';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const MAX_POLLS = 128;
export const MAX_PAYLOAD_BYTES = 1024;

interface Voter {
  id: string;
  name: string | undefined;
}

interface StoredPoll {
  pollId: string;
  senderId: string;
  senderName: string | undefined;
  question: string;
  answers: { name: string; voters: Map<string, Voter> }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createPollsStandIn(): FeatureStandIn {
  let host: FeatureHost;
  let component: ComponentHandle;
  const polls = new Map<string, Map<string, StoredPoll>>();

  const sendJson = (to: string, payload: Record<string, unknown>): void => {
    component
      .send(xml('message', { from: component.address, to }, xml('json-message', { xmlns: NS_JITMEET }, JSON.stringify(payload))))
      .catch((error: Error) => host.log(`polls: not sent to ${to}: ${error.message}`));
  };

  const toRoom = (room: StandInRoom, payload: Record<string, unknown>): void => {
    for (const occupant of room.occupants.values()) sendJson(occupant.realJid, payload);
  };

  const refuse = (stanza: XmlElement, text: string): void => {
    const to = stanza.attrs.from ?? '';
    component
      .send(
        xml(
          'message',
          { from: component.address, to, type: 'error', ...(stanza.attrs.id ? { id: stanza.attrs.id } : {}) },
          xml('error', { type: 'cancel' }, xml('not-allowed', { xmlns: NS_STANZAS }), xml('text', { xmlns: NS_STANZAS }, text)),
        ),
      )
      .catch(() => undefined);
  };

  const onNewPoll = (stanza: XmlElement, room: StandInRoom, sender: StandInOccupant, request: Record<string, unknown>): void => {
    const { pollId, question, answers } = request;
    if (typeof pollId !== 'string' || !pollId || typeof question !== 'string' || !Array.isArray(answers) || answers.length === 0) return;
    if (!answers.every((a) => isObject(a) && typeof a.name === 'string')) return;
    const roomPolls = polls.get(room.jid) ?? new Map<string, StoredPoll>();
    if (roomPolls.has(pollId)) {
      refuse(stanza, 'Poll already exists');
      return;
    }
    if (roomPolls.size >= MAX_POLLS) return;
    const names = answers.map((a) => String((a as { name: string }).name));
    roomPolls.set(pollId, {
      pollId,
      senderId: sender.nick,
      senderName: sender.displayName,
      question,
      answers: names.map((name) => ({ name, voters: new Map() })),
    });
    polls.set(room.jid, roomPolls);
    toRoom(room, { type: 'polls', command: 'new-poll', pollId, question, answers: names.map((name) => ({ name })), senderId: sender.nick });
  };

  const onAnswer = (room: StandInRoom, sender: StandInOccupant, request: Record<string, unknown>): void => {
    const { pollId, answers } = request;
    const poll = typeof pollId === 'string' ? polls.get(room.jid)?.get(pollId) : undefined;
    if (!poll || !Array.isArray(answers) || answers.length !== poll.answers.length || !answers.every((a) => typeof a === 'boolean')) return;
    poll.answers.forEach((answer, i) => {
      if (answers[i]) answer.voters.set(sender.nick, { id: sender.nick, name: sender.displayName });
      else answer.voters.delete(sender.nick);
    });
    toRoom(room, { type: 'polls', command: 'answer-poll', pollId, answers, senderId: sender.nick, senderName: sender.displayName ?? '' });
  };

  const onStanza = (stanza: XmlElement): void => {
    if (stanza.name !== 'message' || stanza.attrs.type === 'error') return;
    const text = stanza.getChild('json-message', NS_JITMEET)?.text();
    if (text === undefined || Buffer.byteLength(text) >= MAX_PAYLOAD_BYTES) return;
    const found = host.roomOfRealJid(stanza.attrs.from ?? '');
    if (!found) return;
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      return;
    }
    if (!isObject(request) || request.type !== 'polls') return;
    if (request.command === 'new-poll') onNewPoll(stanza, found.room, found.occupant, request);
    else if (request.command === 'answer-poll') onAnswer(found.room, found.occupant, request);
  };

  return {
    name: 'polls',
    start(h) {
      host = h;
      component = h.component(`polls.${h.domain}`);
      component.onStanza(onStanza);
    },
    occupantJoined(room, occupant, changed) {
      const roomPolls = polls.get(room.jid);
      if (changed || !roomPolls || roomPolls.size === 0) return;
      sendJson(occupant.realJid, {
        type: 'polls',
        command: 'old-polls',
        polls: [...roomPolls.values()].map((p) => ({
          pollId: p.pollId,
          senderId: p.senderId,
          senderName: p.senderName ?? '',
          question: p.question,
          answers: p.answers.map((a) => ({ name: a.name, voters: [...a.voters.values()].map((v) => ({ id: v.id, name: v.name ?? '' })) })),
        })),
      });
    },
    roomGone(roomJid) {
      polls.delete(roomJid);
    },
  };
}
