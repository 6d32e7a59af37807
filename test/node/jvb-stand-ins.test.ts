/**
 * The focus stand-in's Jingle sessions and the bridge stand-in (issue 7), against a real Prosody, with
 * Chromium pages as media clients (raw RTCPeerConnection + the engine's pure Jingle functions, see
 * jvb-page.ts) and XMPP-only clients; nothing of the engine's session code is involved.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startBackend, type Backend } from '../backend/launcher.js';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic, type StaticServer } from '../static-server.js';
import { xml } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';
import { JVB_FEATURES, JvbClient, NS } from './jvb-clients.js';

const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('focus and bridge stand-ins (jvb)', { timeout: 180_000 }, () => {
  let backend: Backend;
  let server: StaticServer;
  let browser: Browser;
  const clients: JvbClient[] = [];

  before(async () => {
    backend = await startBackend({ jvb: true, focusLog: process.env.FOCUS_LOG === '1', singleParticipantTimeoutMs: 3000 });
    server = await serveStatic(process.cwd(), { '/blank.html': { type: 'text/html', body: '<!doctype html><title>jvb</title>' } });
    browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.leave()));
    await browser?.close();
    await server?.close();
    await backend?.stop();
  });

  const client = (room: string, nick: string, options: ConstructorParameters<typeof JvbClient>[3] = {}): JvbClient => {
    const c = new JvbClient(backend, room, nick, { browser, origin: server.origin, ...options });
    clients.push(c);
    return c;
  };

  it('three Chromium clients receive each other\'s audio and video through the bridge, with a working bridge channel', async () => {
    const room = unique('media');
    const [a, b, c] = [client(room, 'aaaa0001'), client(room, 'bbbb0002'), client(room, 'cccc0003')];
    await a.join();
    await b.join();
    const third = Date.now();
    await c.join();
    const initiate = await a.until('session-initiate', () => a.received('session-initiate')[0]);
    assert.equal(initiate.from, `${a.roomJid}/focus`, 'from the focus occupant');
    assert.equal(initiate.to, a.jid, 'to the real full JID');
    assert.equal(initiate.element.attrs.initiator, `${backend.endpoints.focusJid}/focus`);
    assert.deepEqual(initiate.element.getChildren('content').map((x) => x.attrs.name), ['audio', 'video', 'data']);
    assert.ok(initiate.element.getChild('bridge-session', NS.focus)?.attrs.id);
    assert.match(a.webSocketUrl(), /^ws:\/\/127\.0\.0\.1:\d+\/colibri-ws\/[^/]+\/[^/]+\/aaaa0001\?pwd=\w+$/);
    const json = JSON.parse(initiate.element.getChild('json-message', NS.jitmeet)?.text() ?? '{}') as { sources: Record<string, unknown> };
    assert.ok(json.sources.jvb, 'feedback sources');
    const everyone = [a, b, c];
    for (const x of everyone) {
      await x.until('session-accept result', () => {
        if (x.acceptError) throw x.acceptError;
        return x.acceptResult;
      });
    }
    // The first joiner learns the others' sources by source-add (JSON, no contents).
    await a.until('source-add for b and c', () => {
      const owners = a.received('source-add').flatMap((j) => Object.keys((JSON.parse(j.element.getChild('json-message', NS.jitmeet)?.text() ?? '{}') as { sources?: object }).sources ?? {}));
      return owners.includes('bbbb0002') && owners.includes('cccc0003');
    });
    assert.equal(a.received('source-add')[0]?.element.getChildren('content').length, 0);
    const last = new Map<string, string>();
    for (const x of everyone) {
      await waitFor(`${x.nick} gets media`, async () => {
        const s = await x.stats();
        const video = s.inbound.filter((i) => i.kind === 'video' && i.frames > 0);
        const audio = s.inbound.filter((i) => i.kind === 'audio' && i.packets > 0);
        if (video.length >= 2 && audio.length >= 2) return true;
        last.set(x.nick, JSON.stringify(s));
        if (process.env.JVB_DEBUG_DIR) writeFileSync(`${process.env.JVB_DEBUG_DIR}/${x.nick}.json`, JSON.stringify(await x.call('debug'), null, 1));
        return false;
      }, 20_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${[...last].join('\n')}\n${everyone.map((e) => `${e.nick}: ${e.errors.join('; ')}`).join('\n')}`);
      });
    }
    process.stdout.write(`# time to media for 3 clients (third join -> all decode both others): ${Date.now() - third} ms\n`);
    // The pages send the offer's first codec, AV1 (one stream); the bridge forwards it as is.
    for (const x of everyone) {
      const codecs = (await x.stats()).inbound.filter((i) => i.kind === 'video' && i.frames > 0).map((i) => i.codec);
      assert.deepEqual([...new Set(codecs)], ['video/AV1'], `${x.nick} decodes AV1`);
    }
    const ticks = (): number => {
      const fields = readFileSync(`/proc/${backend.pids.focus}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    };
    const t0 = Date.now();
    const cpu0 = ticks();
    await sleep(3000);
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${backend.pids.focus}/status`, 'utf8'))?.[1];
    process.stdout.write(`# focus + bridge stand-in process while forwarding 3x(audio + 320x240 video): ${Math.round(((ticks() - cpu0) * 10 * 100) / (Date.now() - t0))}% of one core, RSS ${Math.round(Number(rss) / 1024)} MB\n`);

    // Bridge channel: a on the SCTP data channel, b on the Colibri websocket; a wrong pwd is refused.
    await assert.rejects(() => c.openWebSocket(c.webSocketUrl().replace(/pwd=\w+/, 'pwd=wrong')), /401/);
    await a.call('openChannel');
    await b.openWebSocket();
    await b.until('ServerHello on the websocket', () => b.wsMessages.find((m) => m.colibriClass === 'ServerHello'));
    await waitFor('ServerHello on the data channel', async () => (await a.channelMessages()).some((m) => m.colibriClass === 'ServerHello'), 5000);
    b.ws?.send(JSON.stringify({ colibriClass: 'ClientHello' }));
    await b.until('ServerHello in reply to ClientHello', () => b.wsMessages.filter((m) => m.colibriClass === 'ServerHello').length >= 2);
    b.ws?.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: '', msgPayload: { hello: 'all' } }));
    await waitFor('broadcast EndpointMessage on the data channel', async () =>
      (await a.channelMessages()).some((m) => m.colibriClass === 'EndpointMessage' && m.from === 'bbbb0002' && (m.msgPayload as { hello?: string }).hello === 'all'), 5000);
    await a.call('channelSend', { colibriClass: 'EndpointMessage', to: 'bbbb0002', msgPayload: { hello: 'b' } });
    await a.call('channelSend', { colibriClass: 'EndpointStats', connectionQuality: 100 });
    await b.until('EndpointMessage to b on the websocket', () => b.wsMessages.find((m) => m.colibriClass === 'EndpointMessage' && m.from === 'aaaa0001'));
    await b.until('EndpointStats with from', () => b.wsMessages.find((m) => m.colibriClass === 'EndpointStats' && m.from === 'aaaa0001' && m.connectionQuality === 100));
    assert.ok(b.wsMessages.some((m) => m.colibriClass === 'ForwardedSources'), 'ForwardedSources on connect');
    assert.ok(b.wsMessages.some((m) => m.colibriClass === 'SenderSourceConstraints' && m.sourceName === 'bbbb0002-v0' && m.maxHeight === 180), 'SenderSourceConstraints at the default height');

    // Dominant speaker follows the endpoint that sends audio level.
    await a.call('setAudio', false);
    await c.call('setAudio', false);
    await b.until('b dominant', () => b.wsMessages.findLast((m) => m.colibriClass === 'DominantSpeakerEndpointChangeEvent' && m.silence === false)?.dominantSpeakerEndpoint === 'bbbb0002' || undefined);
    await b.call('setAudio', false);
    await c.call('setAudio', true);
    const switched = await b.until('c dominant', () => b.wsMessages.findLast((m) => m.colibriClass === 'DominantSpeakerEndpointChangeEvent')?.dominantSpeakerEndpoint === 'cccc0003' ? b.wsMessages.findLast((m) => m.colibriClass === 'DominantSpeakerEndpointChangeEvent') : undefined);
    assert.ok((switched.previousSpeakers as string[]).includes('bbbb0002'), 'b among the previous speakers');

    // Receiver constraints, measured on a's inbound video: lastN 1 keeps one video, maxHeight 0 stops both.
    const videoBytes = async (): Promise<Map<number, number>> => new Map((await a.stats()).inbound.filter((i) => i.kind === 'video').map((i) => [i.ssrc, i.bytes]));
    const growth = async (): Promise<number[]> => {
      const before = await videoBytes();
      await sleep(1500);
      const after = await videoBytes();
      return [...after].map(([ssrc, bytes]) => bytes - (before.get(ssrc) ?? 0)).sort((x, y) => y - x);
    };
    await a.call('channelSend', { colibriClass: 'ReceiverVideoConstraints', lastN: 1, onStageSources: ['bbbb0002-v0'], defaultConstraints: { maxHeight: 720 } });
    const forwarded = async (): Promise<unknown> => (await a.channelMessages()).findLast((m) => m.colibriClass === 'ForwardedSources')?.forwardedSources;
    await waitFor('ForwardedSources with one source', async () => JSON.stringify(await forwarded()) === '["bbbb0002-v0"]', 5000);
    await sleep(300);
    const oneVideo = await growth();
    assert.ok((oneVideo[0] ?? 0) > 5000 && (oneVideo[1] ?? 0) === 0, `lastN 1: one video flows, one does not (${oneVideo.join(', ')})`);
    assert.deepEqual(await forwarded(), ['bbbb0002-v0'], 'the on-stage source');
    await a.call('channelSend', { colibriClass: 'ReceiverVideoConstraints', lastN: -1, defaultConstraints: { maxHeight: 0 } });
    await sleep(300);
    const noVideo = await growth();
    assert.deepEqual(noVideo, [0, 0], 'maxHeight 0: no video');
    assert.ok(b.wsMessages.some((m) => m.colibriClass === 'SenderSourceConstraints' && m.sourceName === 'bbbb0002-v0' && m.maxHeight === 720), 'SenderSourceConstraints follows the largest wanted height');
    await a.call('channelSend', { colibriClass: 'ReceiverVideoConstraints', defaultConstraints: { maxHeight: 180 } });
    await sleep(500);
    const bothVideo = await growth();
    assert.ok((bothVideo[1] ?? 0) > 5000, `both videos again (${bothVideo.join(', ')})`);

    // An endpoint whose media stops is reported inactive, then active again.
    await c.call('sending', false);
    await b.until('c inactive', () => b.wsMessages.find((m) => m.colibriClass === 'EndpointConnectivityStatusChangeEvent' && m.endpoint === 'cccc0003' && m.active === 'false'), 8000);
    await c.call('sending', true);
    await b.until('c active', () => b.wsMessages.find((m) => m.colibriClass === 'EndpointConnectivityStatusChangeEvent' && m.endpoint === 'cccc0003' && m.active === 'true'), 8000);

    // A leave: source-remove of the leaver's sources to the others.
    await c.leave();
    for (const x of [a, b]) {
      const removal = await x.until('source-remove', () => x.received('source-remove')[0]);
      const owners = Object.keys((JSON.parse(removal.element.getChild('json-message', NS.jitmeet)?.text() ?? '{}') as { sources?: object }).sources ?? {});
      assert.deepEqual(owners, ['cccc0003']);
    }
  });

  it('offers Jicofo\'s default video codecs (AV1, VP8, H.264, VP9 with RTX), the dependency descriptor and extmap-allow-mixed; VP8 only when so configured', async () => {
    const describe = (jingle: XmlElement): { payloads: string[]; rtx: string[]; h264: string | undefined; ext: string[]; mixed: boolean } => {
      const video = jingle.getChildren('content').find((c) => c.attrs.name === 'video')?.getChild('description', NS.rtp);
      const types = video?.getChildren('payload-type') ?? [];
      return {
        payloads: types.filter((p) => p.attrs.name !== 'rtx').map((p) => `${p.attrs.id} ${p.attrs.name}`),
        rtx: types.filter((p) => p.attrs.name === 'rtx').map((p) => `${p.attrs.id}->${p.getChildren('parameter').find((x) => x.attrs.name === 'apt')?.attrs.value}`),
        h264: types.find((p) => p.attrs.name === 'H264')?.getChildren('parameter').map((x) => `${x.attrs.name}=${x.attrs.value}`).join(';'),
        ext: (video?.getChildren('rtp-hdrext') ?? []).map((e) => `${e.attrs.id} ${e.attrs.uri}`),
        mixed: Boolean(video?.getChild('extmap-allow-mixed')),
      };
    };
    const room = unique('offer');
    const xmppOnly = (r: string, nick: string): JvbClient => {
      const c = new JvbClient(backend, r, nick);
      clients.push(c);
      return c;
    };
    const [x, y] = [xmppOnly(room, 'oooo0001'), xmppOnly(room, 'pppp0002')];
    await x.join();
    await y.join();
    const offer = describe((await x.until('session-initiate', () => x.received('session-initiate')[0])).element);
    assert.deepEqual(offer.payloads, ['41 AV1', '100 VP8', '107 H264', '101 VP9'], 'protocol.md 5.3 order and payload types');
    assert.deepEqual(offer.rtx, ['42->41', '96->100', '99->107', '97->101']);
    assert.equal(offer.h264, 'profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1;');
    assert.ok(offer.ext.includes('11 https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'), offer.ext.join());
    assert.ok(offer.mixed, 'extmap-allow-mixed');
    const vp8Room = unique('standin-vp8only-');
    const [v, w] = [xmppOnly(vp8Room, 'vvvv0001'), xmppOnly(vp8Room, 'wwww0002')];
    await v.join();
    await w.join();
    const vp8 = describe((await v.until('session-initiate', () => v.received('session-initiate')[0])).element);
    assert.deepEqual([vp8.payloads, vp8.rtx], [['100 VP8'], ['96->100']]);
  });

  it('validates sources like Jicofo, answers bad-request, relays XML sources stripped of simulcast, restarts and times out', async () => {
    const room = unique('xml');
    const xmlFeatures = JVB_FEATURES.filter((f) => f !== 'http://jitsi.org/json-encoded-sources');
    const [x, y] = [new JvbClient(backend, room, 'xxxx0001', { features: xmlFeatures }), new JvbClient(backend, room, 'yyyy0002', { features: xmlFeatures })];
    clients.push(x, y);
    await x.join();
    await y.join();
    const xi = await x.until('session-initiate', () => x.received('session-initiate')[0]);
    await y.until('session-initiate', () => y.received('session-initiate')[0]);
    assert.equal(xi.element.getChild('json-message', NS.jitmeet), undefined, 'XML sources without json-encoded-sources');
    const feedback = xi.element.getChildren('content')[1]?.getChild('description', NS.rtp)?.getChildren('source', NS.ssma)[0];
    assert.equal(feedback?.getChild('ssrc-info', NS.jitmeet)?.attrs.owner, 'jvb');
    assert.equal(feedback?.attrs.name, 'jvb-v0');
    const sid = (c: JvbClient): string => c.received('session-initiate').at(-1)?.element.attrs.sid ?? '';
    const refused = async (c: JvbClient, jingle: XmlElement, condition: string): Promise<void> => {
      await assert.rejects(() => c.sendToFocus(jingle), (error: Error & { condition?: string }) => {
        assert.equal(error.condition, condition, error.message);
        return true;
      });
    };
    const sim = [1001, 1002, 1003];
    const rtx = [1101, 1102, 1103];
    const xVideo = [...sim, ...rtx].map((ssrc) => ({ ssrc, name: 'xxxx0001-v0', msid: 'xs xv' }));
    const xGroups = [{ semantics: 'SIM', ssrcs: sim }, ...sim.map((s, i) => ({ semantics: 'FID', ssrcs: [s, rtx[i] ?? 0] }))];
    const xAudio = [{ ssrc: 1000, name: 'xxxx0001-a0', msid: 'xs xa' }];
    // Malformed answers.
    await refused(x, jingleOf('session-accept', sid(x), { audio: xAudio, video: xVideo, videoGroups: [{ semantics: 'FID', ssrcs: [1001, 1101, 1102] }] }), 'bad-request');
    await refused(x, jingleOf('session-accept', sid(x), { audio: [...xAudio, { ssrc: 1000, msid: 'xs xa' }] }), 'bad-request');
    await refused(x, jingleOf('session-accept', sid(x), { audio: [{ ssrc: 0, msid: 'xs xa' }] }), 'bad-request');
    await refused(x, jingleOf('session-accept', sid(x), { audio: xAudio }, false), 'bad-request');
    await refused(x, jingleOf('session-accept', 'nosuchsid', { audio: xAudio }), 'item-not-found');
    await refused(x, jingleOf('content-add', sid(x), {}), 'bad-request');
    // A valid answer with simulcast: y learns x's sources as XML, first SIM layer and its RTX only.
    await x.sendToFocus(jingleOf('session-accept', sid(x), { audio: xAudio, video: xVideo, videoGroups: xGroups }));
    await y.sendToFocus(jingleOf('session-accept', sid(y), { audio: [{ ssrc: 2000, name: 'yyyy0002-a0', msid: 'ys ya' }] }));
    const added = await y.until('source-add', () => y.received('source-add')[0]);
    const announced = added.element.getChildren('content').flatMap((content) => content.getChild('description', NS.rtp)?.getChildren('source', NS.ssma) ?? []);
    assert.deepEqual(announced.map((s) => Number(s.attrs.ssrc)).sort(), [1000, 1001, 1101]);
    assert.ok(announced.every((s) => s.getChild('ssrc-info', NS.jitmeet)?.attrs.owner === 'xxxx0001'));
    const groups = added.element.getChildren('content').flatMap((content) => content.getChild('description', NS.rtp)?.getChildren('ssrc-group', NS.ssma) ?? []);
    assert.deepEqual(groups.map((g) => g.attrs.semantics), ['FID']);
    // Invalid source-add / source-remove.
    await refused(x, jingleOf('source-add', sid(x), { audio: [{ ssrc: 2000, msid: 'q q' }] }), 'bad-request');
    await refused(x, jingleOf('source-add', sid(x), { audio: [{ ssrc: 3000, msid: 'ys ya' }] }), 'bad-request');
    await refused(x, jingleOf('source-add', sid(x), { video: [{ ssrc: 3001 }, { ssrc: 3002 }], videoGroups: [{ semantics: 'FID', ssrcs: [3001, 3002] }] }), 'bad-request');
    await refused(x, jingleOf('source-remove', sid(x), { audio: [{ ssrc: 2000 }] }), 'bad-request');
    // Valid source-add and source-remove reach y.
    await x.sendToFocus(jingleOf('source-add', sid(x), { video: [{ ssrc: 4000, name: 'xxxx0001-v1', msid: 'xd xd', videoType: 'desktop' }] }));
    await y.until('second source-add', () => y.received('source-add')[1]);
    assert.equal(y.received('source-add')[1]?.element.getChild('content')?.getChild('description', NS.rtp)?.getChild('source', NS.ssma)?.attrs.videoType, 'desktop');
    await x.sendToFocus(jingleOf('source-remove', sid(x), { video: [{ ssrc: 4000 }] }));
    await y.until('source-remove', () => y.received('source-remove')[0]);
    // An in-place ICE restart is refused; a terminate with restart gives a brand-new session.
    await refused(x, xml('jingle', { xmlns: NS.jingle, action: 'session-info', sid: sid(x) }, xml('bridge-session', { xmlns: NS.focus, id: 'x', 'ice-restart': 'true' })), 'feature-not-implemented');
    const bsid = xi.element.getChild('bridge-session', NS.focus)?.attrs.id ?? '';
    const oldSid = sid(x);
    await x.sendToFocus(xml('jingle', { xmlns: NS.jingle, action: 'session-terminate', sid: oldSid }, xml('reason', {}, xml('success')), xml('bridge-session', { xmlns: NS.focus, id: bsid, restart: 'true' })));
    await x.until('a new session-initiate', () => x.received('session-initiate')[1]);
    assert.notEqual(sid(x), oldSid);
    await y.until('source-remove of the terminated session', () => y.received('source-remove')[1]);
    // Bridge test controls: websockets cut and reconnected; a restart re-invites with new URLs.
    await x.openWebSocket();
    const closed = new Promise<number>((resolve) => x.ws?.once('close', (code) => resolve(code)));
    assert.ok((await backend.cutBridgeWebsockets()) >= 1);
    assert.equal(await closed, 1006);
    await x.openWebSocket();
    const oldUrl = y.webSocketUrl();
    await backend.restartBridge();
    const moved = await y.until('session-terminate "moving"', () => y.received('session-terminate')[0]);
    assert.equal(moved.element.getChild('reason')?.getChildText('text'), 'moving');
    await y.until('a session-initiate after the restart', () => y.received('session-initiate')[1]);
    await assert.rejects(() => y.openWebSocket(oldUrl), /404/);
    await y.openWebSocket();
    // Back to one participant: Jicofo's single-participant timeout (3 s here) ends the session.
    await x.leave();
    const expired = await y.until('session-terminate expired', () => y.received('session-terminate').find((j) => j.element.getChild('reason')?.getChild('expired')), 10_000);
    assert.equal(expired.element.getChild('reason')?.getChildText('text'), 'Idle session timeout');
  });

  it('forwards one simulcast layer on the announced SSRC and switches layers on the receiver\'s maxHeight (VP8, the codec the sender chose)', async () => {
    const codec = 'video/VP8';
    // A browser of its own: the fake camera is shared between the pages of one browser (backend.md).
    const own = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
    try {
      const room = unique('simulcast');
      const sender = new JvbClient(backend, room, 'ssss0001', { browser: own, origin: server.origin, media: { width: 1280, height: 720, simulcast: true, codec } });
      const receiver = new JvbClient(backend, room, 'rrrr0002', { browser: own, origin: server.origin, media: { width: 1280, height: 720, simulcast: false } });
      clients.push(sender, receiver);
      await sender.join();
      await receiver.join();
      await receiver.until('accepted', () => receiver.acceptResult);
      await receiver.openWebSocket();
      // The sender's sources reach the receiver in its session-initiate when the sender had accepted before the
      // receiver joined, else in a source-add afterwards: whichever it was.
      const announced = await receiver.until('the sender video in session-initiate or source-add', () => {
        for (const action of ['session-initiate', 'source-add']) {
          for (const jingle of receiver.received(action)) {
            const text = jingle.element.getChild('json-message', NS.jitmeet)?.text();
            const sources = text ? (JSON.parse(text) as { sources?: Record<string, [{ s: number }[], unknown[]]> }).sources?.ssss0001 : undefined;
            if (sources && sources[0].length > 0) return sources;
          }
        }
        return undefined;
      });
      assert.equal(announced[0].length, 2, 'first SIM SSRC and its RTX only');
      const height = async (): Promise<number> => (await receiver.stats()).inbound.filter((i) => i.kind === 'video' && i.frames > 0).map((i) => i.height)[0] ?? 0;
      receiver.ws?.send(JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', constraints: { 'ssss0001-v0': { maxHeight: 180 } } }));
      await waitFor('the 180p layer', async () => (await height()) === 180, 20_000);
      receiver.ws?.send(JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', constraints: { 'ssss0001-v0': { maxHeight: 720 } } }));
      await waitFor('a higher layer', async () => (await height()) > 180, 20_000);
      const videos = (await receiver.stats()).inbound.filter((i) => i.kind === 'video' && i.packets > 0);
      assert.deepEqual(videos.map((v) => v.ssrc), [announced[0][0]?.s], 'one SSRC, the announced one');
      assert.deepEqual(videos.map((v) => v.codec), [codec], 'the codec the sender chose, forwarded as is');
      process.stdout.write(`# simulcast (${codec}): switched 180p -> ${await height()}p on ssrc ${videos[0]?.ssrc}\n`);
    } finally {
      await own.close();
    }
  });
});

type Src = { ssrc: number; name?: string; msid?: string; videoType?: string };
type Grp = { semantics: string; ssrcs: number[] };

/** A client's Jingle with XML contents (protocol.md 5.6 answer form); `transport` false leaves it out. */
function jingleOf(action: string, sid: string, s: { audio?: Src[]; video?: Src[]; audioGroups?: Grp[]; videoGroups?: Grp[] }, transport = true): XmlElement {
  const content = (media: 'audio' | 'video', sources: Src[], groups: Grp[]): XmlElement =>
    xml(
      'content',
      { creator: 'responder', name: media, senders: 'both' },
      xml(
        'description',
        { xmlns: NS.rtp, media },
        ...sources.map((x) =>
          xml('source', { xmlns: NS.ssma, ssrc: String(x.ssrc), ...(x.name ? { name: x.name } : {}), ...(x.videoType ? { videoType: x.videoType } : {}) }, ...(x.msid ? [xml('parameter', { name: 'msid', value: x.msid })] : [])),
        ),
        ...groups.map((g) => xml('ssrc-group', { xmlns: NS.ssma, semantics: g.semantics }, ...g.ssrcs.map((ssrc) => xml('source', { ssrc: String(ssrc) })))),
      ),
      ...(transport && action === 'session-accept'
        ? [xml('transport', { xmlns: NS.ice, ufrag: 'Lr7q', pwd: 'abcdefghijklmnopqrstuvwx' }, xml('fingerprint', { xmlns: 'urn:xmpp:jingle:apps:dtls:0', hash: 'sha-256', setup: 'active' }, Array(32).fill('AB').join(':')))]
        : []),
    );
  const contents: XmlElement[] = [];
  if (s.audio || action === 'session-accept') contents.push(content('audio', s.audio ?? [], s.audioGroups ?? []));
  if (s.video || action === 'session-accept') contents.push(content('video', s.video ?? [], s.videoGroups ?? []));
  return xml('jingle', { xmlns: NS.jingle, action, sid }, ...contents);
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
