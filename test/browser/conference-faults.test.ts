/**
 * Conferences under faults and hostile input (issue 4): a resumed connection keeps the room with no
 * USER_LEFT/USER_JOINED storm and no lost chat; a fresh login after a Prosody restart rejoins and reports
 * what changed; malformed, oversized and hostile presence and messages from other occupants never break the
 * participant list and arrive as plain data.
 */
import { expect } from '@open-wc/testing';
import { $msg, $pres } from 'strophe.js';
import JitsiMeetJS from '../../src/index.js';
import type { JitsiConference } from '../../src/conference/JitsiConference.js';
import { backendEndpoints, relayBlackhole, relayCut, relayRestore, restartProsody, uniqueRoomName } from '../helpers/backend.js';
import { connectionOptions, disconnectAll, establish, joinedClient, leaveAll, newConnection, nextEvent, record } from '../helpers/engine.js';
import { until, waitFor } from '../helpers/events.js';
import { closeRawConnections, conferenceRequest, rawConnect } from '../helpers/strophe.js';

const C = JitsiMeetJS.events.conference;

afterEach(async () => {
  await relayRestore();
  closeRawConnections();
  await leaveAll();
  await disconnectAll();
});

/** A client joined through the fault relay. */
async function relayedClient(room: string): Promise<{ conference: JitsiConference; connection: ReturnType<typeof newConnection> }> {
  const endpoints = await backendEndpoints();
  const connection = newConnection(await connectionOptions('websocket', { serviceUrl: endpoints.relay.websocketUrl }));
  await establish(connection);
  const conference = connection.initJitsiConference(room, {});
  const joined = nextEvent(conference, C.CONFERENCE_JOINED, 20_000);
  conference.join();
  await joined;
  await until(() => connection.xmpp.engine.stropheConnection?.isStreamManagementEnabled() === true, 'stream management');
  return { conference, connection };
}

describe('JitsiConference under faults', () => {
  it('keeps the room across a resumed connection: no USER_LEFT/USER_JOINED, no lost chat', async () => {
    const room = uniqueRoomName('resume');
    const a = await relayedClient(room);
    const b = await joinedClient(room, 'websocket');
    await until(() => a.conference.getParticipants().length === 1 && b.conference.getParticipants().length === 1, 'both');
    const churnAtA1 = record(a.conference, C.USER_LEFT);
    const churnAtA2 = record(a.conference, C.USER_JOINED);
    const leftAtB = record(b.conference, C.USER_LEFT);
    const joinedAtB = record(b.conference, C.USER_JOINED);
    const chatAtA = record(a.conference, C.MESSAGE_RECEIVED);
    const chatAtB = record(b.conference, C.MESSAGE_RECEIVED);

    const resumed = waitFor('resume', (deliver) => {
      const listener = (): void => deliver(undefined);
      a.connection.xmpp.engine.on('resumed', listener);
      return () => a.connection.xmpp.engine.off('resumed', listener);
    }, 20_000);
    await relayCut();
    a.conference.sendTextMessage('from A during the cut');
    b.conference.sendTextMessage('from B during the cut');
    await resumed;
    const texts = (calls: unknown[][]): unknown[] => calls.map((c) => c[1]).sort();
    await until(() => texts(chatAtA).length === 2 && texts(chatAtB).length === 2, 'both messages on both sides');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(texts(chatAtA)).to.deep.equal(['from A during the cut', 'from B during the cut']);
    expect(texts(chatAtB)).to.deep.equal(['from A during the cut', 'from B during the cut']);
    expect([...churnAtA1, ...churnAtA2]).to.deep.equal([]);
    expect(leftAtB).to.deep.equal([]);
    expect(joinedAtB).to.deep.equal([]);
    expect(a.conference.isJoined()).to.equal(true);
  });

  it('rejoins after a Prosody restart (fresh login) and ends with the same room view, without CONFERENCE_FAILED', async function () {
    this.timeout(60_000); // reconnect backoff plus BOSH noticing the restart
    const room = uniqueRoomName('restart');
    const a = await joinedClient(room, 'websocket');
    // websocket: after a server restart, Strophe's BOSH retries back off (1 s, 8 s, 27 s) on the browser's dead
    // pooled sockets, so a BOSH client recovers too, but later than this test waits.
    const b = await joinedClient(room, 'websocket');
    await until(() => a.conference.getParticipants().length === 1, 'A to see B');
    const failures1 = record(a.conference, C.CONFERENCE_FAILED);
    const failures2 = record(b.conference, C.CONFERENCE_FAILED);
    const leftEvents = record(a.conference, C.CONFERENCE_LEFT);
    const aId = a.conference.myUserId();
    // Until each client has noticed the restart, its old room still looks joined: wait for the fresh logins.
    const replaced = [a, b].map((client) => record(client.connection.xmpp.engine as unknown as Parameters<typeof record>[0], 'sessionReplaced'));
    await restartProsody();
    await until(() => replaced.every((events) => events.length > 0), 'both clients to log in afresh', 30_000);
    await until(
      () => a.conference.isJoined() && b.conference.isJoined() && a.conference.getParticipants().length === 1 && b.conference.getParticipants().length === 1,
      'both back in the room, seeing each other',
      30_000,
    );
    expect(a.conference.getParticipants()[0]?.getId()).to.equal(b.conference.myUserId());
    expect(b.conference.getParticipants()[0]?.getId()).to.equal(a.conference.myUserId());
    expect(a.conference.myUserId()).to.equal(aId);
    expect([...failures1, ...failures2]).to.deep.equal([]);
    expect(leftEvents).to.deep.equal([]);
    // Chat works in the new sessions.
    const atB = nextEvent<unknown[]>(b.conference, C.MESSAGE_RECEIVED);
    a.conference.sendTextMessage('after the restart');
    expect((await atB)[1]).to.equal('after the restart');
  });
});

