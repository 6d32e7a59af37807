/**
 * The pure parts of `<jitsi-conference>` (issue 13): chat text -> text and link parts, chat times
 * (components/jitsi-conference/chat-format.ts), and the layout arithmetic (components/jitsi-conference/layout.ts).
 */
import { expect } from '@open-wc/testing';
import { chatParts, chatTime, type ChatPart } from '../../../components/jitsi-conference/chat-format.js';
import { fitGrid, pageCapacity, pageOf, receiverConstraintsFor, videoHeightFor } from '../../../components/jitsi-conference/layout.js';

const t = (text: string): ChatPart => ({ kind: 'text', text });
const link = (text: string, href = text): ChatPart => ({ kind: 'link', text, href });

describe('chatParts', () => {
  const vectors: [string, ChatPart[]][] = [
    ['', []],
    ['plain words', [t('plain words')]],
    ['https://example.org', [link('https://example.org', 'https://example.org/')]],
    ['see https://example.org/a?b=1&c=2#d now', [t('see '), link('https://example.org/a?b=1&c=2#d'), t(' now')]],
    ['HTTP://EXAMPLE.ORG/X', [link('HTTP://EXAMPLE.ORG/X', 'http://example.org/X')]],
    // Sentence punctuation after a URL is not part of it.
    ['Read https://example.org/a. Then', [t('Read '), link('https://example.org/a'), t('. Then')]],
    ['(https://example.org/a), ok?', [t('('), link('https://example.org/a'), t('), ok?')]],
    ['"https://example.org/q"', [t('"'), link('https://example.org/q'), t('"')]],
    // Parentheses that open inside the URL belong to it, as many as it opened.
    ['https://en.wikipedia.org/wiki/Ada_(language)', [link('https://en.wikipedia.org/wiki/Ada_(language)')]],
    ['(see https://en.wikipedia.org/wiki/Ada_(language))', [t('(see '), link('https://en.wikipedia.org/wiki/Ada_(language)'), t(')')]],
    ['two: http://a.test/1 and https://b.test/2', [t('two: '), link('http://a.test/1', 'http://a.test/1'), t(' and '), link('https://b.test/2')]],
    // Markup ends a URL and stays text.
    ['<a href="https://evil.test/x">x</a>', [t('<a href="'), link('https://evil.test/x'), t('">x</a>')]],
    ['<img src=x onerror=alert(1)>', [t('<img src=x onerror=alert(1)>')]],
    // Only http(s) become links.
    ['javascript:alert(1)', [t('javascript:alert(1)')]],
    ['data:text/html,<b>x</b> ftp://example.org/f mailto:a@b.test', [t('data:text/html,<b>x</b> ftp://example.org/f mailto:a@b.test')]],
    ['javascript:http://example.org', [t('javascript:'), link('http://example.org', 'http://example.org/')]],
    ['xhttps://example.org', [t('xhttps://example.org')]],
    // Not a URL the browser can parse: text.
    ['http://[::1', [t('http://[::1')]],
  ];
  for (const [input, parts] of vectors) {
    it(JSON.stringify(input), () => {
      expect(chatParts(input)).to.deep.equal(parts);
    });
  }

  it('keeps every character: the parts joined are the message', () => {
    for (const [input] of vectors) expect(chatParts(input).map((p) => p.text).join('')).to.equal(input);
  });
});

describe('chatTime', () => {
  const date = new Date(2024, 0, 2, 14, 5);
  it('is hours and minutes in the language', () => {
    expect(chatTime(date, 'de')).to.equal('14:05');
    expect(chatTime(date, 'en')).to.equal(new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(date));
    expect(chatTime(date, 'en')).to.match(/^02:05\s?PM$/);
  });
  it('falls back to the default locale for an invalid language tag', () => {
    expect(chatTime(date, 'not a tag!')).to.equal(new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(date));
    expect(chatTime(date, '')).to.equal(new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(date));
  });
});

