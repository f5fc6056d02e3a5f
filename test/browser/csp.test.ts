/**
 * The Content-Security-Policy and nosniff (scripts/static-assets.mjs) on every response, and the whole app run
 * under them: ground truth and photos from test/fixtures (one with an HTML file name), every model, imported
 * predictions, every export, the bundled samples, the benchmark and the webcam (Chromium's fake camera). Nothing
 * may be refused by the policy — in the page, its workers (the inference worker, the WASM pthreads, the benchmark's
 * workers) or the service worker — and no request may leave the app's origin.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, ConsoleMessage, Locator, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with scripts/serve.mjs and vite.config.ts
import { contentSecurityPolicy, securityHeaders } from '../../scripts/static-assets.mjs';
import {
  BROWSER_FIXTURES_DIR,
  DIST_DIR,
  MODELS,
  PEOPLE_DIR,
  REPO_ROOT,
  fakeCameraArgs,
  foreignRequests,
  getState,
  openApp,
  pngSize,
  selectModels,
  waitForBackend,
  waitForCellsDone,
  waitForLiveKeypoints,
  type AppSession,
} from './harness';

const POLICY = contentSecurityPolicy as string;
const HEADERS = securityHeaders as Record<string, string>;
const FEED = join(BROWSER_FIXTURES_DIR, 'webcam-person.mjpeg');
const EVALUATION_DIR = join(REPO_ROOT, 'test', 'fixtures', 'evaluation');
/** Listed in test/fixtures/evaluation/annotations.json, with labelled people. */
const PHOTOS = ['000000030752.jpg', '000000126995.jpg'];
/** A real photo under a name that is HTML: it must be shown as text, never parsed. */
const HOSTILE_NAME = '<img src=x onerror="window.__kbPwned=1">.jpg';
const SAMPLES = (JSON.parse(readFileSync(join(REPO_ROOT, 'public', 'samples', 'samples.json'), 'utf8')) as { images: { file: string }[] }).images.map((s) => s.file);

/** Everything the policy refused or the browser said about it, from any context. */
const violations: string[] = [];
/** Contexts the violation listener was installed in (page + workers), to show it was. */
const listening: string[] = [];
let app: AppSession;

const isPolicyMessage = (text: string) => /Refused to|Content[- ]Security[- ]Policy|securitypolicyviolation/i.test(text);

