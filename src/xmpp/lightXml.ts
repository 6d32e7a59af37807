/**
 * A parser for the plainest XML a stanza can be, into plain objects that offer the part of the DOM Element
 * interface the room's presence handler reads (issue 15: a DOM document per presence costs more than the rest
 * of a large room's join). It declines (undefined) anything beyond that plainest form: comments, CDATA,
 * processing instructions, a DOCTYPE, prefixed names other than `xml:`, entities other than XML's five and
 * character references, and anything malformed. A declined frame goes the usual way, through DOMParser.
 */
import { detached } from '../util/detached.js';

export interface LightAttr {
  readonly name: string;
  readonly value: string;
}

const NO_CHILDREN: readonly LightElement[] = Object.freeze([]);

export class LightElement {
  private elements: LightElement[] | undefined;
  /** The text of an element without children; with children, text and elements in document order. */
  private text = '';
  private nodes: (string | LightElement)[] | undefined;

  constructor(
    readonly localName: string,
    readonly namespaceURI: string | null,
    readonly attributes: readonly LightAttr[],
  ) {}

  get children(): readonly LightElement[] {
    return this.elements ?? NO_CHILDREN;
  }

  getAttribute(name: string): string | null {
    for (const attr of this.attributes) if (attr.name === name) return attr.value;
    return null;
  }

  get textContent(): string {
    if (!this.nodes) return this.text;
    let text = '';
    for (const node of this.nodes) text += typeof node === 'string' ? node : node.textContent;
    return text;
  }

  /** @internal parser only */
  append(node: string | LightElement): void {
    if (typeof node === 'string' && !this.nodes) {
      this.text += node;
      return;
    }
    if (!this.nodes) this.nodes = this.text ? [this.text] : [];
    this.nodes.push(node);
    if (typeof node !== 'string') (this.elements ??= []).push(node);
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.-]*$/;
const ATTRIBUTE_NAME = /^(?:xml:)?[A-Za-z_][\w.-]*$/;

/** Element and attribute names, shared (a few dozen distinct ones in practice; never a view into a frame). */
const names = new Map<string, string>();
const intern = (name: string): string => {
  const known = names.get(name);
  if (known !== undefined) return known;
  const copy = detached(name);
  if (names.size < 1_000) names.set(copy, copy);
  return copy;
};

/** XML 1.0's Char production. */
const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);

/** Replaces entity and character references; undefined for an unknown entity or a bad reference. */
function decode(raw: string): string | undefined {
  if (!raw.includes('&')) return raw;
  let out = '';
  let at = 0;
  for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', at)) {
    const semi = raw.indexOf(';', amp);
    if (semi === -1) return undefined;
    const ref = raw.slice(amp + 1, semi);
    let value: string | undefined;
    if (ref.startsWith('#')) {
      const code = /^#x[0-9A-Fa-f]{1,6}$/.test(ref) ? Number.parseInt(ref.slice(2), 16) : /^#\d{1,7}$/.test(ref) ? Number(ref.slice(1)) : -1;
      value = isXmlChar(code) ? String.fromCodePoint(code) : undefined;
    } else {
      value = ENTITIES[ref];
    }
    if (value === undefined) return undefined;
    out += raw.slice(at, amp) + value;
    at = semi + 1;
  }
  return out + raw.slice(at);
}

/** Reads the attributes of a start tag's inside (after the name); undefined when malformed. */
function readAttributes(source: string): LightAttr[] | undefined {
  const attributes: LightAttr[] = [];
  let at = 0;
  for (;;) {
    while (at < source.length && ' \t\r\n'.includes(source[at] ?? '')) at++;
    if (at >= source.length) return attributes;
    const eq = source.indexOf('=', at);
    if (eq === -1) return undefined;
    const name = source.slice(at, eq).trim();
    if (!ATTRIBUTE_NAME.test(name) || attributes.some((a) => a.name === name)) return undefined;
    let open = eq + 1;
    while (' \t\r\n'.includes(source[open] ?? 'x')) open++;
    const quote = source[open];
    if (quote !== '"' && quote !== "'") return undefined;
    const close = source.indexOf(quote, open + 1);
    if (close === -1) return undefined;
    const raw = source.slice(open + 1, close);
    if (raw.includes('<')) return undefined;
    // XML attribute-value normalisation: literal white space characters become spaces.
    const value = decode(/[\t\n\r]/.test(raw) ? raw.replace(/[\t\n\r]/g, ' ') : raw);
    if (value === undefined) return undefined;
    attributes.push({ name: intern(name), value: detached(value) });
    at = close + 1;
    if (at < source.length && !' \t\r\n'.includes(source[at] ?? '')) return undefined;
  }
}

/** One stanza frame into a LightElement, or undefined when it is beyond this parser (see the file comment). */
export function parseLight(xml: string): LightElement | undefined {
  if (xml.includes('<!') || xml.includes('<?')) return undefined;
  const stack: LightElement[] = [];
  let root: LightElement | undefined;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > at) {
      const raw = xml.slice(at, textEnd);
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (raw.trim() !== '') return undefined;
      } else {
        if (raw.includes(']]>')) return undefined;
        const text = decode(raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw);
        if (text === undefined) return undefined;
        parent.append(detached(text));
      }
    }
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) return undefined;
    if (xml[lt + 1] === '/') {
      const name = xml.slice(lt + 2, gt).trim();
      const open = stack.pop();
      if (!open || open.localName !== name) return undefined;
    } else {
      if (root && stack.length === 0) return undefined;
      const selfClosing = xml[gt - 1] === '/';
      const inside = xml.slice(lt + 1, selfClosing ? gt - 1 : gt);
      const nameEnd = inside.search(/[\s]/);
      const name = nameEnd === -1 ? inside : inside.slice(0, nameEnd);
      if (!NAME.test(name)) return undefined;
      const attributes = readAttributes(nameEnd === -1 ? '' : inside.slice(nameEnd));
      if (!attributes) return undefined;
      const parent = stack[stack.length - 1];
      const declared = attributes.find((a) => a.name === 'xmlns')?.value;
      const element = new LightElement(intern(name), declared !== undefined ? declared || null : (parent?.namespaceURI ?? null), attributes);
      if (parent) parent.append(element);
      else root = element;
      if (!selfClosing) stack.push(element);
    }
    at = gt + 1;
  }
  return stack.length === 0 ? root : undefined;
}
