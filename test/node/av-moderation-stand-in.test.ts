/**
 * The av_moderation component stand-in and its Jicofo side (test/backend/features/av-moderation.ts,
 * protocol.md 13.2) against the real Prosody with XMPP-only clients: enable/disable JSON to everyone and to
 * joiners, whitelists to moderators, approved/removed to the target, "ask to unmute", the focus's mute IQs on
 * enable, the refusal of a non-whitelisted self-unmute, and a participant's commands ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { FeatureClient} from './feature-clients.js';
import { featureSuite, sleep, unique } from './feature-clients.js';

describe('av_moderation stand-in', { timeout: 60_000 }, () => {
  const suite = featureSuite('avmoderation');
  const client = suite.client;
  const command = (attrs: Record<string, string>) => xml('av_moderation', attrs);
  const unmute = (c: FeatureClient, kind = 'audio') => c.focusIq(xml('mute', { xmlns: `http://jitsi.org/jitmeet/${kind}`, jid: c.occupantJid }, 'false'));
  const refusal = (promise: Promise<unknown>): Promise<string | undefined> =>
    promise.then(
      () => undefined,
      (error: { condition?: string; message?: string }) => error.condition ?? error.message ?? 'error',
    );

  async function threeInARoom(): Promise<[FeatureClient, FeatureClient, FeatureClient]> {
    const room = unique('avmod');
    const a = client(room, 'aaaa0001');
    const b = client(room, 'bbbb0002');
    const c = client(room, 'cccc0003');
    await a.join();
    await a.untilModerator();
    await b.join();
    await c.join();
    await a.until('everyone in A\'s roster', () => [b, c].every((x) => a.presences.some((p) => p.attrs.from === x.occupantJid)));
    return [a, b, c];
  }

  it('ignores a participant\'s enable and whitelist; a moderator\'s enable reaches everyone, mutes the others, whitelists the moderators', async () => {
    const [a, b, c] = await threeInARoom();
    await b.sendTo(suite.address(), command({ enable: 'true', mediaType: 'audio' }));
    await b.sendTo(suite.address(), command({ jidToWhitelist: b.occupantJid, mediaType: 'audio' }));
    await sleep(500);
    for (const x of [a, b, c]) assert.deepEqual(x.jsonOfType('av_moderation'), [], `${x.nick} got nothing`);
    assert.equal(await refusal(unmute(b)), undefined, 'no moderation yet: unmuting is fine');

    await a.sendTo(suite.address(), command({ enable: 'true', mediaType: 'audio' }));
    for (const x of [a, b, c]) {
      const [first] = await x.until('enabled JSON', () => (x.jsonOfType('av_moderation').length ? x.jsonOfType('av_moderation') : undefined));
      assert.deepEqual(first, { type: 'av_moderation', room: a.roomJid, enabled: true, mediaType: 'audio', actor: a.occupantJid });
      assert.equal(x.json.find((j) => j.payload.type === 'av_moderation')?.from, suite.address());
    }
    const whitelist = await a.until('whitelists', () => a.jsonOfType('av_moderation').find((j) => j.whitelists));
    assert.deepEqual(whitelist, { type: 'av_moderation', room: a.roomJid, whitelists: { audio: [a.occupantJid] }, mediaType: 'audio' });
    for (const x of [b, c]) {
      const [mute] = await x.until('mute IQ from the focus', () => (x.mutes.length ? x.mutes : undefined));
      assert.equal(mute?.attrs.from, `${a.roomJid}/focus`);
      assert.equal(mute?.getChild('mute', 'http://jitsi.org/jitmeet/audio')?.text(), 'true');
      assert.equal(mute?.getChild('mute', 'http://jitsi.org/jitmeet/audio')?.attrs.actor, undefined);
    }
    assert.equal(a.mutes.length, 0, 'the actor is not muted');
    assert.equal(b.jsonOfType('av_moderation').some((j) => j.whitelists), false, 'participants never see the lists');

    assert.equal(await refusal(unmute(b)), 'not-allowed');
    assert.equal(await refusal(unmute(b, 'video')), undefined, 'video is not moderated');
    assert.equal(await refusal(unmute(a)), undefined, 'moderators may unmute');
  });

  it('approve and reject: the target and the moderators hear of it; a joiner learns the state', async () => {
    const [a, b, c] = await threeInARoom();
    await a.sendTo(suite.address(), command({ enable: 'true', mediaType: 'video' }));
    await b.until('enabled', () => b.jsonOfType('av_moderation').length > 0);
    await a.sendTo(suite.address(), command({ jidToWhitelist: b.occupantJid, mediaType: 'video' }));
    const approved = await b.until('approved', () => b.jsonOfType('av_moderation').find((j) => j.approved));
    assert.deepEqual(approved, { type: 'av_moderation', room: a.roomJid, mediaType: 'video', approved: true });
    await a.until('list with B', () => a.jsonOfType('av_moderation').find((j) => JSON.stringify(j.whitelists) === JSON.stringify({ video: [a.occupantJid, b.occupantJid] })));
    assert.equal(await refusal(unmute(b, 'video')), undefined, 'B is whitelisted');
    assert.equal(await refusal(unmute(c, 'video')), 'not-allowed');
    assert.equal(c.jsonOfType('av_moderation').some((j) => j.approved), false);

    await a.sendTo(suite.address(), command({ jidToBlacklist: b.occupantJid, mediaType: 'video' }));
    const removed = await b.until('removed', () => b.jsonOfType('av_moderation').find((j) => j.removed));
    assert.deepEqual(removed, { type: 'av_moderation', room: a.roomJid, mediaType: 'video', removed: true });
    const list = await a.until('list without B', () => a.jsonOfType('av_moderation').find((j) => j.removed));
    assert.deepEqual(list.whitelists, { video: [a.occupantJid] });
    assert.equal(await refusal(unmute(b, 'video')), 'not-allowed');

    const d = client(b.room, 'dddd0004');
    await d.join();
    const joined = await d.until('state on join', () => d.jsonOfType('av_moderation')[0]);
    assert.deepEqual(joined, { type: 'av_moderation', room: a.roomJid, enabled: true, mediaType: 'video', actor: a.occupantJid });

    await a.sendTo(suite.address(), command({ enable: 'false', mediaType: 'video' }));
    const off = await c.until('disabled', () => c.jsonOfType('av_moderation').find((j) => j.enabled === false));
    assert.equal(off.actor, a.occupantJid);
    assert.equal(await refusal(unmute(c, 'video')), undefined);
  });

  it('"ask to unmute" while moderation is off: approved with from, to the target only', async () => {
    const [a, b, c] = await threeInARoom();
    await a.sendTo(suite.address(), command({ jidToWhitelist: b.occupantJid, mediaType: 'audio' }));
    const asked = await b.until('approved', () => b.jsonOfType('av_moderation')[0]);
    assert.deepEqual(asked, { type: 'av_moderation', room: a.roomJid, approved: true, mediaType: 'audio', from: a.occupantJid });
    await sleep(300);
    assert.deepEqual(c.jsonOfType('av_moderation'), []);
    assert.deepEqual(a.jsonOfType('av_moderation'), []);
  });
});