describe('JitsiConference: chat across a Prosody restart', () => {
  it('a message sent as the server goes down or while rejoining arrives once, after the rejoin; nothing is doubled', async function () {
    this.timeout(60_000);
    const room = uniqueRoomName('restart-chat');
    const a = await joinedClient(room, 'websocket');
    const b = await joinedClient(room, 'websocket');
    await until(() => a.conference.getParticipants().length === 1 && b.conference.getParticipants().length === 1, 'A and B');
    const atB = record(b.conference, C.MESSAGE_RECEIVED);
    const atA = record(a.conference, C.MESSAGE_RECEIVED);
    const replaced = record(a.connection.xmpp.engine, 'sessionReplaced');
    const restarting = restartProsody();
    a.conference.sendTextMessage('as the server goes down');
    await restarting;
    await until(() => replaced.length > 0, 'A to log in afresh', 30_000);
    // A is joining the room again now: the message waits for the join.
    a.conference.sendTextMessage('while rejoining');
    await until(() => a.conference.isJoined() && b.conference.isJoined() && b.conference.getParticipants().length === 1, 'both back', 30_000);
    a.conference.sendTextMessage('after');
    const texts = (calls: unknown[][]): unknown[] => calls.map((c) => c[1]);
    await until(() => texts(atB).includes('after'), 'B to get the last message', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...texts(atB)].sort()).to.deep.equal(['after', 'as the server goes down', 'while rejoining']);
    // A sees its own messages once each too (the room reflects them).
    expect([...texts(atA)].sort()).to.deep.equal(['after', 'as the server goes down', 'while rejoining']);
  });

  it('a message the room confirmed just before the restart reaches a member who lost it with its session and came back first', async function () {
    // Issue 16, the soak's lost message: the room reflected A's message to A (so A took it as delivered), but
    // B's copy went down with B's session; B was back in the room before A, and nobody joined after A.
    this.timeout(60_000);
    const room = uniqueRoomName('restart-confirmed');
    const a = await joinedClient(room, 'websocket');
    const b = await relayedClient(room);
    await until(() => a.conference.getParticipants().length === 1 && b.conference.getParticipants().length === 1, 'A and B');
    const atA = record(a.conference, C.MESSAGE_RECEIVED);
    const atB = record(b.conference, C.MESSAGE_RECEIVED);
    const texts = (calls: unknown[][]): unknown[] => calls.map((c) => c[1]);
    // B's link goes dead with neither end noticing: what the room sends B now is lost with B's session.
    await relayBlackhole();
    a.conference.sendTextMessage('confirmed, then lost');
    await until(() => texts(atA).includes('confirmed, then lost'), 'the room to reflect the message to A');
    // A's link comes back later than B's: A's join presence waits until B is in the room again.
    const engine = a.connection.xmpp.engine;
    const send = engine.send.bind(engine);
    const held: Parameters<typeof send>[0][] = [];
    let holding = true;
    engine.send = (stanza) => {
      const element = 'tree' in stanza ? stanza.tree() : stanza;
      const mucJoin = element.nodeName === 'presence' && [...element.getElementsByTagName('x')].some((x) => x.getAttribute('xmlns') === 'http://jabber.org/protocol/muc');
      if (holding && mucJoin) held.push(element);
      else send(stanza);
    };
    const replacedA = record(engine, 'sessionReplaced');
    const replacedB = record(b.connection.xmpp.engine, 'sessionReplaced');
    await restartProsody();
    await relayRestore();
    await relayCut(); // B notices its dead link at once
    await until(() => replacedA.length > 0, 'A to log in afresh', 30_000);
    a.conference.sendTextMessage('while A is away'); // unconfirmed: goes out when A is back
    await until(() => replacedB.length > 0 && b.conference.isJoined() && held.length > 0, 'B back in the room while A waits', 30_000);
    holding = false;
    for (const stanza of held.splice(0)) send(stanza);
    await until(() => a.conference.isJoined() && a.conference.getParticipants().length === 1 && b.conference.getParticipants().length === 1, 'both back', 30_000);
    a.conference.sendTextMessage('after');
    await until(() => texts(atB).includes('after'), 'B to get the last message', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Once each, in the order A sent them.
    expect(texts(atB)).to.deep.equal(['confirmed, then lost', 'while A is away', 'after']);
    expect(texts(atA)).to.deep.equal(['confirmed, then lost', 'while A is away', 'after']);
  });
});

