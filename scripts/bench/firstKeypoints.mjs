// "First keypoints on screen": from navigation start to the first gallery cell with data-status=done,
// one image added as soon as the file input exists, in a page whose HTTP cache is warm.
/* global window, document, performance, requestAnimationFrame, setInterval, clearInterval, MutationObserver */
import { waitForApp, waitForGalleryBackend } from './app.mjs';

/**
 * Runs in the page before any of its scripts: timestamps (ms since navigation start, i.e.
 * performance.timeOrigin) of what happens on the way to the first keypoints.
 */
function instrument() {
  const marks = {};
  const extra = { models: {} };
  window.__kbFirst = { marks, extra };
  const mark = (name) => {
    if (!(name in marks)) marks[name] = performance.now();
  };
  let timer = 0;
  const check = () => {
    if (document.querySelector('input[aria-label="Add images"]')) mark('fileInputAttached');
    const doneCell = document.querySelector('.cell[data-status="done"]');
    if (doneCell && !('firstCellDone' in marks)) {
      mark('firstCellDone');
      extra.firstCellModel = doneCell.getAttribute('data-model-id');
      extra.firstCellCaption = doneCell.querySelector('figcaption')?.textContent ?? null;
      // The frame after the DOM change: when the browser can paint it.
      requestAnimationFrame(() => mark('firstCellFrame'));
    }
    const bench = window.keypointBench;
    if (!bench) return;
    mark('appMounted');
    const s = bench.getState();
    if (s.backend.status !== 'initialising' && !('backendReady' in marks)) {
      mark('backendReady');
      extra.backend = s.backend.active;
      extra.backendStatus = s.backend.status;
      extra.decision = s.backend.decision ? JSON.parse(JSON.stringify(s.backend.decision)) : null;
    }
    if (s.images.length > 0) mark('imageAdded');
    if (s.images.some((i) => i.status === 'ready')) mark('imageReady');
    for (const [id, st] of Object.entries(s.modelStatus)) {
      if (st.state === 'ready' && !(`modelReady:${id}` in marks)) {
        mark(`modelReady:${id}`);
        extra.models[id] = { loadMs: st.loadMs, warmupMs: st.warmupMs, bytes: st.totalBytes, backend: st.backend };
      }
    }
    for (const [key, cell] of Object.entries(s.results)) {
      const modelId = key.split('|')[1];
      if (cell.status === 'running') mark(`cellRunning:${modelId}`);
      if (cell.status === 'done' && !(`resultDone:${modelId}` in marks)) {
        mark(`resultDone:${modelId}`);
        extra.models[modelId] = { ...(extra.models[modelId] ?? {}), firstLatencyMs: cell.imageLatencyMs };
      }
    }
    if ('firstCellFrame' in marks && Object.keys(s.results).every((k) => `resultDone:${k.split('|')[1]}` in marks)) clearInterval(timer);
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  timer = setInterval(check, 5);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
}

/** One measured load; returns the in-page marks, navigation timing and what came from the HTTP cache. */
async function measureOnce(context, url, imagePath, timeoutMs) {
  const page = await context.newPage();
  // Context-level, so the worker's requests (WASM binary, model files) are seen too. A response whose
  // body came from the HTTP cache reports a network body size of 0 or less.
  const pending = [];
  const onFinished = (request) => {
    if (request.url().startsWith('blob:') || request.url().startsWith('data:')) return;
    pending.push(
      request.sizes().then(
        (sizes) => ({ url: request.url(), networkBodyBytes: Math.max(0, sizes.responseBodySize), fromCache: sizes.responseBodySize <= 0 }),
        () => ({ url: request.url(), networkBodyBytes: null, fromCache: null }),
      ),
    );
  };
  context.on('requestfinished', onFinished);
  await page.addInitScript(instrument);
  const nodeStartMs = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  const input = page.locator('input[aria-label="Add images"]');
  await input.waitFor({ state: 'attached', timeout: timeoutMs });
  await input.setInputFiles(imagePath);
  const inputSetNodeMs = performance.now() - nodeStartMs;
  await page.waitForFunction(() => window.__kbFirst && 'firstCellFrame' in window.__kbFirst.marks, undefined, { timeout: timeoutMs, polling: 20 });
  const nodeWallMs = performance.now() - nodeStartMs;
  // Let the second model finish too, for its figures (not part of the measurement).
  await page.waitForFunction(
    () => {
      const s = window.keypointBench.getState();
      return Object.values(s.results).length > 0 && Object.values(s.results).every((c) => c.status === 'done' || c.status === 'error');
    },
    undefined,
    { timeout: timeoutMs, polling: 50 },
  ).catch(() => undefined);
  const inPage = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      marks: window.__kbFirst.marks,
      extra: window.__kbFirst.extra,
      navigation: nav
        ? {
            responseEndMs: nav.responseEnd,
            domContentLoadedMs: nav.domContentLoadedEventEnd,
            loadEventMs: nav.loadEventEnd,
            htmlTransferSize: nav.transferSize,
          }
        : null,
    };
  });
  const network = await Promise.all(pending);
  context.off('requestfinished', onFinished);
  await page.close();
  return { ...inPage, inputSetNodeMs, nodeWallMs, network };
}

