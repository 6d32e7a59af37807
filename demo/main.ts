/**
 * Demo page script: the engine's JitsiConnection logs in anonymously; until JitsiConference lands, the room is
 * joined through `connection.xmpp.connection` (the Strophe-shaped escape hatch lib-jitsi-meet apps use):
 * conference request (protocol.md 3.1), then the MUC join (4.2).
 *
 * Query parameters point it at another deployment: `?service=wss://meet.example.com/xmpp-websocket&domain=meet.example.com`
 * (MUC and focus addresses follow the stock layout: conference.<domain>, focus.<domain>).
 */
import { $iq, $pres, Strophe } from 'strophe.js';
import JitsiMeetJS from '../src/index.js';

interface Target {
  service: string;
  domain: string;
  muc: string;
  focus: string;
  local: boolean;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} missing`);
  return element as T;
};

async function resolveTarget(): Promise<Target> {
  const params = new URLSearchParams(location.search);
  const domain = params.get('domain');
  if (domain) {
    return {
      service: params.get('service') ?? `wss://${domain}/xmpp-websocket`,
      domain,
      muc: params.get('muc') ?? `conference.${domain}`,
      focus: `focus.${domain}`,
      local: false,
    };
  }
  const response = await fetch('/__backend__/endpoints.json');
  if (!response.ok) throw new Error('no local backend: start the demo with `npm run demo`, or add ?domain=…');
  const endpoints = (await response.json()) as { websocketUrl: string; domain: string; mucDomain: string; focusAddress: string };
  return { service: endpoints.websocketUrl, domain: endpoints.domain, muc: endpoints.mucDomain, focus: endpoints.focusAddress, local: true };
}

function setStatus(state: string, text = state): void {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function showTarget(target: Target): void {
  const rows: [string, string][] = [
    ['Service', target.service],
    ['Domain', target.domain],
    ['MUC', target.muc],
    ['Focus', `${target.focus}${target.local ? ' (local stand-in for Jicofo)' : ''}`],
  ];
  $('endpoints').replaceChildren(
    ...rows.map(([name, value]) => {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = name;
      const td = document.createElement('td');
      const code = document.createElement('code');
      code.textContent = value;
      td.append(code);
      row.append(th, td);
      return row;
    }),
  );
}

function join(target: Target, room: string): void {
  const connection = new JitsiMeetJS.JitsiConnection(null, null, {
    serviceUrl: target.service,
    hosts: { domain: target.domain, muc: target.muc, focus: target.focus },
  });
  const roomJid = `${room}@${target.muc}`;
  const nick = crypto.randomUUID().slice(0, 8);
  const occupants = new Map<string, string>();
  const render = (): void => {
    $('occupants').replaceChildren(
      ...[...occupants].map(([id, jid]) => {
        const li = document.createElement('li');
        li.textContent = `${id}${id === nick ? ' (you)' : ''} — ${jid}`;
        return li;
      }),
    );
  };
  const events = JitsiMeetJS.events.connection;
  connection.addEventListener(events.CONNECTION_FAILED, (error) => setStatus('failed', `connection failed: ${error}`));
  connection.addEventListener(events.CONNECTION_ESTABLISHED, () => {
    setStatus('connecting', `connected as ${connection.getJid()}, asking the focus for the room`);
    const xmpp = connection.xmpp.connection;
    xmpp.addHandler(
      (presence) => {
        const id = Strophe.getResourceFromJid(presence.getAttribute('from') ?? '') ?? '';
        const type = presence.getAttribute('type');
        if (type === 'unavailable') occupants.delete(id);
        else occupants.set(id, presence.getElementsByTagName('item')[0]?.getAttribute('jid') ?? '(no real JID)');
        if (type === 'error') setStatus('failed', 'the room refused the join');
        else if (id === nick) setStatus('joined', `joined ${roomJid} as ${nick}`);
        render();
        return true;
      },
      null,
      'presence',
      null,
      null,
      roomJid,
      { matchBareFromJid: true },
    );
    xmpp.sendIQ(
      $iq({ type: 'set', to: target.focus }).c('conference', { xmlns: 'http://jitsi.org/protocol/focus', room: roomJid }),
      () => xmpp.send($pres({ to: `${roomJid}/${nick}` }).c('x', { xmlns: 'http://jabber.org/protocol/muc' })),
      () => setStatus('failed', 'the focus refused the conference request'),
    );
  });
  setStatus('connecting');
  connection.connect({ name: room });
}

try {
  const target = await resolveTarget();
  showTarget(target);
  $('join').addEventListener('submit', (event) => {
    event.preventDefault();
    join(target, $<HTMLInputElement>('room').value.trim().toLowerCase());
  });
} catch (error) {
  setStatus('failed', (error as Error).message);
}