/** Reports `securitypolicyviolation` events of a worker (dedicated or service) as console errors, and reads its console. */
function watchWorker(kind: string, worker: Worker): void {
  worker.on('console', (message: ConsoleMessage) => {
    if (isPolicyMessage(message.text())) violations.push(`${kind} ${worker.url()}: ${message.text()}`);
  });
  worker
    .evaluate(() => {
      self.addEventListener('securitypolicyviolation', (e) => console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI} in ${e.sourceFile}`));
      return true;
    })
    .then(() => listening.push(`${kind} ${worker.url()}`))
    // A worker that ended before it could be reached (a pthread the pool did not need) has nothing to report.
    .catch(() => undefined);
}

async function installWatchers(context: BrowserContext, page: Page): Promise<void> {
  // Before any script of the page runs: every violation in the document is kept on window.
  await context.addInitScript(() => {
    const found: string[] = [];
    (window as unknown as { __kbViolations: string[] }).__kbViolations = found;
    document.addEventListener('securitypolicyviolation', (e) => found.push(`${e.violatedDirective} blocked ${e.blockedURI} in ${e.sourceFile}:${e.lineNumber}`));
  });
  page.on('console', (message) => {
    if (isPolicyMessage(message.text())) violations.push(`page console ${message.type()}: ${message.text()}`);
  });
  page.on('worker', (worker) => watchWorker('worker', worker));
  context.on('serviceworker', (worker) => watchWorker('service worker', worker));
}

async function pageViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __kbViolations?: string[] }).__kbViolations ?? ['(listener missing)']);
}

async function download(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [event] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: event.suggestedFilename(), bytes: readFileSync(await event.path()) };
}

beforeAll(async () => {
  app = await openApp({
    extraArgs: fakeCameraArgs(FEED),
    beforeGoto: installWatchers,
  });
});

afterAll(async () => {
  await app?.close();
});

describe('Content-Security-Policy and nosniff', () => {
  it('the policy allows only this origin, no inline script and no eval', () => {
    const directives = new Map(POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name ?? '', values]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    // blob: for the WASM pthreads' importScripts (see static-assets.mjs); no 'unsafe-inline', no 'unsafe-eval'.
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(directives.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(directives.get('img-src')).toEqual(["'self'", 'blob:', 'data:']);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(POLICY).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|https?:/);
    expect(HEADERS).toMatchObject({ 'Content-Security-Policy': POLICY, 'X-Content-Type-Options': 'nosniff' });
  });

  it('is sent with nosniff and the isolation headers on the page, a JS asset, a model file, a WASM binary, the service worker and a 404', async () => {
    const html = await (await fetch(app.baseUrl)).text();
    const script = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1];
    expect(script, 'the page loads its bundle from a file').toMatch(/^\/assets\/index-.*\.js$/);
    const paths = ['/', script ?? '', '/models/movenet-lightning.json', '/models/movenet-lightning.bin', '/tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm', '/sw.js', '/manifest.webmanifest', '/no-such-file.js'];
    for (const path of paths) {
      const response = await fetch(new URL(path, app.baseUrl));
      await response.arrayBuffer();
      expect(response.status, path).toBe(path === '/no-such-file.js' ? 404 : 200);
      for (const [name, value] of Object.entries(HEADERS)) expect(response.headers.get(name), `${path}: ${name}`).toBe(value);
    }
  });

  it('Vite\'s preview server sends the same headers, and its dev server the same policy plus only what dev needs', async () => {
    const { default: config } = (await import('../../vite.config')) as { default: (env: { command: 'serve' | 'build'; mode: string }) => { preview?: { headers?: Record<string, string> }; server?: { headers?: Record<string, string> } } };
    const resolved = config({ command: 'serve', mode: 'development' });
    expect(resolved.preview?.headers).toEqual(HEADERS);
    const dev = resolved.server?.headers ?? {};
    expect(dev['X-Content-Type-Options']).toBe('nosniff');
    expect(dev['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    // Dev adds inline styles (Vite injects CSS as <style>) and one inline script by its hash (React Refresh), nothing else.
    const devPolicy = dev['Content-Security-Policy'] ?? '';
    expect(devPolicy.replace(/ 'sha256-[A-Za-z0-9+/=]+'/, '').replace("style-src 'self' 'unsafe-inline'", "style-src 'self'")).toBe(POLICY);
    expect(devPolicy).toMatch(/script-src [^;]*'sha256-[A-Za-z0-9+/=]{44}'/);
    expect(/script-src ([^;]*)/.exec(devPolicy)?.[1]).not.toMatch(/unsafe-inline/);
  });

  it('has no inline script: not in the built HTML, not in the page', async () => {
    const htmlFiles = readdirSync(DIST_DIR, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.html'));
    expect(htmlFiles).toContain('index.html');
    for (const name of htmlFiles) {
      const html = readFileSync(join(DIST_DIR, name), 'utf8');
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      for (const [, attributes, body] of scripts) {
        expect(attributes, `${name}: a script without src`).toMatch(/\bsrc=/);
        expect(body?.trim(), `${name}: script body`).toBe('');
      }
      expect(html, `${name}: inline event handlers`).not.toMatch(/\son[a-z]+\s*=/i);
    }
    const { page } = app;
    expect(await page.evaluate(() => document.querySelectorAll('script:not([src])').length)).toBe(0);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it('runs ground truth, photos (one named as HTML), every model and imported predictions without a violation', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(join(EVALUATION_DIR, 'annotations.json'));
    await page.getByLabel('Add images', { exact: true }).setInputFiles([
      ...PHOTOS.map((name) => ({ name, mimeType: 'image/jpeg', buffer: readFileSync(join(PEOPLE_DIR, name)) })),
      { name: HOSTILE_NAME, mimeType: 'image/jpeg', buffer: readFileSync(join(PEOPLE_DIR, '000000463557.jpg')) },
    ]);
    await selectModels(page, MODELS.map((m) => m.name));
    await waitForCellsDone(page, PHOTOS, MODELS.map((m) => m.id), 270_000);
    // The HTML name is text wherever it is shown: no element was made of it, nothing ran.
    await expect.poll(() => page.locator('.gallery-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.imageName))).toContain(HOSTILE_NAME);
    expect(await page.getByText(HOSTILE_NAME, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => ({ pwned: 'kbPwned' in window || '__kbPwned' in window, injected: document.querySelectorAll('img[src="x"]').length }))).toEqual({ pwned: false, injected: 0 });
    // Imported predictions become a column.
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(join(EVALUATION_DIR, 'noisy.results.json'));
    await expect.poll(() => page.getByRole('columnheader').allTextContents(), { timeout: 20_000 }).toContain('noisy');
  });

  it('exports everything (screenshot, clipboard, metrics CSV/JSON/PNG, COCO zip, one results.json) without a violation', async () => {
    const { page, context } = app;
    const shot = await download(page, page.getByRole('button', { name: 'Export screenshot' }));
    expect(pngSize(shot.bytes).width).toBeGreaterThan(100);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.baseUrl).origin });
    await page.getByRole('button', { name: 'Copy screenshot' }).click();
    await expect.poll(() => page.getByTestId('export-status').textContent(), { timeout: 20_000 }).toMatch(/^Copied a \d+×\d+ PNG to the clipboard$/);

    await page.getByRole('tab', { name: 'Metrics & verdict', exact: true }).click();
    await page.getByTestId('metrics-table').waitFor();
    const files = [
      await download(page, page.getByRole('button', { name: 'Export metrics CSV' })),
      await download(page, page.getByRole('button', { name: 'Export metrics JSON' })),
      await download(page, page.getByRole('button', { name: 'Export all COCO results (.zip)' })),
      await download(page, page.locator('[data-testid=metrics-table] tr[data-column-id="movenet-lightning"]').getByRole('button', { name: 'results.json' })),
      await download(page, page.getByRole('button', { name: 'Export metrics PNG' })),
    ];
    expect(files.map((f) => f.name.replace(/^keypoint-bench-.*?-(?=metrics|coco)/, ''))).toEqual(['metrics.csv', 'metrics.json', 'coco-results.zip', 'MoveNet_SinglePose_Lightning.results.json', 'metrics.png']);
    for (const file of files) expect(file.bytes.length, file.name).toBeGreaterThan(100);
    await page.getByRole('tab', { name: 'Worst first', exact: true }).click();
    await page.getByRole('tab', { name: 'Gallery', exact: true }).click();
  });

  it('loads the bundled samples, runs the benchmark and exports its JSON without a violation', async () => {
    const { page } = app;
    await selectModels(page, ['MoveNet SinglePose Lightning']);
    await page.getByRole('button', { name: 'Try sample images' }).click();
    await expect.poll(async () => (await getState(page)).images.filter((im) => SAMPLES.includes(im.name) && im.status === 'ready').length, { timeout: 60_000 }).toBe(SAMPLES.length);

    await page.getByRole('tab', { name: 'Benchmark', exact: true }).click();
    const view = page.getByRole('region', { name: 'Benchmark' });
    await view.getByLabel('Images per run').fill('1');
    await view.getByRole('button', { name: 'Run benchmark' }).click();
    const row = view.locator('tr[data-model-id="movenet-lightning"][data-backend="wasm"]');
    await row.waitFor({ timeout: 240_000 });
    expect(await row.getAttribute('data-status')).toBe('ok');
    const report = await download(page, view.getByRole('button', { name: 'Export benchmark JSON' }));
    expect((JSON.parse(report.bytes.toString('utf8')) as { crossOriginIsolated: boolean }).crossOriginIsolated).toBe(true);
    await page.getByRole('tab', { name: 'Gallery', exact: true }).click();
  });

  it('runs the webcam (fake camera) without a violation', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Start webcam' }).click();
    await page.getByRole('img', { name: 'Webcam with keypoints' }).waitFor({ timeout: 30_000 });
    await waitForLiveKeypoints(page);
    await page.getByRole('button', { name: 'Stop webcam' }).click();
  });

  it('nothing was refused anywhere (page, workers, service worker), and every request stayed on this origin', async () => {
    const { page } = app;
    // Let late reports (they are queued as tasks) arrive.
    await page.waitForTimeout(500);
    expect(await pageViolations(page)).toEqual([]);
    expect(violations).toEqual([]);
    // The listeners were in place: the page, the inference worker, WASM pthreads, the service worker.
    expect(listening.some((c) => /^worker .*\/assets\/inferenceWorker-/.test(c)), listening.join('\n')).toBe(true);
    expect(listening.some((c) => /^worker blob:/.test(c)), listening.join('\n')).toBe(true);
    expect(listening.some((c) => /^service worker .*\/sw\.js$/.test(c)), listening.join('\n')).toBe(true);
    expect(app.pageErrors.filter((e) => e.startsWith('pageerror')), app.pageErrors.join('\n')).toEqual([]);
    expect(foreignRequests(app.requests, app.baseUrl)).toEqual([]);
    // The flow did reach the network where it should: weights of the heaviest model, the WASM binary, samples.
    for (const part of ['/models/blazepose-heavy', '/tfjs-wasm/', '/samples/']) expect(app.requests.some((url) => url.includes(part)), part).toBe(true);
  });
});
