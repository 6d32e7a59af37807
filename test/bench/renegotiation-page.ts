/**
 * Bench page (bundled by test/bench/jvb.ts): the cost of one `source-add` in a bridge session that already
 * has N remote sources. The engine's JvbSession runs on a real RTCPeerConnection; the focus's Jingle is
 * built here (protocol.md 5.3-5.4 shapes, a throwaway DTLS fingerprint), and IQs we send go nowhere, so only
 * the client side is measured: from handing the source-add to the session to its remote track being there.
 */
import { $iq, Strophe } from 'strophe.js';
import { JvbSession } from '../../src/jingle/JvbSession.js';
import { newContent, type Content, type JingleDescription } from '../../src/jingle/model.js';
import { appendContents } from '../../src/jingle/toJingle.js';
import type { XmppConnection } from '../../src/xmpp/XmppConnection.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');

function content(media: 'audio' | 'video' | 'application'): Content {
  const c = newContent(media === 'application' ? 'data' : media, media);
  c.transport = {
    ufrag: 'bench',
    pwd: 'benchbenchbenchbenchbe',
    fingerprints: [{ hash: 'sha-256', setup: 'actpass', value: FINGERPRINT }],
    candidates: [{ foundation: '1', component: 1, protocol: 'udp', priority: 2130706431, ip: '127.0.0.1', port: 9, type: 'host', generation: 0 }],
    rtcpMux: true,
    ...(media === 'application' ? { sctp: { port: 5000, protocol: 'webrtc-datachannel', streams: 1024 } } : {}),
  };
  if (media === 'audio') c.payloadTypes = [{ id: 111, name: 'opus', clockrate: 48000, channels: 2, parameters: [{ name: 'minptime', value: '10' }], rtcpFb: [] }];
  if (media === 'video') {
    c.payloadTypes = [
      { id: 100, name: 'VP8', clockrate: 90000, parameters: [], rtcpFb: [{ type: 'nack' }, { type: 'nack', subtype: 'pli' }, { type: 'ccm', subtype: 'fir' }] },
      { id: 96, name: 'rtx', clockrate: 90000, parameters: [{ name: 'apt', value: '100' }], rtcpFb: [] },
    ];
  }
  c.rtcpMux = media !== 'application';
  return c;
}

let ssrc = 1000;
/** Sources of `count` / 2 endpoints, each with audio and video (+RTX). */
function addSources(description: JingleDescription, endpoints: number, prefix: string): void {
  const audio = description.contents.find((c) => c.media === 'audio');
  const video = description.contents.find((c) => c.media === 'video');
  for (let i = 0; i < endpoints; i++) {
    const owner = `${prefix}${i}`;
    audio?.sources.push({ ssrc: ssrc++, owner, name: `${owner}-a0`, msid: `${owner}-audio-0-1 a-1` });
    const v = ssrc++;
    const r = ssrc++;
    video?.sources.push({ ssrc: v, owner, name: `${owner}-v0`, msid: `${owner}-video-0-1 v-1`, videoType: 'camera' }, { ssrc: r, owner, name: `${owner}-v0`, msid: `${owner}-video-0-1 v-1` });
    video?.groups.push({ semantics: 'FID', ssrcs: [v, r] });
  }
}

function jingle(action: string, description: JingleDescription, parts: 'full' | 'sources'): Element {
  const iq = $iq({ type: 'set' }).c('jingle', { xmlns: 'urn:xmpp:jingle:1', action, sid: 'bench' });
  appendContents(iq, description, { parts, ssrcInfo: true });
  // As it arrives: serialized and parsed, so that every element has its namespace.
  const doc = new DOMParser().parseFromString(Strophe.serialize(iq.tree()), 'text/xml');
  return doc.documentElement.firstElementChild as Element;
}

const xmpp = { jid: 'bench@example.com/x', sendIQ: () => Promise.resolve(undefined) } as unknown as XmppConnection;

/** `runs` samples of one source-add (one endpoint's audio) into a session with `sources` remote sources. */
async function measure(sources: number, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const offer: JingleDescription = { contents: [content('audio'), content('video'), content('application')], bundle: ['audio', 'video', 'data'] };
    // Each endpoint has an audio and a video source.
    addSources(offer, Math.round(sources / 2), `e${run}x`);
    const session = new JvbSession({ xmpp, sid: 'bench', focusJid: 'room@conference.example.com/focus', localJid: xmpp.jid, endpointId: 'bench', rtcConfig: {}, preferSctp: false, simulcast: false });
    await session.accept(jingle('session-initiate', offer, 'full'), []);
    const add: JingleDescription = { contents: [content('audio')], bundle: [] };
    addSources(add, 1, `n${run}x`);
    const owner = `n${run}x0`;
    const done = new Promise<number>((resolve) => session.on('remoteMedia', (media) => media.source.owner === owner && resolve(performance.now())));
    const start = performance.now();
    session.handle('source-add', jingle('source-add', add, 'sources'));
    samples.push((await done) - start);
    session.close();
  }
  return samples;
}

Object.assign(window, { measure, ready: true });