describe('layout arithmetic', () => {
  it('fitGrid: the largest 16:9 tiles in the box', () => {
    const one = fitGrid(1, 1600, 900);
    expect([one.columns, one.rows]).to.deep.equal([1, 1]);
    expect(one.width).to.be.closeTo(1600, 0.01);
    expect(one.height).to.be.closeTo(900, 0.01);
    // 2x2 beats 3+1 and 4x1 in a 16:9 box; the height limits.
    const four = fitGrid(4, 1600, 900);
    expect([four.columns, four.rows]).to.deep.equal([2, 2]);
    expect(four.height).to.be.closeTo((900 - 8) / 2, 0.01);
    expect(four.width).to.be.closeTo(four.height * (16 / 9), 0.01);
    expect([fitGrid(9, 1600, 900).columns, fitGrid(9, 1600, 900).rows]).to.deep.equal([3, 3]);
    // A tall phone box stacks them.
    const tall = fitGrid(4, 360, 900);
    expect([tall.columns, tall.rows]).to.deep.equal([1, 4]);
    expect(tall.width).to.equal(360);
    // A square box stacks two.
    expect(fitGrid(2, 1000, 1000).columns).to.equal(1);
    // Two side by side in a wide box.
    expect(fitGrid(2, 1600, 450).columns).to.equal(2);
  });

  it('fitGrid: every fitted grid fits its box, gaps included', () => {
    for (const [width, height] of [[375, 300], [768, 500], [1264, 600], [200, 800]] as const) {
      for (let count = 1; count <= 25; count++) {
        const fit = fitGrid(count, width, height);
        expect(fit.columns * fit.rows).to.be.at.least(count);
        expect(fit.columns * fit.width + (fit.columns - 1) * 8).to.be.at.most(width + 0.01);
        expect(fit.rows * fit.height + (fit.rows - 1) * 8).to.be.at.most(height + 0.01);
      }
    }
  });

  it('fitGrid: an empty box gives no tile size', () => {
    expect(fitGrid(3, 0, 0).width).to.equal(0);
    expect(fitGrid(0, 100, 100).columns).to.equal(1);
  });

  it('pageCapacity: as many tiles as stay at least 160 px wide, at least one, at most 25', () => {
    expect(pageCapacity(0, 0)).to.equal(1);
    expect(pageCapacity(150, 100)).to.equal(1);
    expect(pageCapacity(4000, 3000)).to.equal(25);
    const capacity = pageCapacity(359, 300);
    expect(fitGrid(capacity, 359, 300).width).to.be.at.least(160);
    expect(fitGrid(capacity + 1, 359, 300).width).to.be.below(160);
  });

  it('pageOf: the page clamped, and the page count', () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    expect(pageOf(items, 0, 3)).to.deep.equal({ items: [1, 2, 3], page: 0, pages: 3 });
    expect(pageOf(items, 2, 3)).to.deep.equal({ items: [7], page: 2, pages: 3 });
    expect(pageOf(items, 9, 3)).to.deep.equal({ items: [7], page: 2, pages: 3 });
    expect(pageOf(items, -1, 3)).to.deep.equal({ items: [1, 2, 3], page: 0, pages: 3 });
    expect(pageOf([], 0, 3)).to.deep.equal({ items: [], page: 0, pages: 1 });
    expect(pageOf(items, 0, 0).pages).to.equal(7);
  });

  it('videoHeightFor: the smallest standard height covering the tile on this screen', () => {
    expect(videoHeightFor(100)).to.equal(180);
    expect(videoHeightFor(180)).to.equal(180);
    expect(videoHeightFor(181)).to.equal(360);
    expect(videoHeightFor(200, 2)).to.equal(720);
    expect(videoHeightFor(800)).to.equal(1080);
  });

  it('receiverConstraintsFor: exactly the visible sources (protocol.md 8.2)', () => {
    expect(
      receiverConstraintsFor(
        [
          { sourceName: 'a-v0', height: 600, onStage: true },
          { sourceName: 'b-v0', height: 120 },
        ],
        1,
      ),
    ).to.deep.equal({
      lastN: 2,
      selectedSources: ['a-v0', 'b-v0'],
      onStageSources: ['a-v0'],
      defaultConstraints: { maxHeight: 0 },
      constraints: { 'a-v0': { maxHeight: 720 }, 'b-v0': { maxHeight: 180 } },
    });
    expect(receiverConstraintsFor([]).lastN).to.equal(0);
  });
});
