/**
 * A hostile occupant (issue 12, items 5-11): a plain strophe.js client asks the focus for the conference,
 * joins the room through the real Prosody and sends stanzas an honest client never sends. The engine clients
 * in the room (Chromium, real WebRTC through the bridge stand-in where media matters) must keep a correct
 * view of the room and of everyone's media, and nothing may throw: window errors, unhandled rejections and
 * the engine logger's errors are all collected.
 */
import { expect } from '@open-wc/testing';
import { $iq, $msg, $pres } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import type { JitsiParticipant } from '../../src/conference/JitsiParticipant.js';
import { backendEndpoints, uniqueRoomName } from '../helpers/backend.js';
import { cleanupMedia, mediaClient, remoteTracks, untilMediaFrom } from '../helpers/bridge.js';
import { joinedClient, nextEvent, nextEventWhere, record } from '../helpers/engine.js';
import { until } from '../helpers/events.js';
import { closeRawConnections, conferenceRequest, rawConnect, rawSendIQ, type RawConnection, type RawIqError } from '../helpers/strophe.js';

const C = JitsiMeetJS.events.conference;
const NS_NICK = 'http://jabber.org/protocol/nick';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  closeRawConnections();
  await cleanupMedia();
});

/** Everything that would show a listener throwing: window errors, unhandled rejections, engine logger errors. */
function watchErrors(): string[] {
  const errors: string[] = [];
  const onError = (event: ErrorEvent): void => void errors.push(`window error: ${String(event.error ?? event.message)}`);
  const onRejection = (event: PromiseRejectionEvent): void => void errors.push(`unhandled rejection: ${String(event.reason)}`);
  const transport = { error: (...args: unknown[]): void => void errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')) };
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  JitsiMeetJS.addGlobalLogTransport(transport);
  cleanups.push(() => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
    JitsiMeetJS.removeGlobalLogTransport(transport);
  });
  return errors;
}

const randomNick = (): string => Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('');

interface Occupant {
  raw: RawConnection;
  roomJid: string;
  nick: string;
  /** Sends a full presence (protocol.md 4.2: every presence repeats the whole state). */
  presence(state?: { name?: string; sourceInfo?: string; join?: boolean }): void;
}

/**
 * A raw occupant: logs in anonymously, asks the focus for the room (protocol.md 3.1), joins as `nick`. Over
 * BOSH when it must send large stanzas: Prosody's websocket refuses a frame that arrives in more than a few
 * reads (`websocket_frame_fragment_limit`), long before its 256 KB stanza limit.
 */
async function rawOccupant(
  room: string,
  watcher: JitsiConference,
  state: { name?: string; sourceInfo?: string } = {},
  nick = randomNick(),
  transport: 'websocket' | 'BOSH' = 'websocket',
): Promise<Occupant> {
  const endpoints = await backendEndpoints();
  const raw = await rawConnect(transport === 'BOSH' ? endpoints.boshUrl : endpoints.websocketUrl, endpoints.domain);
  const roomJid = `${room}@${endpoints.mucDomain}`;
  await conferenceRequest(raw, endpoints.focusAddress, roomJid);
  const occupant: Occupant = {
    raw,
    roomJid,
    nick,
    presence({ name, sourceInfo, join } = {}) {
      const presence = $pres({ to: `${roomJid}/${nick}` });
      if (join) presence.c('x', { xmlns: 'http://jabber.org/protocol/muc' }).up();
      if (name !== undefined) presence.c('nick', { xmlns: NS_NICK }, name);
      if (sourceInfo !== undefined) presence.c('SourceInfo', {}, sourceInfo);
      raw.send(presence);
    },
  };
  const joined = nextEventWhere<[string]>(watcher, C.USER_JOINED, (id) => id === nick);
  occupant.presence({ ...state, join: true });
  await joined;
  return occupant;
}

