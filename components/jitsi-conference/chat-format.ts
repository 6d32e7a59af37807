/**
 * Chat text as parts to render: plain text and http(s) links. Pure, so the rules are unit tested; the element
 * renders each part as a text node or an `<a>` whose href is the parsed URL (never markup from the message).
 */

export type ChatPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than the URL. */
const TRAILING = '.,;:!?)]}\'"';

const count = (text: string, char: string): number => text.split(char).length - 1;

/** The URL without the sentence punctuation after it; a `)` stays while the URL opened one (wiki links). */
function trimTrailing(candidate: string): string {
  let end = candidate.length;
  while (end > 0 && TRAILING.includes(candidate[end - 1] ?? '')) {
    const kept = candidate.slice(0, end);
    if (kept.endsWith(')') && count(kept, '(') >= count(kept, ')')) break;
    end--;
  }
  return candidate.slice(0, end);
}

export function chatParts(text: string): ChatPart[] {
  const parts: ChatPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const candidate = trimTrailing(match[0]);
    let href: string | undefined;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
    } catch {
      href = undefined;
    }
    if (!href) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** `14:05` in the given language (the time a message arrived, or its history stamp). */
export function chatTime(date: Date, lang: string): string {
  try {
    return new Intl.DateTimeFormat(lang || undefined, { hour: '2-digit', minute: '2-digit' }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(date);
  }
}
