/**
 * The element API tables, generated from custom-elements.json (`npm run analyze` runs this after the
 * analyzer): a short table per element in README.md (attributes and what else there is) and the full reference
 * in docs/elements.md. `renderElementTables(manifest, compact)` is also used by the staleness test.
 *
 *   node test/element-tables.mjs          sorts custom-elements.json's modules by path (the analyzer lists them
 *                                         in directory order, which differs between checkouts), then rewrites
 *                                         README.md and docs/elements.md between <!-- elements:start --> and
 *                                         <!-- elements:end -->
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cell = (text) => String(text ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
const code = (text) => (text ? `\`${text}\`` : '');

function table(head, rows) {
  if (rows.length === 0) return '';
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** Markdown for every custom element declared in the manifest, in tag order; `compact`: attributes only. */
export function renderElementTables(manifest, compact = false) {
  const elements = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .filter((d) => d.customElement && d.tagName)
    .sort((a, b) => a.tagName.localeCompare(b.tagName));
  const sections = [];
  for (const element of elements) {
    const parts = [`### \`<${element.tagName}>\``, '', cell(element.summary ?? element.description ?? '')];
    const attributes = (element.attributes ?? []).map((a) => [code(a.name), code(a.fieldName), code(a.type?.text), code(a.default), a.description]);
    const properties = (element.members ?? [])
      .filter((m) => m.kind === 'field' && m.privacy !== 'private' && m.privacy !== 'protected' && !m.static && !m.attribute)
      .map((m) => [code(m.name), code(m.type?.text), m.description]);
    const methods = (element.members ?? [])
      .filter((m) => m.kind === 'method' && m.privacy !== 'private' && m.privacy !== 'protected' && !m.static)
      .map((m) => [code(`${m.name}(${(m.parameters ?? []).map((p) => p.name).join(', ')})`), m.description]);
    // Dynamic dispatches (`dispatchEvent(new CustomEvent(type))`) show up under their variable's name: skip them.
    const events = (element.events ?? []).filter((e) => e.name?.includes('-')).map((e) => [code(e.name), e.description]);
    const slots = (element.slots ?? []).map((s) => [s.name ? code(s.name) : '(default)', s.description]);
    const cssParts = (element.cssParts ?? []).map((p) => [code(p.name), p.description]);
    const cssProperties = (element.cssProperties ?? []).map((p) => [code(p.name), code(p.default), p.description]);
    if (compact) {
      const firstSentence = (text) => cell(text).split(/(?<=\.)\s/)[0] ?? '';
      parts.push('', table(['Attribute', 'Description'], (element.attributes ?? []).map((a) => [code(a.name), firstSentence(a.description)])));
      const more = [
        [properties.length + methods.length, 'properties and methods'],
        [events.length, 'events'],
        [slots.length, 'slots'],
        [cssParts.length, 'CSS parts'],
        [cssProperties.length, 'CSS custom properties'],
      ].filter(([n]) => n > 0);
      parts.push('', `Also ${more.map(([n, what]) => `${n} ${what}`).join(', ')}: [docs/elements.md](docs/elements.md#${element.tagName}).`);
      sections.push(parts.join('\n'));
      continue;
    }
    for (const [title, head, rows] of [
      ['Attributes', ['Attribute', 'Property', 'Type', 'Default', 'Description'], attributes],
      ['Properties', ['Property', 'Type', 'Description'], properties],
      ['Methods', ['Method', 'Description'], methods],
      ['Events', ['Event', 'Description'], events],
      ['Slots', ['Slot', 'Description'], slots],
      ['CSS parts', ['Part', 'Description'], cssParts],
      ['CSS custom properties', ['Property', 'Default', 'Description'], cssProperties],
    ]) {
      if (rows.length > 0) parts.push('', `**${title}**`, '', table(head, rows));
    }
    sections.push(parts.join('\n'));
  }
  return sections.join('\n\n');
}

/** The manifest text with its modules in path order, as committed. */
export function normalizeManifest(text) {
  const manifest = JSON.parse(text);
  manifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const MARKED = /(<!-- elements:start -->\n)[\s\S]*?(<!-- elements:end -->)/;

/** The files that carry tables: README.md the short ones, docs/elements.md the full reference. */
export const TABLE_FILES = [
  ['README.md', true],
  ['docs/elements.md', false],
];

/** A document with freshly rendered tables. */
export function withTables(text, manifest, compact) {
  return text.replace(MARKED, (_m, start, end) => `${start}${renderElementTables(manifest, compact)}\n${end}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync('custom-elements.json', normalizeManifest(readFileSync('custom-elements.json', 'utf8')));
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
  for (const [file, compact] of TABLE_FILES) {
    const text = readFileSync(file, 'utf8');
    if (!MARKED.test(text)) throw new Error(`${file} has no <!-- elements:start --> / <!-- elements:end --> markers`);
    writeFileSync(file, withTables(text, manifest, compact));
  }
}