/**
 * Warms the HTTP cache with one full load of the page (same context), then measures `runs` fresh
 * loads. Returns every run and the median.
 */
export async function measureFirstKeypoints({ context, url, imagePath, runs, log, timeoutMs = 120_000 }) {
  log('first keypoints: warming the HTTP cache with one page load');
  const warmPage = await context.newPage();
  await warmPage.goto(url);
  await waitForApp(warmPage);
  const warmBackend = await waitForGalleryBackend(warmPage);
  await warmPage.locator('input[aria-label="Add images"]').setInputFiles(imagePath);
  await warmPage.waitForFunction(() => !!document.querySelector('.cell[data-status="done"]'), undefined, { timeout: timeoutMs, polling: 50 });
  await warmPage.close();
  const results = [];
  for (let i = 0; i < runs; i++) {
    const run = await measureOnce(context, url, imagePath, timeoutMs);
    results.push(run);
    const m = run.marks;
    log(
      `first keypoints run ${i + 1}/${runs}: ${m.firstCellDone.toFixed(0)} ms to the first done cell (${run.extra.firstCellModel}); ` +
        `backend ${run.extra.backend} ready at ${m.backendReady?.toFixed(0)} ms, image added at ${m.imageAdded?.toFixed(0)} ms`,
    );
  }
  const summary = summarise(results);
  return { warmLoadBackend: warmBackend.active, runs: results, ...summary };
}

const fmt = (v) => (typeof v === 'number' ? Math.round(v) : null);

function summarise(runs) {
  const firstMs = runs.map((r) => r.marks.firstCellDone);
  const medianMs = median(firstMs);
  const medianRun = runs[firstMs.indexOf(medianMs)] ?? runs[0];
  const m = medianRun.marks;
  const models = Object.keys(medianRun.extra.models);
  const parts = {
    htmlReceivedMs: fmt(medianRun.navigation?.responseEndMs),
    domContentLoadedMs: fmt(medianRun.navigation?.domContentLoadedMs),
    appMountedMs: fmt(m.appMounted),
    fileInputAttachedMs: fmt(m.fileInputAttached),
    imageAddedMs: fmt(m.imageAdded),
    imageReadyMs: fmt(m.imageReady),
    backendReadyMs: fmt(m.backendReady),
    modelsReadyMs: Object.fromEntries(models.map((id) => [id, fmt(m[`modelReady:${id}`])])),
    modelLoadMs: Object.fromEntries(models.map((id) => [id, fmt(medianRun.extra.models[id]?.loadMs)])),
    modelWarmupMs: Object.fromEntries(models.map((id) => [id, fmt(medianRun.extra.models[id]?.warmupMs)])),
    firstResultLatencyMs: Object.fromEntries(models.map((id) => [id, fmt(medianRun.extra.models[id]?.firstLatencyMs)])),
    resultDoneMs: Object.fromEntries(models.map((id) => [id, fmt(m[`resultDone:${id}`])])),
    firstCellDoneMs: fmt(m.firstCellDone),
    firstCellFrameMs: fmt(m.firstCellFrame),
  };
  // What the warm cache served, from every request of the run (page and worker).
  const path = (u) => new URL(u).pathname;
  const cached = [...new Set(medianRun.network.filter((n) => n.fromCache).map((n) => path(n.url)))].sort();
  const fetched = medianRun.network.filter((n) => n.fromCache === false);
  const fetchedBytes = fetched.reduce((a, n) => a + (n.networkBodyBytes ?? 0), 0);
  return {
    firstKeypointsMs: fmt(medianMs),
    allRunsMs: firstMs.map(fmt),
    backend: medianRun.extra.backend,
    firstCellModel: medianRun.extra.firstCellModel,
    decisionReason: medianRun.extra.decision?.reason ?? null,
    parts,
    httpCache: { servedFromCache: cached, fetchedFromServer: [...new Set(fetched.map((n) => path(n.url)))].sort(), fetchedBytes },
  };
}