const participant = (conference: JitsiConference, id: string): JitsiParticipant => {
  const found = conference.getParticipantById(id);
  if (!found) throw new Error(`no participant ${id}`);
  return found;
};

/** Room disco#info queries (protocol.md 4.8) the engine sent since `since` (Date.now()), from its stanza log. */
function discoInfoQueries(conference: JitsiConference, roomJid: string, since: number): number {
  let count = 0;
  for (const entry of conference.getConnection().xmpp.engine.getLogs().stanzas) {
    if (entry.direction !== 'out' || entry.time < since) continue;
    const doc = new DOMParser().parseFromString(`<r>${entry.xml}</r>`, 'text/xml');
    for (const iq of Array.from(doc.getElementsByTagName('iq'))) {
      const query = iq.getElementsByTagNameNS('http://jabber.org/protocol/disco#info', 'query')[0];
      if (iq.getAttribute('type') === 'get' && iq.getAttribute('to') === roomJid && query) count++;
    }
  }
  return count;
}

/** The first element named `name` in `ns` under `stanza`, if any. */
const find = (stanza: Element, ns: string, name: string): Element | undefined => stanza.getElementsByTagNameNS(ns, name)[0];

describe('a hostile occupant', function () {
  this.timeout(60_000);

  it('5: a SourceInfo entry of the wrong shape is ignored alone; the sender’s video is shown, unmuted, and nothing throws', async () => {
    const room = uniqueRoomName('hostile5');
    const errors = watchErrors();
    const a = await mediaClient(room);
    // B is a client with a faulty SourceInfo: its camera's entry has a numeric videoType, next to good entries,
    // entries of the wrong shape and one naming another endpoint's source.
    const b = await mediaClient(room, {}, 360, {}, (conference) => {
      const id = conference.myUserId();
      const local = (conference as unknown as { local: { sourceInfo: Record<string, unknown> } }).local;
      local.sourceInfo = {
        ...local.sourceInfo,
        [`${id}-v0`]: { muted: false, videoType: 7 },
        [`${id}-v1`]: 'not an object',
        [`${id}-v2`]: { muted: 'no', videoType: 'desktop' },
        [`${id}-v3`]: null,
        'someoneelse-v0': { muted: false, videoType: 'desktop' },
      };
    });
    await untilMediaFrom(a, [b]);
    const [video] = remoteTracks(a.conference, b.id, 'video');
    const [audio] = remoteTracks(a.conference, b.id, 'audio');
    expect(video?.isMuted()).to.equal(false);
    expect(video?.getVideoType()).to.equal('camera');
    expect(audio?.isMuted()).to.equal(false);
    const atA = participant(a.conference, b.id);
    expect(atA.isVideoMuted()).to.equal(false);
    expect(atA.isAudioMuted()).to.equal(false);
    expect(Object.keys(atA.getSourceInfo() ?? {}).sort()).to.deep.equal([`${b.id}-a0`, `${b.id}-v0`]);

    // A raw occupant claims B's sources as muted and sends entries of the wrong type for its own: B's media is
    // untouched, the occupant's good entries count, its bad ones alone are dropped.
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' });
    mallory.presence({
      sourceInfo: JSON.stringify({
        [`${b.id}-v0`]: { muted: true },
        [`${mallory.nick}-a0`]: { muted: false },
        [`${mallory.nick}-v0`]: { muted: false, videoType: { toString: 'desktop' } },
        [`${mallory.nick}-v1`]: { muted: 0 },
        [`${mallory.nick}-d0`]: [false],
      }),
    });
    await until(() => participant(a.conference, mallory.nick).isAudioMuted() === false, 'the occupant’s good audio entry');
    const atAMallory = participant(a.conference, mallory.nick);
    expect(atAMallory.isVideoMuted()).to.equal(false);
    expect(atAMallory.getSourceInfo()?.[`${mallory.nick}-v0`]).to.deep.equal({ muted: false });
    expect(Object.keys(atAMallory.getSourceInfo() ?? {}).sort()).to.deep.equal([`${mallory.nick}-a0`, `${mallory.nick}-v0`]);
    expect(video?.isMuted()).to.equal(false);
    expect(atA.isVideoMuted()).to.equal(false);
    expect(atA.isAudioMuted()).to.equal(false);
    expect(errors).to.deep.equal([]);
  });

  it('6: status 104 counts only from the room itself: no disco#info storm, and a body with 104 is chat', async () => {
    const room = uniqueRoomName('hostile6');
    const errors = watchErrors();
    const a = await joinedClient(room);
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' });
    // Let the join's own disco#info settle.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const since = Date.now();
    const messages = record(a.conference, C.MESSAGE_RECEIVED);
    const configChanges1 = record(a.conference, C.LOCK_STATE_CHANGED);
    const configChanges2 = record(a.conference, C.MEMBERS_ONLY_CHANGED);
    for (let i = 0; i < 20; i++) {
      const message = $msg({ to: mallory.roomJid, type: 'groupchat' });
      if (i === 19) message.c('body', {}, 'a body next to status 104').up();
      message.c('x', { xmlns: NS_MUC_USER }).c('status', { code: '104' });
      mallory.raw.send(message);
    }
    mallory.raw.send($msg({ to: mallory.roomJid, type: 'groupchat' }).c('body', {}, 'done'));
    await until(() => messages.some((m) => m[1] === 'done'), 'the last message');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messages.map((m) => m[1])).to.deep.equal(['a body next to status 104', 'done']);
    expect(messages[0]?.[0]).to.equal(mallory.nick);
    expect(discoInfoQueries(a.conference, mallory.roomJid, since)).to.equal(0);
    // The counter does see queries: the one after our own join.
    expect(discoInfoQueries(a.conference, mallory.roomJid, 0)).to.be.at.least(1);
    expect([...configChanges1, ...configChanges2]).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });

  it('7: error messages count only from the room, the focus or the room’s own bounce, never from an occupant', async () => {
    const room = uniqueRoomName('hostile7');
    const errors = watchErrors();
    const a = await joinedClient(room);
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' });
    const conferenceErrors = record(a.conference, C.CONFERENCE_ERROR);
    const privateMessages = record(a.conference, C.PRIVATE_MESSAGE_RECEIVED);
    const toA = `${mallory.roomJid}/${a.conference.myUserId()}`;
    // Prosody routes an occupant's error message to the addressee unless its condition gets the sender kicked.
    mallory.raw.send(
      $msg({ to: toA, type: 'error' })
        .c('error', { type: 'cancel' })
        .c('not-allowed', { xmlns: NS_STANZAS })
        .up()
        .c('text', { xmlns: NS_STANZAS }, 'forged chat error'),
    );
    mallory.raw.send(
      $msg({ to: toA, type: 'error' })
        .c('error', { type: 'cancel' })
        .c('not-allowed', { xmlns: NS_STANZAS })
        .up()
        .c('settings-error', {}, 'forged settings error'),
    );
    mallory.raw.send($msg({ to: toA, type: 'chat' }).c('body', {}, 'done'));
    await until(() => privateMessages.some((m) => m[1] === 'done'), 'the private message after the errors');
    expect(conferenceErrors).to.deep.equal([]);
    expect(participant(a.conference, mallory.nick).getDisplayName()).to.equal('Mallory');

    // The room's own bounce of a private message to someone not there still is a chat error.
    const bounced = nextEvent<[string, string]>(a.conference, C.CONFERENCE_ERROR);
    a.conference.sendPrivateTextMessage('nobodyhere', 'hello?');
    const [error, text] = await bounced;
    expect(error).to.equal(JitsiMeetJS.errors.conference.CHAT_ERROR);
    expect(text).to.be.a('string').and.not.equal('forged chat error');
    expect(errors).to.deep.equal([]);
  });

  it('8: an occupant that leaves with <ignore/> does not outlive its departure; a same-nick replacement keeps the tile', async () => {
    const room = uniqueRoomName('hostile8');
    const errors = watchErrors();
    const a = await joinedClient(room);
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' });
    const left = nextEventWhere<[string]>(a.conference, C.USER_LEFT, (id) => id === mallory.nick, 15_000);
    mallory.raw.send($pres({ to: `${mallory.roomJid}/${mallory.nick}`, type: 'unavailable' }).c('ignore', { xmlns: 'http://jitsi.org/jitmeet/' }));
    await left;
    expect(a.conference.getParticipants()).to.have.length(0);

    // The legitimate use (Prosody's poltergeist module): the leaving occupant is replaced at once by a new one
    // with the same nick, which takes over the participant without USER_LEFT / USER_JOINED.
    const nick = randomNick();
    const placeholder = await rawOccupant(room, a.conference, { name: 'Calling…' }, nick);
    const before = participant(a.conference, nick);
    const churn1 = record(a.conference, C.USER_LEFT);
    const churn2 = record(a.conference, C.USER_JOINED);
    const renamed = nextEventWhere<[string, string]>(a.conference, C.DISPLAY_NAME_CHANGED, (id) => id === nick);
    placeholder.raw.send($pres({ to: `${placeholder.roomJid}/${nick}`, type: 'unavailable' }).c('ignore', { xmlns: 'http://jitsi.org/jitmeet/' }));
    const endpoints = await backendEndpoints();
    const real = await rawConnect(endpoints.websocketUrl, endpoints.domain);
    real.send($pres({ to: `${placeholder.roomJid}/${nick}` }).c('x', { xmlns: 'http://jabber.org/protocol/muc' }).up().c('nick', { xmlns: NS_NICK }, 'Real user'));
    expect((await renamed)[1]).to.equal('Real user');
    expect(participant(a.conference, nick)).to.equal(before);
    expect(before.getRealJid()).to.equal(real.jid);
    // Longer than the replacement wait: the participant stays.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect([...churn1, ...churn2]).to.deep.equal([]);
    expect(a.conference.getParticipants().map((p) => p.getId())).to.deep.equal([nick]);
    expect(errors).to.deep.equal([]);
  });

  it('9: SourceInfo is parsed once per presence change, within caps; an oversized one is ignored and reads cost no parsing', async () => {
    const room = uniqueRoomName('hostile9');
    const errors = watchErrors();
    const a = await joinedClient(room);
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' }, randomNick(), 'BOSH');
    // 128 KB of valid SourceInfo, well past any sane size (padding in one string: few quotes to escape).
    const big = (i: number): string =>
      JSON.stringify({ [`${mallory.nick}-a0`]: { muted: false }, [`${mallory.nick}-v0`]: { muted: false, padding: `${i}`.padEnd(128 * 1024, 'x') } });
    const parse = JSON.parse;
    const parsed: number[] = [];
    JSON.parse = ((text: string, reviver?: (key: string, value: unknown) => unknown) => {
      parsed.push(String(text).length);
      return parse(text, reviver) as unknown;
    }) as typeof JSON.parse;
    cleanups.push(() => (JSON.parse = parse));
    const names = record(a.conference, C.DISPLAY_NAME_CHANGED);
    for (let i = 0; i < 10; i++) mallory.presence({ name: `Mallory ${i}`, sourceInfo: big(i) });
    await until(() => names.length === 10, 'ten presences');
    const atA = participant(a.conference, mallory.nick);
    // Oversized: ignored entirely, as if the occupant had announced nothing (every source counts as muted).
    expect(atA.getSourceInfo()).to.equal(undefined);
    expect(atA.isAudioMuted()).to.equal(true);
    expect(Math.max(0, ...parsed)).to.be.below(64 * 1024);

    mallory.presence({ name: 'Mallory', sourceInfo: JSON.stringify({ [`${mallory.nick}-a0`]: { muted: false }, [`${mallory.nick}-v0`]: { muted: true } }) });
    await until(() => atA.isAudioMuted() === false, 'a sane SourceInfo');
    parsed.length = 0;
    // What the element's tiles do on every render.
    for (let i = 0; i < 1000; i++) {
      atA.getSourceInfo();
      atA.isAudioMuted();
      atA.isVideoMuted();
    }
    expect(parsed).to.deep.equal([]);
    expect(atA.isVideoMuted()).to.equal(true);
    expect(errors).to.deep.equal([]);
  });

  it('10: a mute request from an occupant that is not the focus is refused with not-allowed and changes nothing', async () => {
    const room = uniqueRoomName('hostile10');
    const errors = watchErrors();
    const a = await mediaClient(room);
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' });
    const mutes = record(a.conference, C.TRACK_MUTE_CHANGED);
    const toA = `${mallory.roomJid}/${a.id}`;
    for (const kind of ['audio', 'video', 'desktop']) {
      const reply = await rawSendIQ(
        mallory.raw,
        $iq({ type: 'set', to: toA }).c('mute', { xmlns: `http://jitsi.org/jitmeet/${kind}`, actor: `${mallory.roomJid}/${a.id}` }, 'true'),
      ).then(
        (result) => result,
        (error: RawIqError) => error.stanza,
      );
      expect(reply.getAttribute('type'), kind).to.equal('error');
      const error = reply.getElementsByTagName('error')[0];
      expect(error?.getAttribute('type')).to.equal('cancel');
      expect(error && find(error, NS_STANZAS, 'not-allowed'), `${kind}: not-allowed`).to.not.equal(undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.local.filter((t) => t.isMuted())).to.deep.equal([]);
    expect(mutes).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });

  it('11: chat is shown under the sender’s participant name, never under a name the message carries', async () => {
    const room = uniqueRoomName('hostile11');
    const errors = watchErrors();
    const a = await joinedClient(room);
    const mallory = await rawOccupant(room, a.conference, { name: 'Mallory' });
    const NS_DISPLAY_NAME = 'http://jitsi.org/protocol/display-name';
    const group = nextEvent<unknown[]>(a.conference, C.MESSAGE_RECEIVED);
    mallory.raw.send($msg({ to: mallory.roomJid, type: 'groupchat' }).c('body', {}, 'hi all').up().c('display-name', { xmlns: NS_DISPLAY_NAME }, 'Alice'));
    const [from, text, , displayName, isVisitor] = await group;
    expect([from, text, displayName, isVisitor]).to.deep.equal([mallory.nick, 'hi all', 'Mallory', false]);

    const visitorClaim = nextEvent<unknown[]>(a.conference, C.MESSAGE_RECEIVED);
    mallory.raw.send(
      $msg({ to: mallory.roomJid, type: 'groupchat' }).c('body', {}, 'as a visitor').up().c('display-name', { xmlns: NS_DISPLAY_NAME, source: 'visitor' }, 'Alice'),
    );
    const claimed = await visitorClaim;
    expect([claimed[1], claimed[3], claimed[4]]).to.deep.equal(['as a visitor', 'Mallory', false]);

    const direct = nextEvent<unknown[]>(a.conference, C.PRIVATE_MESSAGE_RECEIVED);
    mallory.raw.send(
      $msg({ to: `${mallory.roomJid}/${a.conference.myUserId()}`, type: 'chat' })
        .c('body', {}, 'psst')
        .up()
        .c('display-name', { xmlns: NS_DISPLAY_NAME, source: 'visitor' }, 'Alice'),
    );
    const [privateFrom, privateText, , , privateName, privateVisitor] = await direct;
    expect([privateFrom, privateText, privateName, privateVisitor]).to.deep.equal([mallory.nick, 'psst', 'Mallory', false]);
    expect(errors).to.deep.equal([]);
  });
});
