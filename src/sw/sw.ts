/// <reference lib="webworker" />
/**
 * The app's service worker (built by vite-plugin-pwa's injectManifest into dist/sw.js; never in dev).
 * After the first visit the app works with the network cut:
 * - the app shell (HTML, JS, CSS, samples, icons, web manifest) is precached at install, one cache per
 *   shell version; pages are network-first (a new build is picked up at once when online), everything
 *   else cache-first;
 * - model weights (/models/*.json|.bin|.tflite), the tfjs WASM binaries (/tfjs-wasm/*.wasm) and LiteRT's (/litert-wasm/) are cached when the
 *   app first uses them (75 MB of weights are not forced on anyone), checked against their sha256 before
 *   they are kept;
 * - whatever it serves from a cache gets the current security headers (cross-origin isolation, CSP,
 *   nosniff): a page without COOP/COEP would lose `crossOriginIsolated` and with it the WASM threads.
 * It imports nothing: the precache list and the asset hashes are injected at build time.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;
/** Same-origin path → sha256 of every file the app fetches from /models/, /tfjs-wasm/ and /litert-wasm/ (vite.config.ts). */
declare const __KB_SW_ASSETS__: Record<string, string>;
/** scripts/static-assets.mjs `securityHeaders`: what every server sends. */
declare const __KB_SW_HEADERS__: Record<string, string>;
const ASSET_HASHES = __KB_SW_ASSETS__;
const SECURITY_HEADERS = __KB_SW_HEADERS__;

/** Injected by workbox-build: every shell file with its content revision (null where the name carries a hash). */
// Written exactly `self.__WB_MANIFEST`: workbox-build looks for that text in the built file.
const PRECACHE = (self as unknown as { __WB_MANIFEST: { url: string; revision: string | null }[] }).__WB_MANIFEST;
const SHELL_PREFIX = 'keypoint-bench-shell-';
/**
 * Weight files are not content-hashed in their URLs (/models/movenet-lightning.bin stays that name when the
 * manifest pins new weights), so a cache keyed by URL would serve old weights forever. Entries are keyed by
 * URL + the sha256 the current build expects: a changed file misses and is fetched anew, unchanged files
 * survive an app update (no 75 MB re-download), and entries whose hash the build no longer lists are deleted
 * on activation.
 */
const WEIGHTS_CACHE = 'keypoint-bench-weights';
/** A page request waits this long for the network before the cached shell answers (a slow link, not only none). */
const NAVIGATION_TIMEOUT_MS = 3000;
const REVISION_HEADER = 'X-Keypoint-Bench-Revision';

const scopeUrl = new URL(sw.registration.scope);
const absolute = (url: string) => new URL(url, scopeUrl).href;
const indexUrl = absolute('index.html');

/** One cache per shell version: the old version keeps answering until the new one is complete. */
let shellCacheNamePromise: Promise<string> | null = null;
function shellCacheName(): Promise<string> {
  shellCacheNamePromise ??= (async () => {
    const text = PRECACHE.map((e) => `${e.url} ${e.revision ?? ''}`).sort().join('\n');
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return SHELL_PREFIX + hex(digest).slice(0, 16);
  })();
  return shellCacheNamePromise;
}

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const weightKey = (path: string, sha256: string) => absolute(`${path.replace(/^\//, '')}?sha256=${sha256}`);

