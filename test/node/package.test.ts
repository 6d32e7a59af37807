/**
 * Packaging: the version is single-sourced, custom-elements.json is not stale, and the built CDN file
 * loads in a plain page (once, and twice as a CMS page may do) with no console error.
 * Needs `npm run build` first (test/run.mjs does it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../chromium.js';
import { serveStatic, type StaticServer } from '../static-server.js';
import { VERSION } from '../../src/version.js';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, unknown>;
  sideEffects: string[];
};
const CDN_FILE = 'dist/cdn/jitsi-elements.js';

const pages: Record<string, string> = {
  '/once.html': `<!doctype html><link rel="icon" href="data:,"><script type="module">
    import JitsiMeetJS from '/${CDN_FILE}';
    window.JitsiMeetJS = JitsiMeetJS;
    window.loaded = true;
  </script>`,
  '/twice.html': `<!doctype html><link rel="icon" href="data:,">
    <script type="module" src="/${CDN_FILE}"></script>
    <script type="module">
      const first = await import('/${CDN_FILE}');
      const second = await import('/${CDN_FILE}?copy=2');
      window.versions = [first.default.version, second.default.version];
      window.loaded = true;
    </script>`,
};

describe('package', () => {
  it('has one version: package.json and src/version.ts agree', () => {
    assert.equal(VERSION, pkg.version);
  });

  it('exports map lists types first and the CDN path', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'object' && target) assert.equal(Object.keys(target)[0], 'types', subpath);
    }
    assert.ok(JSON.stringify(pkg.exports).includes(`./${CDN_FILE}`));
  });

  it('custom-elements.json is what `npm run analyze` generates (not stale)', async () => {
    const outdir = 'node_modules/.cache/cem-check';
    mkdirSync(outdir, { recursive: true });
    execFileSync(process.execPath, ['node_modules/.bin/cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', outdir], {
      stdio: 'pipe',
    });
    const { normalizeManifest } = await import('../element-tables.mjs');
    const fresh = normalizeManifest(readFileSync(join(outdir, 'custom-elements.json'), 'utf8'));
    const committed = readFileSync('custom-elements.json', 'utf8');
    assert.equal(committed, fresh, 'custom-elements.json is stale: run `npm run analyze` and commit it');
  });

  it('the element tables of README.md and docs/elements.md are what custom-elements.json generates', async () => {
    const { TABLE_FILES, withTables } = await import('../element-tables.mjs');
    const manifest: unknown = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    for (const [file, compact] of TABLE_FILES) {
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes('<!-- elements:start -->'), `${file} has the element table markers`);
      assert.equal(text, withTables(text, manifest, compact), `${file}: element tables are stale: run \`npm run analyze\` and commit`);
    }
  });
});

describe(`${CDN_FILE} in a plain page`, () => {
  let server: StaticServer;
  let browser: Browser;
  let origin: string;

  before(async () => {
    assert.ok(existsSync(CDN_FILE), `${CDN_FILE} missing: run \`npm run build\``);
    server = await serveStatic(root, Object.fromEntries(Object.entries(pages).map(([path, body]) => [path, { type: 'text/html', body }])));
    origin = server.origin;
    browser = await puppeteer.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function load(path: string): Promise<{ errors: string[]; page: Awaited<ReturnType<Browser['newPage']>> }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') errors.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${String(error)}`));
    page.on('requestfailed', (request) => errors.push(`requestfailed: ${request.url()}`));
    await page.goto(`${origin}${path}`);
    await page.waitForFunction('window.loaded === true', { timeout: 10_000 });
    return { errors, page };
  }

  it('loads with one <script type="module"> and exports JitsiMeetJS as default', async () => {
    const { errors, page } = await load('/once.html');
    assert.deepEqual(errors, []);
    assert.equal(await page.evaluate('window.JitsiMeetJS.version'), pkg.version);
    // The bundle registers its tags (a sideEffects list that forgets the define modules drops them).
    assert.deepEqual(
      await page.evaluate(`['jitsi-conference', 'jitsi-track', 'jitsi-device-picker'].map((tag) => typeof customElements.get(tag))`),
      ['function', 'function', 'function'],
    );
  });

  it('loads twice on one page without errors or warnings', async () => {
    const { errors, page } = await load('/twice.html');
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate('window.versions'), [pkg.version, pkg.version]);
  });
});
