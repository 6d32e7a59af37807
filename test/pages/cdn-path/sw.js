/* global self, fetch, Response */
/*
 * Service worker of cdn-path/index.html: plays a CDN that serves the built dist/cdn/ files under a deep,
 * versioned path of its own (/test/pages/cdn-path/npm/jitsi-elements@0.1.0/dist/cdn/…), so the page checks
 * that the entry finds its chunks relative to itself. While the page asks it to, it holds back the engine
 * chunk (jitsi-elements-engine-*.js): the page then shows what it shows with the first load alone.
 */
const PREFIX = '/test/pages/cdn-path/npm/jitsi-elements@0.1.0/dist/cdn/';
let holding = false;
let release = () => undefined;
let released = Promise.resolve();
const served = [];

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const { type } = event.data ?? {};
  if (type === 'hold-engine') {
    holding = true;
    released = new Promise((resolve) => {
      release = resolve;
    });
  } else if (type === 'release-engine') {
    holding = false;
    release();
  }
  event.source?.postMessage({ type: 'state', served: [...served], holding });
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!url.pathname.startsWith(PREFIX)) return;
  const name = url.pathname.slice(PREFIX.length);
  served.push(name);
  const wait = holding && /^jitsi-elements-engine-.*\.js$/.test(name) ? released : Promise.resolve();
  // A new Response, not fetch()'s own: a module's base URL is its response's URL, which must stay the CDN's.
  event.respondWith(
    wait
      .then(() => fetch(`/dist/cdn/${name}`))
      .then(async (response) => new Response(await response.arrayBuffer(), { status: response.status, headers: response.headers })),
  );
});