/** The response as stored, with the security headers of this build (and an optional extra header). */
function withSecurityHeaders(response: Response, extra?: [string, string]): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  if (extra) headers.set(extra[0], extra[1]);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const name = await shellCacheName();
      const cache = await caches.open(name);
      const previous = (await caches.keys()).filter((key) => key.startsWith(SHELL_PREFIX) && key !== name);
      await Promise.all(
        PRECACHE.map(async ({ url, revision }) => {
          const key = absolute(url);
          if (await cache.match(key)) return;
          // A file whose revision did not change is copied from the previous shell, not downloaded again.
          for (const old of previous) {
            const hit = await (await caches.open(old)).match(key);
            if (hit && hit.headers.get(REVISION_HEADER) === (revision ?? '')) {
              await cache.put(key, hit);
              return;
            }
          }
          // no-cache: revalidate with the server, so an HTTP-cached older index.html is never precached.
          const response = await fetch(new Request(key, { cache: 'no-cache', credentials: 'same-origin' }));
          if (!response.ok) throw new Error(`precache ${url}: HTTP ${response.status}`);
          await cache.put(key, withSecurityHeaders(response, [REVISION_HEADER, revision ?? '']));
        }),
      );
      // The first install takes over at once (activate → claim) so the first visit's inference worker is
      // controlled and the weights it loads are kept. An update does too: pages are network-first, so an
      // open page of the old build is never handed the new build's shell.
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const name = await shellCacheName();
      for (const key of await caches.keys()) {
        if (key.startsWith(SHELL_PREFIX) && key !== name) await caches.delete(key);
      }
      const wanted = new Set(Object.entries(ASSET_HASHES).map(([path, sha256]) => weightKey(path, sha256)));
      const weights = await caches.open(WEIGHTS_CACHE);
      for (const request of await weights.keys()) {
        if (!wanted.has(request.url)) await weights.delete(request);
      }
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scopeUrl.origin) return;
  const expectedSha256 = ASSET_HASHES[url.pathname];
  if (expectedSha256) {
    event.respondWith(weightFile(event, url.pathname, expectedSha256));
  } else if (request.mode === 'navigate' && (!/\.[a-z0-9]+$/i.test(url.pathname) || url.pathname.endsWith('.html'))) {
    event.respondWith(page(request));
  } else {
    event.respondWith(shellFile(request, url));
  }
});

async function page(request: Request): Promise<Response> {
  const cached = async () => {
    const hit = await caches.match(indexUrl, { cacheName: await shellCacheName() });
    return hit ? withSecurityHeaders(hit) : null;
  };
  try {
    const network = fetch(request);
    // Raced against a timer: if the cache answers first, a later network failure is nobody's error.
    network.catch(() => undefined);
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), NAVIGATION_TIMEOUT_MS));
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    return (await cached()) ?? (await network);
  } catch (error) {
    const hit = await cached();
    if (hit) return hit;
    throw error;
  }
}

async function shellFile(request: Request, url: URL): Promise<Response> {
  const hit = await caches.match(url.origin + url.pathname, { cacheName: await shellCacheName() });
  if (hit) return withSecurityHeaders(hit);
  return fetch(request);
}

async function weightFile(event: FetchEvent, path: string, sha256: string): Promise<Response> {
  const key = weightKey(path, sha256);
  const cache = await caches.open(WEIGHTS_CACHE);
  const hit = await cache.match(key);
  if (hit) return withSecurityHeaders(hit);
  let response: Response;
  try {
    response = await fetch(event.request);
  } catch {
    return offlineMiss(path);
  }
  if (response.ok) {
    // The app reads one copy as it streams (download progress); the other is kept once its hash checks out,
    // so a truncated or wrong download is never served from the cache later.
    const copy = response.clone();
    event.waitUntil(
      (async () => {
        const bytes = await copy.arrayBuffer();
        if (hex(await crypto.subtle.digest('SHA-256', bytes)) !== sha256) return;
        await cache.put(key, new Response(bytes, { status: copy.status, statusText: copy.statusText, headers: copy.headers }));
      })().catch(() => undefined),
    );
  }
  return response;
}

/**
 * Offline and never downloaded: the open pages are told which file (they name the model: "not available
 * offline: … was never downloaded"), and the fetch gets a 503 saying so instead of a bare network error.
 */
async function offlineMiss(path: string): Promise<Response> {
  const message = `not available offline: ${path} was never downloaded`;
  for (const client of await sw.clients.matchAll({ type: 'window' })) {
    client.postMessage({ type: 'keypoint-bench:offline-miss', path });
  }
  return new Response(message, {
    status: 503,
    statusText: 'Not available offline',
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
