/**
 * The polls component stand-in (test/backend/features/polls.ts, protocol.md 13.6) against a real Prosody,
 * with XMPP-only clients: echo to the sender's room with senderId/senderName, answers, old-polls for a
 * joiner, the duplicate-id error and the silent drops.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import { startBackend, type Backend } from '../backend/launcher.js';
import { FeatureClient, FNS, sleep, unique } from './extras-clients.js';

describe('polls component stand-in', { timeout: 60_000 }, () => {
  let backend: Backend;
  const clients: FeatureClient[] = [];
  let polls = '';

  before(async () => {
    backend = await startBackend({ focusLog: false, jvb: false });
    polls = `polls.${backend.endpoints.domain}`;
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await backend?.stop();
  });

  const join = async (room: string, nick: string, name: string): Promise<FeatureClient> => {
    const c = new FeatureClient(backend, room, nick);
    clients.push(c);
    await c.join([xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, name)]);
    return c;
  };
  const send = (c: FeatureClient, payload: unknown): Promise<void> =>
    c.xmpp.send(xml('message', { type: 'chat', to: polls }, xml('json-message', { xmlns: FNS.jitmeet }, typeof payload === 'string' ? payload : JSON.stringify(payload))));
  const received = (c: FeatureClient): Record<string, unknown>[] => c.jsonFrom(polls).filter((j) => j.type === 'polls');

  it('echoes a new poll and its answers to the whole room, replays them to a joiner, refuses a duplicate id', async () => {
    const room = unique('polls');
    const a = await join(room, 'aaaa0001', 'Alice');
    const b = await join(room, 'bbbb0002', 'Bob');
    const other = await join(unique('polls'), 'cccc0003', 'Carol');

    const poll = { answers: [{ name: 'Yes' }, { name: 'No' }], command: 'new-poll', pollId: 'p1', question: 'Lunch?', type: 'polls' };
    await send(b, poll);
    await a.until('the poll', () => received(a)[0]);
    await b.until('the echo', () => received(b)[0]);
    assert.deepEqual(received(a)[0], { ...poll, senderId: 'bbbb0002' });
    assert.deepEqual(received(b)[0], { ...poll, senderId: 'bbbb0002' });

    await send(a, { answers: [true, false], command: 'answer-poll', pollId: 'p1', type: 'polls' });
    await b.until('the answer', () => received(b)[1]);
    assert.deepEqual(received(b)[1], { answers: [true, false], command: 'answer-poll', pollId: 'p1', type: 'polls', senderId: 'aaaa0001', senderName: 'Alice' });

    // Dropped: wrong answer count, unknown poll, malformed JSON, too large, not an occupant's room.
    await send(a, { answers: [true], command: 'answer-poll', pollId: 'p1', type: 'polls' });
    await send(a, { answers: [true, false], command: 'answer-poll', pollId: 'nope', type: 'polls' });
    await send(a, '{not json');
    await send(a, { ...poll, pollId: 'big', question: 'x'.repeat(1100) });
    // A duplicate id: an error to the sender only.
    await send(a, { ...poll, question: 'Again?' });
    const error = await a.until('the error', () => a.stanzas.find((s) => s.name === 'message' && s.attrs.from === polls && s.attrs.type === 'error'));
    assert.ok(error.getChild('error')?.getChild('not-allowed', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    await sleep(300);
    assert.equal(received(a).length, 2);
    assert.equal(received(b).length, 2);
    assert.equal(received(other).length, 0, 'another room sees nothing');

    const d = await join(room, 'dddd0004', 'Dave');
    const old = await d.until('old-polls', () => received(d)[0]);
    assert.deepEqual(old, {
      type: 'polls',
      command: 'old-polls',
      polls: [{ pollId: 'p1', senderId: 'bbbb0002', senderName: 'Bob', question: 'Lunch?', answers: [{ name: 'Yes', voters: [{ id: 'aaaa0001', name: 'Alice' }] }, { name: 'No', voters: [] }] }],
    });
  });
});
