/**
 * The end_conference component stand-in (test/backend/features/end-conference.ts, protocol.md 13.4) against the
 * real Prosody with XMPP-only clients: a moderator's request destroys the room with the reason, everyone else's
 * is ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { FeatureClient} from './feature-clients.js';
import { featureSuite, sleep, unique } from './feature-clients.js';

describe('end_conference stand-in', { timeout: 60_000 }, () => {
  const suite = featureSuite('endconference');
  const client = suite.client;
  const destroyOf = (c: FeatureClient): string | undefined => {
    const gone = c.presences.find((p) => p.attrs.from === c.occupantJid && p.attrs.type === 'unavailable');
    const destroy = gone?.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('destroy');
    return destroy ? (destroy.getChildText('reason') ?? '') : undefined;
  };

  it('ignores a non-moderator and a non-occupant, then destroys the room for a moderator with the reason', async () => {
    const room = unique('endall');
    const [a, b] = [client(room, 'aaaa0001'), client(room, 'bbbb0002')];
    await a.join();
    await a.untilModerator();
    await b.join();
    await b.until('A in B\'s roster', () => b.presences.some((p) => p.attrs.from === a.occupantJid));
    assert.equal(b.role(), 'participant');

    await b.sendTo(suite.address(), xml('end_conference'));
    const outsider = client(unique('elsewhere'), 'cccc0003');
    await outsider.join();
    await outsider.untilModerator();
    // A moderator, but of another room: its request ends only its own room.
    await outsider.sendTo(suite.address(), xml('end_conference'));
    await outsider.until('outsider room destroyed', () => destroyOf(outsider) !== undefined);
    await sleep(700);
    assert.equal(destroyOf(a), undefined, 'B (participant) cannot end the meeting');
    assert.equal(destroyOf(b), undefined);

    await a.sendTo(suite.address(), xml('end_conference'));
    for (const c of [a, b]) {
      const reason = await c.until('destroy presence', () => destroyOf(c));
      assert.equal(reason, 'The meeting has been terminated');
    }
  });

  it('a new conference request for an ended room creates it afresh', async () => {
    const room = unique('again');
    const a = client(room, 'dddd0004');
    await a.join();
    await a.untilModerator();
    await a.sendTo(suite.address(), xml('end_conference'));
    await a.until('destroyed', () => destroyOf(a) !== undefined);
    const b = client(room, 'eeee0005');
    await b.join();
    await b.untilModerator();
  });
});
