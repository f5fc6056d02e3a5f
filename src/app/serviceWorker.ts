import { Workbox } from 'workbox-window';
import { MODELS } from '../inference/modelCatalogue';
import { useAppStore } from '../store/appStore';

/**
 * How long the first visit waits for the service worker to take control before the app starts anyway. The
 * install downloads the shell the page needs next anyway (the inference worker's bundle is most of it), so on
 * a normal link this costs little; on a slow one the app starts and the weights of this first visit are cached
 * on the next visit that uses them.
 */
const FIRST_VISIT_WAIT_MS = 5000;

const OFFLINE_PREFIX = 'not available offline: ';

/**
 * Registers the service worker (dist/sw.js, src/sw/sw.ts) in production builds; the dev server runs without
 * one. Resolves once the app may start: at once when a service worker already controls the page, else when the
 * new one takes control (at most FIRST_VISIT_WAIT_MS), so that the inference worker the app starts next is
 * controlled too and every model it loads is kept for offline use.
 */
export async function startServiceWorker(): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  explainOfflineMisses();
  const container = navigator.serviceWorker;
  const controlled = container.controller
    ? Promise.resolve()
    : new Promise<void>((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
  try {
    // immediate: register now, not after window 'load' (the page is waiting for it on a first visit).
    await new Workbox('/sw.js').register({ immediate: true });
  } catch (error) {
    // Online use is unaffected; only offline use is lost. Not a console error: nothing the user did failed.
    console.warn(`service worker not registered, the app will not work offline: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  await Promise.race([controlled, new Promise((resolve) => setTimeout(resolve, FIRST_VISIT_WAIT_MS))]);
}

interface OfflineMiss {
  type: 'keypoint-bench:offline-miss';
  path: string;
}

function isOfflineMiss(data: unknown): data is OfflineMiss {
  return typeof data === 'object' && data !== null && (data as OfflineMiss).type === 'keypoint-bench:offline-miss' && typeof (data as OfflineMiss).path === 'string';
}

/**
 * Offline, a model whose weights were never downloaded fails in the worker with an HTTP 503 from the service
 * worker, which also tells the page which file it could not serve. This turns that failure into words naming
 * the model, in the model list and in the notice (replacing the worker's "…/blazepose-heavy.json: HTTP 503").
 */
function explainOfflineMisses(): void {
  const missing = new Set<string>();
  const explained = new Set<string>();
  let explaining = false;
  let again = false;
  // Runs on every store change and changes the store itself: one run at a time, repeated while it made changes.
  const explain = () => {
    if (explaining) {
      again = true;
      return;
    }
    explaining = true;
    try {
      do {
        again = false;
        explainOnce();
      } while (again);
    } finally {
      explaining = false;
    }
  };
  const explainOnce = () => {
    const store = useAppStore.getState();
    for (const model of MODELS) {
      const paths = model.files.map((file) => `/models/${file.name}`);
      const status = store.modelStatus[model.id];
      if (status?.state === 'ready') {
        // Downloaded after all (back online): a later failure is not an offline one.
        for (const path of paths) missing.delete(path);
        continue;
      }
      if (!status?.error) continue;
      if (status.error.startsWith(OFFLINE_PREFIX)) {
        // A model's files load in parallel: progress of a file that was cached arrives after the failure and
        // would show the failed model as loading. A new load clears the error, so this is the failed one.
        if (status.state === 'loading') store.patchModelStatus(model.id, { state: 'error' });
        // The worker's own notice of the failure ("blazepose-heavy: /models/…: HTTP 503") comes after its status.
        for (const notice of store.notices) {
          const workerNotice = notice.area === 'models' && notice.message.startsWith(`${model.id}: `) && !notice.message.includes(OFFLINE_PREFIX);
          if (workerNotice && paths.some((path) => missing.has(path) && notice.message.includes(path))) store.dismissNotice(notice.id);
        }
        continue;
      }
      // The worker's error names the file (HTTP 503). It may come before or after the service worker's word, and
      // be followed by progress of the model's other files (state 'loading' with the error kept: a new load
      // clears it).
      const missingPath = paths.find((path) => missing.has(path) && status.error?.includes(path));
      if (!missingPath) continue;
      const message = `${OFFLINE_PREFIX}${model.displayName} was never downloaded (its weights, ${missingPath}, are kept once the model has run online)`;
      store.patchModelStatus(model.id, { state: 'error', error: message });
      store.pushNotice('models', `${model.id}: ${message}`);
    }
    for (const path of missing) {
      if (!(path.startsWith('/tfjs-wasm/') || path.startsWith('/litert-wasm/')) || explained.has(path)) continue;
      explained.add(path);
      store.pushNotice('backend', `${OFFLINE_PREFIX}the WASM engine ${path} was never downloaded`);
    }
  };
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isOfflineMiss(event.data)) return;
    missing.add(event.data.path);
    explain();
  });
  useAppStore.subscribe(explain);
}
