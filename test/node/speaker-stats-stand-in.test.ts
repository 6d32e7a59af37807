/**
 * The speakerstats component stand-in (test/backend/features/speaker-stats.ts, protocol.md 13.5) against the
 * real Prosody with XMPP-only clients: dominant-speaker time accumulates per occupant, pauses while silent,
 * stops when another speaker takes over, survives a leave, and reaches each joiner once as a snapshot;
 * requests from non-occupants are ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { FeatureClient} from './feature-clients.js';
import { featureSuite, sleep, unique } from './feature-clients.js';

interface User {
  displayName?: string;
  totalDominantSpeakerTime: number;
  faceLandmarks: unknown[];
}

describe('speakerstats stand-in', { timeout: 60_000 }, () => {
  const suite = featureSuite('speakerstats');
  const client = suite.client;
  const dominant = (c: FeatureClient, silence: boolean, room = c.roomJid) =>
    c.sendTo(suite.address(), xml('speakerstats', { xmlns: 'http://jitsi.org/jitmeet', room, silence: String(silence) }));
  /** Joins and returns the snapshot the joiner got (waits a little: none may come). */
  const snapshotOf = async (c: FeatureClient): Promise<Record<string, User> | undefined> => {
    await c.join();
    await sleep(300);
    const all = c.jsonOfType('speakerstats');
    assert.ok(all.length <= 1, 'at most one snapshot');
    return all[0]?.users as Record<string, User> | undefined;
  };

  it('accumulates dominant time, pauses while silent, keeps departed users, sends joiners one snapshot', async () => {
    const room = unique('stats');
    const a = client(room, 'aaaa0001');
    assert.equal(await snapshotOf(a), undefined, 'the first one gets nothing');
    await a.setDisplayName('Alice');
    const b = client(room, 'bbbb0002');
    const first = await snapshotOf(b);
    assert.deepEqual(first, { aaaa0001: { displayName: 'Alice', totalDominantSpeakerTime: 0, faceLandmarks: [] } });

    await dominant(a, false);
    await sleep(600);
    await dominant(b, false);
    await sleep(300);
    await b.sendTo(suite.address(), xml('faceLandmarks', { xmlns: 'http://jitsi.org/jitmeet', room: b.roomJid, faceExpression: 'happy', timestamp: '1700000000000', duration: '2' }));
    const c = client(room, 'cccc0003');
    const second = await snapshotOf(c);
    assert.ok(second);
    const aTime = second.aaaa0001?.totalDominantSpeakerTime ?? -1;
    const bTime = second.bbbb0002?.totalDominantSpeakerTime ?? -1;
    assert.ok(aTime >= 550 && aTime < 1100, `A spoke ~600 ms, got ${aTime}`);
    assert.ok(bTime >= 250 && bTime < 1200, `B speaks since ~300 ms, got ${bTime}`);
    assert.deepEqual(second.bbbb0002?.faceLandmarks, [{ faceExpression: 'happy', timestamp: 1700000000000, duration: 2 }]);
    assert.equal(second.cccc0003, undefined, 'not the joiner itself');

    // B silent: its time stops; an outsider's claim for this room is ignored.
    await dominant(b, true);
    const outsider = client(unique('other'), 'xxxx0009');
    await outsider.join();
    await dominant(outsider, false, b.roomJid);
    await a.leave();
    await sleep(1000);
    const d = client(room, 'dddd0004');
    const third = await snapshotOf(d);
    assert.ok(third);
    assert.equal(third.aaaa0001?.totalDominantSpeakerTime, aTime, 'A left: its time stays');
    assert.equal(third.aaaa0001?.displayName, 'Alice');
    const paused = third.bbbb0002?.totalDominantSpeakerTime ?? -1;
    // Until the silence flag B counted on for ~300 ms more; silent for another ~1300 ms, it must not count those.
    assert.ok(paused >= bTime + 250 && paused < bTime + 900, `B silent for ~1300 ms adds nothing: ${bTime} -> ${paused}`);
    assert.equal(third.xxxx0009, undefined);
    assert.deepEqual(Object.keys(third).sort(), ['aaaa0001', 'bbbb0002', 'cccc0003']);

    // Speaking again counts again.
    await dominant(b, false);
    await sleep(400);
    const e = client(room, 'eeee0005');
    const fourth = await snapshotOf(e);
    assert.ok((fourth?.bbbb0002?.totalDominantSpeakerTime ?? 0) >= paused + 350);
  });
});
