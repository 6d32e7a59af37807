/**
 * `<jitsi-conference>` acceptance (issue 13) with engine clients as the other participants, on the real
 * Prosody: chat (unread count, times, autoscroll that respects a reader who scrolled up, links as text-only
 * anchors), keyboard shortcuts, and recovery (a failure in words with a working Retry, the password prompt,
 * Rejoin after leaving, removed by a moderator).
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { JitsiConferenceElement } from '../../../components/jitsi-conference/jitsi-conference.js';
import { backendEndpoints, uniqueRoomName } from '../../helpers/backend.js';
import { conferenceElement, part, removeConferenceElements } from '../../helpers/conference-element.js';
import { disconnectAll, joinedClient, leaveAll } from '../../helpers/engine.js';
import { until } from '../../helpers/events.js';

afterEach(async () => {
  await removeConferenceElements();
  await leaveAll();
  await disconnectAll();
});

async function joinedElement(room: string, attributes = '', style = 'height: 600px'): Promise<JitsiConferenceElement> {
  const element = await conferenceElement(room, { attributes, style });
  await until(() => element.getAttribute('state') === 'joined', 'the element to join', 20_000);
  return element;
}

const text = (node: Element | null | undefined): string => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const chatLog = (element: JitsiConferenceElement): HTMLElement | null => part(element, 'chat-log');
const button = (element: JitsiConferenceElement, name: string): HTMLButtonElement | null => part<HTMLButtonElement>(element, `button-${name}`);
const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

describe('<jitsi-conference> chat', function () {
  this.timeout(60_000);

  it('counts unread messages of others on the Chat control while the panel is closed, and resets on open', async () => {
    const room = uniqueRoomName('chat');
    const element = await joinedElement(room);
    const other = await joinedClient(room);
    await until(() => element.conference?.getParticipants().length === 1, 'the other participant');
    expect(part(element, 'badge') === null, 'no unread badge').to.equal(true);

    other.conference.sendTextMessage('one');
    other.conference.sendTextMessage('two');
    await until(() => text(part(element, 'badge')) === '2', 'the badge to count 2');
    expect(button(element, 'chat')?.getAttribute('aria-label')).to.equal('Chat, 2 unread');
    // Our own messages are never unread.
    element.sendMessage('mine');
    await until(() => element.session.chat.length === 3, 'our message in the log');
    await element.updateComplete;
    expect(text(part(element, 'badge'))).to.equal('2');

    button(element, 'chat')?.click();
    await until(() => chatLog(element) !== null, 'the chat panel');
    expect(part(element, 'badge') === null, 'no unread badge').to.equal(true);
    expect(button(element, 'chat')?.getAttribute('aria-label')).to.equal('Chat');
    // While open, nothing counts.
    other.conference.sendTextMessage('three');
    await until(() => text(chatLog(element)).includes('three'), 'the third message');
    await element.updateComplete;
    expect(part(element, 'badge') === null, 'no unread badge').to.equal(true);

    button(element, 'chat')?.click();
    other.conference.sendTextMessage('four');
    await until(() => text(part(element, 'badge')) === '1', 'the badge to count 1 after closing');
  });

  it('shows each message with its time and author', async () => {
    const room = uniqueRoomName('chat');
    const element = await joinedElement(room);
    const other = await joinedClient(room);
    other.conference.setDisplayName('Grace');
    await until(() => element.conference?.getParticipants()[0]?.getDisplayName() === 'Grace', 'the other name');
    button(element, 'chat')?.click();
    const before = Date.now();
    other.conference.sendTextMessage('hello with a time');
    await until(() => text(chatLog(element)).includes('hello with a time'), 'the message');
    const item = chatLog(element)?.querySelector('li');
    const time = item?.querySelector('time');
    const stamp = Date.parse(time?.getAttribute('datetime') ?? '');
    expect(stamp).to.be.within(before - 60_000, Date.now() + 1_000);
    expect(text(time)).to.equal(new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(new Date(stamp)));
    expect(text(item?.querySelector('.author'))).to.equal('Grace');
  });

  it('scrolls to new messages unless the reader scrolled up, and follows again once back at the end', async () => {
    const room = uniqueRoomName('chat');
    const element = await joinedElement(room, '', 'height: 400px');
    const other = await joinedClient(room);
    button(element, 'chat')?.click();
    await until(() => chatLog(element) !== null, 'the chat panel');
    const log = chatLog(element) as HTMLElement;
    const atEnd = (): boolean => log.scrollTop + log.clientHeight >= log.scrollHeight - 2;
    const send = async (count: number, label: string): Promise<void> => {
      const total = element.session.chat.length + count;
      for (let i = 0; i < count; i++) other.conference.sendTextMessage(`${label} ${i}`);
      await until(() => element.session.chat.length === total, `${count} messages`);
      await element.updateComplete;
      await frame();
    };

    await send(30, 'first');
    expect(log.scrollHeight).to.be.greaterThan(log.clientHeight * 2);
    expect(atEnd(), 'at the end after new messages').to.equal(true);

    // The reader scrolls up to read: neither a re-render for something else (before the scroll event is
    // even dispatched) nor new messages move the view.
    log.scrollTop = 40;
    element.requestUpdate();
    await element.updateComplete;
    expect(log.scrollTop).to.equal(40);
    await frame();
    await send(5, 'while reading');
    expect(log.scrollTop).to.equal(40);
    expect(atEnd()).to.equal(false);

    // Back at the end: it follows again.
    log.scrollTop = log.scrollHeight;
    await frame();
    await send(3, 'after');
    expect(atEnd(), 'following again').to.equal(true);

    // Scrolled up, our own message brings the end into view.
    log.scrollTop = 0;
    await frame();
    element.sendMessage('mine');
    await until(() => element.session.chat.at(-1)?.text === 'mine', 'our message');
    await element.updateComplete;
    expect(atEnd(), 'at the end after our own message').to.equal(true);
  });

  it('renders message text as text: markup and javascript: URLs stay text, only http(s) URLs become safe links', async () => {
    const room = uniqueRoomName('chat');
    const element = await joinedElement(room);
    const other = await joinedClient(room);
    button(element, 'chat')?.click();
    const probe = window as unknown as { __xss?: number };
    delete probe.__xss;
    const message =
      'look <img src=x onerror="window.__xss=1"> at https://example.org/path?q=1&r=2. ' +
      'Not javascript:alert(1) nor <a href="javascript:window.__xss=2">this</a>, but (http://example.com/a_(b)) yes';
    other.conference.sendTextMessage(message);
    await until(() => text(chatLog(element)).includes('look'), 'the message');
    await element.updateComplete;
    const body = chatLog(element)?.querySelector('li .text');
    expect(body?.textContent).to.equal(message);
    expect(body?.querySelectorAll('*').length).to.equal(body?.querySelectorAll('a').length);
    expect(body?.querySelector('img') === null, 'no img element').to.equal(true);
    const links = [...(body?.querySelectorAll('a') ?? [])];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['https://example.org/path?q=1&r=2', 'http://example.com/a_(b)']);
    expect(links.map((a) => a.textContent)).to.deep.equal(['https://example.org/path?q=1&r=2', 'http://example.com/a_(b)']);
    for (const link of links) {
      expect(link.getAttribute('rel')).to.equal('noopener noreferrer');
      expect(link.getAttribute('target')).to.equal('_blank');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(probe.__xss).to.equal(undefined);
  });
});

describe('<jitsi-conference> keyboard shortcuts', function () {
  this.timeout(60_000);

  it('M, V, C, R, ? and Escape act while focus is in the element, and are ignored while typing or outside it', async () => {
    const element = await joinedElement(uniqueRoomName('keys'));
    await until(() => element.localTracks.length === 2, 'local tracks');
    const audio = (): boolean | undefined => element.localTracks.find((t) => t.getType() === 'audio')?.isMuted();
    const video = (): boolean | undefined => element.localTracks.find((t) => t.getType() === 'video')?.isMuted();
    (element.shadowRoot?.querySelector('[part="base"]') as HTMLElement).focus();

    await sendKeys({ press: 'm' });
    await until(() => audio() === true, 'M to mute the microphone');
    await sendKeys({ press: 'M' });
    await until(() => audio() === false, 'M again to unmute it');
    await sendKeys({ press: 'v' });
    await until(() => video() === true, 'V to turn the camera off');
    await sendKeys({ press: 'v' });
    await until(() => video() === false, 'V again to turn it on');
    await sendKeys({ press: 'r' });
    await until(() => element.session.isHandRaised(), 'R to raise the hand');
    await sendKeys({ press: 'r' });
    await until(() => !element.session.isHandRaised(), 'R again to lower it');
    await sendKeys({ press: '?' });
    await until(() => part(element, 'help') !== null, '? to open the shortcuts');
    await sendKeys({ press: 'Escape' });
    await until(() => part(element, 'panel') === null, 'Escape to close it');
    await sendKeys({ press: 'c' });
    await until(() => part(element, 'chat') !== null, 'C to open the chat');

    // Typing a message: the letters are text.
    const input = part(element, 'chat-form')?.querySelector('input') as HTMLInputElement;
    input.focus();
    await sendKeys({ type: 'mvcr?' });
    expect(input.value).to.equal('mvcr?');
    await element.updateComplete;
    expect(audio()).to.equal(false);
    expect(video()).to.equal(false);
    expect(element.session.isHandRaised()).to.equal(false);
    expect(part(element, 'chat') !== null, 'the chat panel still open').to.equal(true);

    // Focus outside the element: its shortcuts do nothing.
    const outside = document.createElement('button');
    outside.textContent = 'outside';
    document.body.append(outside);
    try {
      outside.focus();
      await sendKeys({ press: 'm' });
      await sendKeys({ press: 'Escape' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(audio()).to.equal(false);
      expect(part(element, 'chat') !== null, 'the chat panel still open').to.equal(true);
    } finally {
      outside.remove();
    }
  });
});

describe('<jitsi-conference> recovery', function () {
  this.timeout(60_000);

  it('a failure is told in words, in German with lang="de"', async () => {
    const element = await conferenceElement(uniqueRoomName('fail'), { serviceUrl: 'ws://127.0.0.1:9/xmpp-websocket', attributes: 'lang="de"' });
    await until(() => element.getAttribute('state') === 'failed', 'failed', 20_000);
    await element.updateComplete;
    expect(text(part(element, 'status'))).to.contain('Der Besprechungsserver ist nicht erreichbar.');
    expect(text(part(element, 'retry-button'))).to.equal('Erneut versuchen');
  });

  it('a failure is told in words with Retry, which joins once the service URL is fixed', async () => {
    const endpoints = await backendEndpoints();
    const element = await conferenceElement(uniqueRoomName('fail'), { serviceUrl: 'ws://127.0.0.1:9/xmpp-websocket' });
    await until(() => element.getAttribute('state') === 'failed', 'failed', 20_000);
    await element.updateComplete;
    expect(text(part(element, 'status'))).to.contain('The meeting server could not be reached.');
    expect(text(part(element, 'retry-button'))).to.equal('Try again');

    element.setAttribute('service-url', endpoints.websocketUrl);
    await element.updateComplete;
    expect(element.getAttribute('state')).to.equal('failed');
    const states: string[] = [];
    const observer = new MutationObserver(() => states.push(element.getAttribute('state') ?? ''));
    observer.observe(element, { attributes: true, attributeFilter: ['state'] });
    part<HTMLButtonElement>(element, 'retry-button')?.click();
    await until(() => element.getAttribute('state') === 'joined', 'joined after Retry', 20_000);
    const conference = element.conference;
    // Retry joins with the attributes as they are now, at once: no attempt with the old URL, no "left" on the
    // way, no second leave-and-join for the changed attribute.
    await new Promise((resolve) => setTimeout(resolve, 500));
    observer.disconnect();
    expect(states).to.deep.equal(['connecting', 'joined']);
    expect(element.conference).to.equal(conference);
  });

  it('a locked room asks for the password, says when it is wrong, and joins with the right one', async () => {
    const room = uniqueRoomName('locked');
    const owner = await joinedClient(room);
    await until(() => owner.conference.isModerator(), 'the owner to be moderator');
    await owner.conference.lock('s3cret');

    const element = await conferenceElement(room, { style: 'height: 600px' });
    await until(() => part(element, 'password-prompt') !== null, 'the password prompt', 20_000);
    expect(text(part(element, 'password-prompt'))).to.contain('This meeting has a password. Enter it to join.');
    await expect(element).to.be.accessible();

    const states: string[] = [];
    const observer = new MutationObserver(() => states.push(element.getAttribute('state') ?? ''));
    observer.observe(element, { attributes: true, attributeFilter: ['state'] });
    const submit = (password: string): void => {
      const form = part<HTMLFormElement>(element, 'password-prompt');
      (form?.querySelector('input[name="password"]') as HTMLInputElement).value = password;
      form?.requestSubmit();
    };
    submit('wrong');
    await until(() => states.join() === 'connecting,failed', 'a second attempt, refused', 20_000);
    await element.updateComplete;
    expect(text(part(element, 'password-prompt'))).to.contain('That password is not right. Try again.');
    submit('s3cret');
    await until(() => element.getAttribute('state') === 'joined', 'joined with the password', 20_000);
    await until(() => element.conference?.getParticipantById(owner.conference.myUserId()) !== undefined, 'the owner seen');
    observer.disconnect();
    expect(states).to.deep.equal(['connecting', 'failed', 'connecting', 'joined']);
  });

  it('Rejoin after leaving joins again', async () => {
    const element = await joinedElement(uniqueRoomName('rejoin'));
    button(element, 'leave')?.click();
    await until(() => element.getAttribute('state') === 'left', 'left');
    await element.updateComplete;
    expect(text(part(element, 'status'))).to.contain('You left the call.');
    part<HTMLButtonElement>(element, 'rejoin-button')?.click();
    await until(() => element.getAttribute('state') === 'joined' && element.conference?.isJoined() === true, 'joined again', 20_000);
  });

  it('removed by a moderator: says who removed us, and Rejoin joins again', async () => {
    const room = uniqueRoomName('kick');
    const owner = await joinedClient(room);
    owner.conference.setDisplayName('Moderator Mia');
    await until(() => owner.conference.isModerator(), 'the owner to be moderator');
    const element = await joinedElement(room);
    const id = element.conference?.myUserId() ?? '';
    await until(() => owner.conference.getParticipantById(id) !== undefined, 'the owner to see the element');
    await owner.conference.kickParticipant(id);
    await until(() => element.getAttribute('state') === 'left', 'left after the kick', 20_000);
    await element.updateComplete;
    expect(text(part(element, 'status'))).to.contain('Moderator Mia removed you from the meeting.');
    await expect(element).to.be.accessible();
    part<HTMLButtonElement>(element, 'rejoin-button')?.click();
    await until(() => element.getAttribute('state') === 'joined' && element.conference?.isJoined() === true, 'joined again', 20_000);
    await until(() => owner.conference.getParticipantById(element.conference?.myUserId() ?? '') !== undefined, 'the owner to see the element again');
  });
});
