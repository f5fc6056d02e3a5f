/**
 * Offline, after one visit (the service worker, src/sw/sw.ts, registered by src/app/serviceWorker.ts): the first
 * visit runs three models on the bundled samples; then the network is cut (Playwright's offline mode, and the
 * server itself is stopped, so nothing can be answered from anywhere but the service worker's caches) and the
 * page reloads. The app loads, is still cross-origin isolated (WASM threads), the models used before run on a
 * new photo, and a model never used fails saying so. Also: the app is installable (Chromium's own check).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWasmThreads } from '../../src/core/backendDecision';
import { MODELS as MODEL_INFOS } from '../../src/inference/modelCatalogue';
import { PEOPLE_DIR, REPO_ROOT, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

/** Used on the first visit: the two default models, then PoseNet added. */
const USED = [
  { id: 'movenet-lightning', name: 'MoveNet SinglePose Lightning' },
  { id: 'blazepose-lite', name: 'BlazePose lite' },
  { id: 'posenet-mobilenet', name: 'PoseNet (MobileNetV1)' },
];
const NEVER_USED = { id: 'blazepose-heavy', name: 'BlazePose heavy' };
const SAMPLES = (JSON.parse(readFileSync(join(REPO_ROOT, 'public', 'samples', 'samples.json'), 'utf8')) as { images: { file: string }[] }).images.map((s) => s.file);
/** Added offline: a photo the first visit never saw (so its results cannot come from anything kept). */
const OFFLINE_PHOTO = '000000030752.jpg';
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

/** Paths in the service worker's weights cache, each with the sha256 it is kept under. */
async function weightsCached(): Promise<string[]> {
  return app.page.evaluate(async () => {
    const cache = await caches.open('keypoint-bench-weights');
    return (await cache.keys()).map((request) => {
      const url = new URL(request.url);
      return `${url.pathname}${url.search}`;
    });
  });
}

describe('offline after the first visit (service worker)', () => {
  it('first visit: the service worker takes control before the app starts, and keeps the weights of the models used', async () => {
    const { page } = app;
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toBe(new URL('/sw.js', app.baseUrl).href);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByRole('button', { name: 'Try sample images' }).click();
    await waitForCellsDone(page, SAMPLES, USED.slice(0, 2).map((m) => m.id), 240_000);
    await selectModels(page, USED.map((m) => m.name));
    await waitForCellsDone(page, SAMPLES, USED.map((m) => m.id), 240_000);

    // Every file of the models used is kept under its manifest sha256, and nothing of the unused ones.
    const expected = MODEL_INFOS.filter((m) => USED.some((u) => u.id === m.id)).flatMap((m) => m.files.map((f) => `/models/${f.name}?sha256=${f.sha256}`));
    // BlazePose heavy's own files (its person detector is shared with BlazePose lite, used).
    const neverUsedFiles = (MODEL_INFOS.find((m) => m.id === NEVER_USED.id)?.files ?? [])
      .map((f) => `/models/${f.name}`)
      .filter((path) => !expected.some((key) => key.startsWith(`${path}?`)));
    expect(neverUsedFiles.length).toBeGreaterThan(0);
    // The copy is written once its hash is checked, just after the app got its own.
    await expect
      .poll(
        async () => {
          const now = await weightsCached();
          return expected.filter((key) => !now.includes(key));
        },
        { timeout: 30_000 },
      )
      .toEqual([]);
    const cached = await weightsCached();
    expect(cached.filter((key) => neverUsedFiles.some((path) => key.startsWith(`${path}?`)))).toEqual([]);
    // The WASM binary the backend loaded is kept too (exactly one of the three: the one this browser uses).
    expect(cached.filter((key) => key.startsWith('/tfjs-wasm/'))).toHaveLength(1);
    console.log(`weights cache after the first visit: ${cached.length} files`);
  });

  it('the app is installable: Chromium finds a valid web manifest and no installability error', async () => {
    const cdp = await app.context.newCDPSession(app.page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.url).toBe(new URL('/manifest.webmanifest', app.baseUrl).href);
    expect(manifest.errors).toEqual([]);
    const data = JSON.parse(manifest.data ?? '{}') as { name?: string; display?: string; start_url?: string; icons?: { sizes: string; type: string }[] };
    expect(data).toMatchObject({ name: 'Keypoint Bench', display: 'standalone', start_url: '/' });
    expect(data.icons?.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
    await cdp.detach();
  });

  it('offline (network cut, server stopped): the page reloads from the service worker, cross-origin isolated, with the security headers', async () => {
    const { page, context } = app;
    await context.setOffline(true);
    app.stopServer();
    const response = await page.reload();
    expect(response?.fromServiceWorker(), 'the page came from the service worker').toBe(true);
    const headers = response?.headers() ?? {};
    expect(headers).toMatchObject(ISOLATION);
    expect(headers['content-security-policy']).toMatch(/connect-src 'self'/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    await page.waitForFunction(() => 'keypointBench' in window, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The bundle the page runs is the one served from the cache (the server is gone).
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  });

  it('offline: WASM runs with threads, and the models used before run on a new photo', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Number(await page.getByTestId('backend-status').getAttribute('data-wasm-threads'));
    expect(threads, 'WASM threads read back from the module, offline').toBe(defaultWasmThreads(cores, true));
    if (cores >= 2) expect(threads).toBeGreaterThan(1);

    await selectModels(page, USED.map((m) => m.name));
    await page.getByLabel('Add images', { exact: true }).setInputFiles([join(PEOPLE_DIR, OFFLINE_PHOTO)]);
    const cells = await waitForCellsDone(page, [OFFLINE_PHOTO], USED.map((m) => m.id), 240_000);
    for (const cell of cells) expect(cell.poses, `${cell.image} × ${cell.modelId}`).toBeGreaterThanOrEqual(1);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === OFFLINE_PHOTO);
    for (const { id } of USED) {
      const cell = Object.entries(state.results).find(([key]) => key.startsWith(`${image?.id}|${id}`))?.[1];
      expect(cell?.backend, id).toBe('wasm');
      expect(cell?.poses[0]?.keypoints.length, id).toBeGreaterThanOrEqual(17);
    }
    // The samples are part of the shell: they load offline too.
    await page.getByRole('button', { name: 'Try sample images' }).click();
    await expect.poll(async () => (await getState(page)).images.filter((im) => SAMPLES.includes(im.name) && im.status === 'ready').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(SAMPLES.length);
  });

  it('offline: a model never used fails saying it was never downloaded, not "Failed to fetch"; the others keep working', async () => {
    const { page } = app;
    await page.getByRole('checkbox', { name: NEVER_USED.name, exact: true }).check();
    const item = page.locator(`li[data-model-id="${NEVER_USED.id}"]`);
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 60_000 }).toBe('error');
    const expected = new RegExp(`not available offline: ${NEVER_USED.name} was never downloaded`);
    await expect.poll(async () => (await item.textContent()) ?? '', { timeout: 10_000 }).toMatch(expected);
    const alerts = await page.getByRole('alert').allTextContents();
    expect(alerts.filter((text) => expected.test(text)), alerts.join('\n')).toHaveLength(1);
    expect(alerts.filter((text) => /Failed to fetch|HTTP 503/.test(text)), alerts.join('\n')).toEqual([]);
    for (const { id } of USED) expect(await page.locator(`li[data-model-id="${id}"]`).getAttribute('data-state'), id).toBe('ready');
    expect(app.pageErrors.filter((e) => e.startsWith('pageerror')), app.pageErrors.join('\n')).toEqual([]);
  });
});
