/**
 * src/xmpp/lightXml.ts against the browser's DOMParser: whatever the light parser accepts, it must read exactly
 * as the DOM does (names, namespaces, attributes, text, structure, and so parseMemberPresence's result); what it
 * declines goes through DOMParser.
 */
import { expect } from '@open-wc/testing';
import { LightElement, parseLight } from '../../../src/xmpp/lightXml.js';
import { parseMemberPresence, toPresenceNode } from '../../../src/xmpp/presence.js';

interface Shape {
  name: string;
  ns: string | null;
  attrs: [string, string][];
  text: string;
  children: Shape[];
}

const shape = (element: Element | LightElement): Shape => ({
  name: element.localName,
  ns: element.namespaceURI,
  attrs: Array.from(element.attributes as ArrayLike<{ name: string; value: string }>).map((a): [string, string] => [a.name, a.value]),
  text: element.textContent ?? '',
  children: Array.from(element.children as ArrayLike<Element | LightElement>).map(shape),
});

const dom = (xml: string): Element => new DOMParser().parseFromString(xml, 'text/xml').documentElement;

const PRESENCE = `<presence xmlns='jabber:client' from='room@conference.meet.jitsi/abcd1234' to='me@meet.jitsi/r'><stats-id>Ann-42</stats-id><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://jitsi.org/jitsi-meet' ver='x+y/z='/><SourceInfo>{"abcd1234-a0":{"muted":true},"abcd1234-v0":{"muted":false,"videoType":"camera"}}</SourceInfo><jitsi_participant_codecList>av1,vp9,vp8</jitsi_participant_codecList><jitsi_participant_raisedHand>1733390000000</jitsi_participant_raisedHand><nick xmlns='http://jabber.org/protocol/nick'>Ann &amp; &lt;Bo&gt; &#x1F600; &#233;</nick><features><feature var='https://jitsi.org/meet/e2ee'/></features><status xml:lang='en'>line one&#10;line two</status><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='ann@meet.jitsi/res'><actor nick='focus'/><reason>because  it&apos;s &quot;fine&quot;</reason></item><status code='110'/></x><custom a="1" b='two words' c='tab&#9;here'>mixed <b>bold</b> text</custom></presence>`;

describe('lightXml: parseLight against DOMParser', () => {
  it('reads a full Jitsi presence exactly as the DOM does', () => {
    const light = parseLight(PRESENCE);
    if (!light) throw new Error('declined');
    expect(light).to.be.instanceOf(LightElement);
    expect(shape(light)).to.deep.equal(shape(dom(PRESENCE)));
  });

  it('gives parseMemberPresence and the command nodes the same result as the DOM', () => {
    const fromLight = parseMemberPresence(parseLight(PRESENCE) as unknown as Element);
    const fromDom = parseMemberPresence(dom(PRESENCE));
    const plain = (p: typeof fromDom) => ({ ...p, commands: p?.commands.map(toPresenceNode) });
    expect(plain(fromLight)).to.deep.equal(plain(fromDom));
    expect(fromLight?.displayName).to.equal('Ann & <Bo> \u{1F600} é');
    expect(fromLight?.statuses.has('110')).to.equal(true);
  });

  const same = [
    `<presence xmlns="jabber:client" from="r@c/n" type="unavailable"/>`,
    `<presence xmlns='jabber:client'><x xmlns=''><y/></x><z xmlns='urn:a'><w/></z></presence>`,
    `<presence xmlns='jabber:client' a = 'spaced' >  <status>\r\n crlf \r text </status> </presence>`,
    `<presence xmlns='jabber:client' from='r@c/n' attr='multi\nline\tvalue'>a &gt; b</presence>`,
    `<presence xmlns='jabber:client'><a>1</a>between<b>2</b></presence>`,
  ];
  for (const xml of same) {
    it(`reads ${JSON.stringify(xml.slice(0, 60))}… as the DOM does`, () => {
      const light = parseLight(xml);
      if (!light) throw new Error('declined');
      expect(shape(light)).to.deep.equal(shape(dom(xml)));
    });
  }

  const declined = [
    ['a comment', `<presence><!-- hi --></presence>`],
    ['CDATA', `<presence><status><![CDATA[x]]></status></presence>`],
    ['a processing instruction', `<?xml version='1.0'?><presence/>`],
    ['a prefixed element', `<presence xmlns:j='urn:j'><j:x/></presence>`],
    ['an unknown entity', `<presence><status>&nbsp;</status></presence>`],
    ['a bad character reference', `<presence><status>&#0;&#x110000;</status></presence>`],
    ['a mismatched end tag', `<presence><status></stat></presence>`],
    ['an unclosed element', `<presence><status>`],
    ['two roots', `<presence/><presence/>`],
    ['an unquoted attribute', `<presence a=b/>`],
    ['a duplicated attribute', `<presence a='1' a='2'/>`],
    ['a > inside an attribute', `<presence a='x>y'/>`],
    ['a < inside an attribute', `<presence a='x<y'/>`],
    ['text outside the root', `text<presence/>`],
  ];
  for (const [what, xml] of declined) {
    it(`declines ${what} (DOMParser's way instead)`, () => {
      expect(parseLight(xml ?? '')).to.equal(undefined);
    });
  }
});