describe('JitsiConference under hostile input', () => {
  it('keeps the participant list sound when another occupant sends malformed, oversized and hostile presence and messages', async () => {
    const endpoints = await backendEndpoints();
    const room = uniqueRoomName('hostile');
    const a = await joinedClient(room);
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent): void => void errors.push(event.error);
    window.addEventListener('error', onError);
    try {
      const raw = await rawConnect(endpoints.websocketUrl, endpoints.domain);
      const roomJid = `${room}@${endpoints.mucDomain}`;
      await conferenceRequest(raw, endpoints.focusAddress, roomJid);
      const nick = 'deadbeef';
      const joined = nextEvent<[string]>(a.conference, C.USER_JOINED);
      raw.send(
        $pres({ to: `${roomJid}/${nick}` })
          .c('x', { xmlns: 'http://jabber.org/protocol/muc' })
          .up()
          .c('nick', { xmlns: 'http://jabber.org/protocol/nick' }, '<img src=x onerror=alert(1)> "quoted" & more')
          .c('SourceInfo', {}, '{not json')
          .c('jitsi_participant_raisedHand', {}, 'x'.repeat(50_000))
          .c('features')
          .c('feature', {})
          .up()
          .c('feature', { var: 'urn:example:f' })
          .up()
          .up()
          .c('stats-id', {}, '')
          .c('unknown-extension', { xmlns: 'urn:example:weird', attr: '"><' }, 'payload'),
      );
      expect((await joined)[0]).to.equal(nick);
      const participant = a.conference.getParticipantById(nick);
      expect(participant?.getDisplayName()).to.equal('<img src=x onerror=alert(1)> "quoted" & more');
      expect(participant?.getProperty('raisedHand')).to.have.length(50_000);
      expect(participant?.isAudioMuted()).to.equal(true); // unreadable SourceInfo counts as muted
      expect([...((await participant?.getFeatures()) ?? [])]).to.deep.equal(['urn:example:f']);

      const messages = record(a.conference, C.MESSAGE_RECEIVED);
      const endpointMessages = record(a.conference, C.ENDPOINT_MESSAGE_RECEIVED);
      raw.send($msg({ to: roomJid, type: 'groupchat' }).c('body', {}, '</body><script>x</script>'));
      raw.send($msg({ to: roomJid, type: 'groupchat' }).c('json-message', { xmlns: 'http://jitsi.org/jitmeet' }, '[1,2,3]'));
      raw.send($msg({ to: roomJid, type: 'groupchat' }).c('json-message', { xmlns: 'http://jitsi.org/jitmeet' }, '{"no":"type"}'));
      raw.send($msg({ to: roomJid, type: 'groupchat' }).c('json-message', { xmlns: 'http://jitsi.org/jitmeet' }, '{"type":"ok","n":1}'));
      raw.send($msg({ to: roomJid, type: 'groupchat' }).c('body', {}, 'y'.repeat(20_000)));
      raw.send($msg({ to: roomJid, type: 'groupchat' }).c('subject', {}, ''));
      await until(() => messages.length === 2 && endpointMessages.length === 1, 'the hostile messages').catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify([messages.map((m) => String(m[1]).slice(0, 40)), endpointMessages.map((m) => m[1])])}`);
      });
      expect(messages[0]?.[1]).to.equal('</body><script>x</script>');
      expect(String(messages[1]?.[1])).to.have.length(20_000);
      expect(endpointMessages[0]?.[1]).to.deep.equal({ type: 'ok', n: 1 });

      // A repeated, changed presence updates in place; then the occupant leaves cleanly.
      const renamed = nextEvent<[string, string]>(a.conference, C.DISPLAY_NAME_CHANGED);
      raw.send($pres({ to: `${roomJid}/${nick}` }).c('nick', { xmlns: 'http://jabber.org/protocol/nick' }, 'calm'));
      expect(await renamed).to.deep.equal([nick, 'calm']);
      const left = nextEvent<[string]>(a.conference, C.USER_LEFT);
      raw.send($pres({ to: `${roomJid}/${nick}`, type: 'unavailable' }));
      expect((await left)[0]).to.equal(nick);
      expect(a.conference.getParticipants()).to.have.length(0);
      expect(a.conference.isJoined()).to.equal(true);
    } finally {
      window.removeEventListener('error', onError);
    }
    expect(errors).to.deep.equal([]);
  });
});
