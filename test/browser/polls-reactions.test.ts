/**
 * Polls and reactions on the real backend (protocol.md 13.6, 13.7): getPolls() over the polls component
 * stand-in (create, answer, results, old polls for a joiner, a duplicate id refused), XEP-0444 reactions to
 * chat messages in the room and privately, and the endpoint-reaction meeting reactions.
 */
import { expect } from '@open-wc/testing';
import JitsiMeetJS from '../../src/index.js';
import { endpointReactions } from '../../src/conference/features/Reactions.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { uniqueRoomName } from '../helpers/backend.js';
import { disconnectAll, joinedClient, leaveAll, nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';

const C = JitsiMeetJS.events.conference;

afterEach(async () => {
  await leaveAll();
  await disconnectAll();
});

type Payload = Record<string, unknown>;

describe('JitsiConference: polls', () => {
  it('creates a poll, answers it, counts the results, replays it to a joiner and ignores a duplicate id', async () => {
    const room = uniqueRoomName('polls');
    const a = await joinedClient(room);
    const b = await joinedClient(room, 'BOSH');
    a.conference.setDisplayName('Alice');
    b.conference.setDisplayName('Bob');
    await until(() => a.conference.getParticipants()[0]?.getDisplayName() === 'Bob', 'names');
    expect(a.conference.getPolls().isSupported()).to.equal(true);

    const atA = nextEvent<[Payload]>(a.conference, C.POLL_RECEIVED);
    const atB = nextEvent<[Payload]>(b.conference, C.POLL_RECEIVED);
    b.conference.getPolls().createPoll('p1', 'Lunch?', [{ name: 'Yes' }, { name: 'No' }]);
    const [pollAtA] = await atA;
    expect(pollAtA).to.include({ pollId: 'p1', question: 'Lunch?', senderId: b.conference.myUserId(), command: 'new-poll' });
    expect((await atB)[0].senderId).to.equal(b.conference.myUserId());

    const answerAtB = nextEvent<[Payload]>(b.conference, C.POLL_ANSWER_RECEIVED);
    a.conference.getPolls().answerPoll('p1', [false, true]);
    const [answer] = await answerAtB;
    expect(answer).to.include({ pollId: 'p1', senderId: a.conference.myUserId(), senderName: 'Alice' });
    expect(answer.answers).to.deep.equal([false, true]);
    expect(b.conference.getPolls().getPollResults('p1')).to.deep.equal([
      { name: 'Yes', count: 0 },
      { name: 'No', count: 1 },
    ]);
    // Changing one's answer replaces it.
    const second = nextEvent<[Payload]>(b.conference, C.POLL_ANSWER_RECEIVED);
    a.conference.getPolls().answerPoll('p1', [true, false]);
    await second;
    expect(b.conference.getPolls().getPoll('p1')?.answers.map((x) => x.voters.map((v) => v.name))).to.deep.equal([['Alice'], []]);

    // A duplicate id is refused by the component (an error message that lib-jitsi-meet ignores): nothing arrives.
    const duplicates = record(a.conference, C.POLL_RECEIVED);
    a.conference.getPolls().createPoll('p1', 'Again?', [{ name: 'A' }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(duplicates).to.deep.equal([]);

    const polls: Payload[] = [];
    const c = await joinedClient(room, 'websocket', {}, (conference) => {
      conference.on(C.POLL_RECEIVED, ((poll: Payload) => polls.push(poll)));
    });
    await until(() => polls.length === 1, 'the old poll');
    expect(polls[0]).to.include({ history: true, pollId: 'p1', question: 'Lunch?', senderId: b.conference.myUserId(), senderName: 'Bob' });
    expect(c.conference.getPolls().getPollResults('p1')).to.deep.equal([
      { name: 'Yes', count: 1 },
      { name: 'No', count: 0 },
    ]);
  });
});

describe('JitsiConference: reactions', () => {
  it('reacts to a chat message in the room and privately (XEP-0444): REACTION_RECEIVED with the sender and message id', async () => {
    const room = uniqueRoomName('react');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    const c = await joinedClient(room);
    await until(() => a.conference.getParticipants().length === 2, 'everyone');
    const message = nextEvent<unknown[]>(b.conference, C.MESSAGE_RECEIVED);
    a.conference.sendTextMessage('hello');
    const messageId = (await message)[5] as string;
    expect(messageId).to.be.a('string').and.not.equal('');

    const atA = nextEvent<[string, string[], string]>(a.conference, C.REACTION_RECEIVED);
    const atC = nextEvent<[string, string[], string]>(c.conference, C.REACTION_RECEIVED);
    b.conference.sendReaction('👍', messageId);
    expect(await atA).to.deep.equal([b.conference.myUserId(), ['👍'], messageId]);
    expect(await atC).to.deep.equal([b.conference.myUserId(), ['👍'], messageId]);

    const privateAtA = nextEventWhere<[string, string[], string]>(a.conference, C.REACTION_RECEIVED, (_id, list) => list[0] === '❤️');
    const atB = record(b.conference, C.REACTION_RECEIVED);
    c.conference.sendReaction('❤️', messageId, a.conference.myUserId());
    expect(await privateAtA).to.deep.equal([c.conference.myUserId(), ['❤️'], messageId]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // (B's own room reaction may come back to it late on a loaded machine: only the private one counts.)
    expect(atB.filter((call) => (call[1] as string[])[0] === '❤️'), 'a private reaction reaches only its receiver').to.deep.equal([]);
    expect(() => b.conference.sendReaction('', messageId)).to.throw(TypeError);
  });

  it('meeting reactions are endpoint-reaction endpoint messages', async () => {
    const room = uniqueRoomName('react');
    const a = await joinedClient(room);
    const b = await joinedClient(room);
    await until(() => a.conference.getParticipants().length === 1, 'B');
    const got = nextEventWhere<[JitsiParticipant, Payload]>(a.conference, C.ENDPOINT_MESSAGE_RECEIVED, (_p, payload) => endpointReactions(payload) !== undefined);
    b.conference.broadcastEndpointMessage({ name: 'endpoint-reaction', reactions: ['clap', 'bogus'], timestamp: Date.now() });
    const [sender, payload] = await got;
    expect(sender.getId()).to.equal(b.conference.myUserId());
    expect(endpointReactions(payload)).to.deep.equal(['clap']);
    expect(endpointReactions({ name: 'other' })).to.equal(undefined);
  });
});
