/**
 * One source, two builds (issue 2, house style):
 * - `vite build`: the npm build in dist/, unbundled ES modules mirroring src/ and components/, every
 *   dependency external (declarations come from `tsc -p tsconfig.build.json`);
 * - `vite build --mode cdn`: dist/cdn/jitsi-elements.js, a minified module that registers the elements and
 *   exports the engine, with the chunks it loads from beside it (jitsi-elements-{ui,call,engine}-*.js; issue
 *   15, see sortIntoChunks). That path is public: CDN users and the no-build demo load it.
 * - `vite build --mode cdn-iife`: dist/cdn/jitsi-elements.iife.js, the same as one classic script that sets
 *   `window.JitsiMeetJS` (lib-jitsi-meet's global).
 * `vite` (serve) is the demo's server, rooted at the project so that demo/*.html load dist/cdn/.
 */
import { defineConfig, type Plugin } from 'vite';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/**
 * Size budgets, gzipped (README "Size"); the build fails above them and prints the figures. Issue 15: the first
 * load (the ES entry and the chunks it imports statically: what a page fetches before `<jitsi-conference>`
 * draws its pre-join step) at most 70 KB; all ES files together, and the single-file IIFE build, at most 140 KB
 * (120 KB before the meeting features of issue 14; they and the reliability work of issue 16 took it to ~135 KB).
 */
const FIRST_LOAD_BUDGET_GZIP_BYTES = 70_000;
const TOTAL_BUDGET_GZIP_BYTES = 140_000;

function sizeBudget(budgets: { firstLoad?: number; total: number }): Plugin {
  return {
    name: 'jitsi-elements-size-budget',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
      const gzip = new Map(chunks.map((chunk) => [chunk.fileName, gzipSync(chunk.code, { level: 9 }).length]));
      // Nothing bundled twice: every source module is in exactly one file.
      const owner = new Map<string, string>();
      for (const chunk of chunks) {
        for (const id of chunk.moduleIds) {
          const other = owner.get(id);
          if (other) this.error(`${id} is bundled twice, in ${other} and ${chunk.fileName}`);
          owner.set(id, chunk.fileName);
        }
      }
      const total = [...gzip.values()].reduce((sum, n) => sum + n, 0);
      const kb = (n: number): string => `${(n / 1000).toFixed(1)} kB`;
      const lines = [`gzip -9: all ${chunks.length} file(s) ${kb(total)} (budget ${kb(budgets.total)})`];
      if (total > budgets.total) this.error(`${lines[0]}: over the budget`);
      if (budgets.firstLoad !== undefined) {
        const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
        const first = new Set<string>();
        const todo = chunks.filter((chunk) => chunk.isEntry).map((chunk) => chunk.fileName);
        for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
          if (first.has(name)) continue;
          first.add(name);
          todo.push(...(byName.get(name)?.imports ?? []));
        }
        const firstLoad = [...first].reduce((sum, name) => sum + (gzip.get(name) ?? 0), 0);
        lines.push(`first load (${[...first].join(' + ')}) ${kb(firstLoad)} (budget ${kb(budgets.firstLoad)})`);
        if (firstLoad > budgets.firstLoad) this.error(`${lines[1]}: over the budget`);
      }
      for (const line of lines) this.info(line);
    },
  };
}

/**
 * Sorts the CDN build's modules into its chunks: `ui`, every module the entry imports statically, directly or
 * not (the first load: elements, media, constants); `call`, what the in-call views add to it
 * (components/jitsi-conference/call-views.ts, loaded from the pre-join step on); everything else is `engine`
 * (the signalling engine, which the entry awaits after the elements are defined).
 */
const chunkOf = new Map<string, 'ui' | 'call'>();
function sortIntoChunks(): Plugin {
  return {
    name: 'jitsi-elements-chunks',
    buildEnd() {
      chunkOf.clear();
      const ids = [...this.getModuleIds()];
      const collect = (root: string, chunk: 'ui' | 'call', withRoot: boolean): void => {
        const start = ids.find((id) => id.endsWith(root));
        if (!start) this.error(`no module ${root}`);
        const todo = withRoot ? [start] : [...(this.getModuleInfo(start)?.importedIds ?? [])];
        for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
          if (chunkOf.has(id)) continue;
          chunkOf.set(id, chunk);
          todo.push(...(this.getModuleInfo(id)?.importedIds ?? []));
        }
      };
      collect('components/cdn.ts', 'ui', false);
      collect('components/jitsi-conference/call-views.ts', 'call', true);
    },
  };
}

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
const dependencies = Object.keys(pkg.dependencies);
const isDependency = (id: string): boolean => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

export default defineConfig(({ command, mode }) => {
  if (command === 'serve') {
    // The demo pages load the built CDN file (/dist/cdn/…), as a page without a build step does.
    return { root: '.', server: { host: '127.0.0.1', strictPort: false } };
  }
  if (mode === 'cdn-iife') {
    return {
      plugins: [sizeBudget({ total: TOTAL_BUDGET_GZIP_BYTES })],
      build: {
        outDir: 'dist/cdn',
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: true,
        lib: { entry: 'components/cdn-iife.ts', formats: ['iife'], name: 'JitsiMeetJS', fileName: () => 'jitsi-elements.iife.js' },
        rollupOptions: { output: { exports: 'default', codeSplitting: false } },
      },
    };
  }
  if (mode === 'cdn') {
    return {
      // Chunks, and the preloads of a chunk's imports, are fetched relative to the file that asks for them, so
      // dist/cdn/ works from any path (a bare `/` base would preload from the site root).
      base: './',
      plugins: [sortIntoChunks(), sizeBudget({ firstLoad: FIRST_LOAD_BUDGET_GZIP_BYTES, total: TOTAL_BUDGET_GZIP_BYTES })],
      build: {
        outDir: 'dist/cdn',
        emptyOutDir: true,
        target: 'es2022',
        minify: true,
        sourcemap: true,
        // Not `lib`: Vite keeps whitespace in ES library builds; this bundle is final, so it is minified fully.
        rollupOptions: {
          input: 'components/cdn.ts',
          preserveEntrySignatures: 'exports-only',
          output: {
            format: 'es',
            entryFileNames: 'jitsi-elements.js',
            chunkFileNames: 'jitsi-elements-[name]-[hash].js',
            codeSplitting: {
              // In this order: a group takes the modules it imports along, unless an earlier group took them.
              groups: [
                { name: 'ui', test: (id) => chunkOf.get(id) === 'ui', priority: 3 },
                { name: 'call', test: (id) => chunkOf.get(id) === 'call', priority: 2 },
                { name: 'engine', test: (id) => !chunkOf.has(id) && !id.endsWith('components/cdn.ts'), priority: 1 },
              ],
            },
          },
        },
      },
    };
  }
  return {
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: {
        entry: {
          'src/index': 'src/index.ts',
          // package.json `./modules/proxyconnection/ProxyConnectionService`, lib-jitsi-meet's module path.
          'src/proxyconnection/ProxyConnectionService': 'src/proxyconnection/ProxyConnectionService.ts',
          'components/index': 'components/index.ts',
          'components/define': 'components/define.ts',
          'components/jitsi-conference/define': 'components/jitsi-conference/define.ts',
          'components/jitsi-track/define': 'components/jitsi-track/define.ts',
          'components/jitsi-device-picker/define': 'components/jitsi-device-picker/define.ts',
        },
        formats: ['es'],
      },
      rollupOptions: {
        external: isDependency,
        output: { preserveModules: true, preserveModulesRoot: '.', entryFileNames: '[name].js' },
      },
    },
  };
});
