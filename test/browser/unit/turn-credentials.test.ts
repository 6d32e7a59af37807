/**
 * Time-limited TURN credentials (issue 16): XEP-0215 services carry `expires`; once past it, the engine asks the
 * server again (extdisco) before the next RTC configuration is built, and only then.
 */
import { expect } from '@open-wc/testing';
import { credentialsExpired, credentialsExpiry, parseExternalServices } from '../../../src/xmpp/externalServices.js';
import { ServerDiscovery, type DiscoveryHost } from '../../../src/xmpp/ServerDiscovery.js';
import type { StanzaRouter } from '../../../src/xmpp/StanzaRouter.js';

const xml = (text: string): Element => new DOMParser().parseFromString(text, 'application/xml').documentElement;

/** A result as Prosody's mod_external_services answers: username = expiry time, password from the secret. */
const result = (expiresMs: number, password: string): Element => {
  const seconds = Math.floor(expiresMs / 1000);
  const expires = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return xml(`<iq type="result" xmlns="jabber:client"><services xmlns="urn:xmpp:extdisco:2">
    <service type="stun" host="127.0.0.1" port="3478" transport="udp"/>
    <service type="turn" host="127.0.0.1" port="3478" transport="udp" username="${seconds}" password="${password}" expires="${expires}" restricted="1"/>
    <service type="turns" host="127.0.0.1" port="5349" transport="tcp" username="${seconds}" password="${password}" expires="${expires}" restricted="1"/>
  </services></iq>`);
};

describe('TURN credential expiry', () => {
  it('credentialsExpiry is the first readable expires; credentialsExpired compares it with now', () => {
    const services = parseExternalServices(xml(`<services xmlns="urn:xmpp:extdisco:2">
      <service type="stun" host="a"/>
      <service type="turn" host="a" expires="2030-01-01T00:00:10Z"/>
      <service type="turns" host="a" expires="2030-01-01T00:00:05Z"/>
      <service type="turn" host="b" expires="not a date"/>
    </services>`));
    const at = Date.parse('2030-01-01T00:00:05Z');
    expect(credentialsExpiry(services)).to.equal(at);
    expect(credentialsExpired(services, at - 1)).to.equal(false);
    expect(credentialsExpired(services, at)).to.equal(true);
    expect(credentialsExpired(services.slice(0, 1), Number.MAX_SAFE_INTEGER), 'no expires, never expired').to.equal(false);
    expect(credentialsExpiry(services.slice(3)), 'unreadable expires').to.equal(undefined);
    expect(credentialsExpired([], Date.now())).to.equal(false);
  });

  describe('ServerDiscovery.refreshIfExpired', () => {
    let answers: (Element | Error)[];
    let queries: string[];
    let connected: boolean;
    let discovery: ServerDiscovery;

    beforeEach(() => {
      answers = [];
      queries = [];
      connected = true;
      const host: DiscoveryHost = {
        router: { addHandler: () => undefined } as unknown as StanzaRouter,
        sendIQ: async (stanza) => {
          const element = 'tree' in stanza ? stanza.tree() : stanza;
          const query = element.firstElementChild;
          queries.push(`${query?.localName ?? ''} ${query?.getAttribute('xmlns') ?? ''}`);
          if (query?.localName === 'query') return xml('<iq type="result" xmlns="jabber:client"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>');
          await new Promise((resolve) => setTimeout(resolve, 10));
          const answer = answers.shift();
          if (!answer || answer instanceof Error) throw answer ?? new Error('no answer');
          return answer;
        },
        isConnected: () => connected,
        onServerInfo: () => undefined,
      };
      discovery = new ServerDiscovery(host, 'meet.jitsi');
    });

    const credential = (): unknown => discovery.iceServers.find((s) => s.urls === 'turn:127.0.0.1:3478')?.credential;

    it('asks again once past expires, and the next ICE servers carry the new credentials', async () => {
      const now = Date.now();
      answers.push(result(now + 60_000, 'first'));
      await discovery.discover();
      expect(credential()).to.equal('first');
      expect(queries.filter((q) => q.startsWith('services'))).to.have.length(1);

      // Valid: no query.
      expect(await discovery.refreshIfExpired(now)).to.equal(false);
      expect(queries.filter((q) => q.startsWith('services'))).to.have.length(1);

      // Past expires: one query for concurrent callers, then new credentials.
      answers.push(result(now + 120_000, 'second'));
      const [one, two] = await Promise.all([discovery.refreshIfExpired(now + 61_000), discovery.refreshIfExpired(now + 61_000)]);
      expect([one, two]).to.deep.equal([true, true]);
      expect(queries.filter((q) => q.startsWith('services'))).to.deep.equal(['services urn:xmpp:extdisco:2', 'services urn:xmpp:extdisco:2']);
      expect(credential()).to.equal('second');
      expect(await discovery.refreshIfExpired(now + 61_000), 'fresh again').to.equal(false);
    });

    it('a failed query resolves false and keeps the old list; nothing is asked while disconnected', async () => {
      const now = Date.now();
      answers.push(result(now - 1_000, 'stale'));
      await discovery.discover();
      answers.push(new Error('timeout'), new Error('timeout'));
      expect(await discovery.refreshIfExpired(now)).to.equal(false);
      expect(credential()).to.equal('stale');
      const asked = queries.length;
      connected = false;
      expect(await discovery.refreshIfExpired(now)).to.equal(false);
      expect(queries.length).to.equal(asked);
    });
  });
});
