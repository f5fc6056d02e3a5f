/**
 * The session survives reloads and browser restarts (issue 10.1): images, ground truth, imported
 * predictions, settings and every finished result come back from IndexedDB and nothing finished runs
 * again; an interrupted batch resumes; a page closed mid-write leaves a consistent session; a full disk
 * says what was not kept; named sessions can be made, switched, cleared and deleted.
 *
 * "Not recomputed" is checked on the results themselves: a restored cell carries no request id, and a
 * cell the worker answered carries the id of its request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, DIST_DIR, PEOPLE_DIR, REPO_ROOT, chromiumPath, startServer } from './harness';

const EVALUATION_DIR = join(REPO_ROOT, 'test', 'fixtures', 'evaluation');
const GT_PATH = join(EVALUATION_DIR, 'annotations.json');
const PREDICTIONS_PATH = join(EVALUATION_DIR, 'noisy.results.json');
const LISTED = ['000000030752.jpg', '000000126995.jpg', '000000463557.jpg'];
const DEFAULT_MODELS = ['movenet-lightning', 'blazepose-lite'];
const DONE_TIMEOUT_MS = 180_000;

interface Browser {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

interface Fixture {
  url: string;
  profileDir: string;
  stopServer: () => void;
}

const fixtures: Fixture[] = [];
const browsers: Browser[] = [];

async function newFixture(): Promise<Fixture> {
  expect(DIST_DIR).toBeTruthy();
  const server = await startServer();
  const fixture = { url: server.url, profileDir: mkdtempSync(join(tmpdir(), 'keypoint-bench-session-')), stopServer: () => server.child.kill() };
  fixtures.push(fixture);
  return fixture;
}

/** Chromium on the fixture's profile (so IndexedDB persists across launches), on the app. */
async function launch(fixture: Fixture, beforeGoto?: (context: BrowserContext, page: Page) => Promise<void>): Promise<Browser> {
  const context = await chromium.launchPersistentContext(fixture.profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  await beforeGoto?.(context, page);
  await page.goto(fixture.url);
  await waitForApp(page);
  const browser = { context, page, errors };
  browsers.push(browser);
  return browser;
}

async function waitForApp(page: Page): Promise<void> {
  await page.waitForFunction(() => 'keypointBench' in window, undefined, { timeout: 60_000 });
}

async function closeBrowser(browser: Browser): Promise<void> {
  await browser.context.close().catch(() => undefined);
  browsers.splice(browsers.indexOf(browser), 1);
}

afterEach(async () => {
  for (const browser of browsers.splice(0)) await browser.context.close().catch(() => undefined);
});

afterAll(() => {
  for (const fixture of fixtures.splice(0)) {
    fixture.stopServer();
    rmSync(fixture.profileDir, { recursive: true, force: true });
  }
});

interface Snapshot {
  images: { id: string; name: string; widthPx: number; heightPx: number; status: string; hasThumbnail: boolean }[];
  results: Record<string, { status: string; poses: unknown[]; imageLatencyMs: number | null; backend: string | null; requestId: number | null }>;
  groundTruth: { fileName: string; sha256: string | null; annotations: number } | null;
  columns: { id: string; name: string; results: number }[];
  settings: { models: string[]; threshold: number; protocol: string; backendChoice: string };
  session: { id: string | null; name: string; status: string; list: string[]; message: string | null };
  notices: { area: string; message: string }[];
}

async function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    type S = {
      images: { id: string; name: string; widthPx: number; heightPx: number; status: string; thumbnail: unknown }[];
      results: Record<string, { status: string; poses: unknown[]; imageLatencyMs: number | null; backend: string | null; requestId: number | null }>;
      groundTruth: { fileName: string; sha256: string | null; dataset: { annotations: unknown[] } } | null;
      externalColumns: { id: string; name: string; results: unknown[] }[];
      selectedModelIds: string[];
      confidenceThreshold: number;
      evaluationProtocol: string;
      backend: { choice: string };
      session: { id: string | null; name: string; status: string; list: { name: string }[]; message: string | null };
      notices: { area: string; message: string }[];
    };
    const s = (window as unknown as { keypointBench: { getState: () => S } }).keypointBench.getState();
    return {
      images: s.images.map((im) => ({ id: im.id, name: im.name, widthPx: im.widthPx, heightPx: im.heightPx, status: im.status, hasThumbnail: im.thumbnail !== null })),
      results: Object.fromEntries(
        Object.entries(s.results).map(([k, c]) => [k, { status: c.status, poses: c.poses, imageLatencyMs: c.imageLatencyMs, backend: c.backend, requestId: c.requestId }]),
      ),
      groundTruth: s.groundTruth ? { fileName: s.groundTruth.fileName, sha256: s.groundTruth.sha256, annotations: s.groundTruth.dataset.annotations.length } : null,
      columns: s.externalColumns.map((c) => ({ id: c.id, name: c.name, results: c.results.length })),
      settings: { models: s.selectedModelIds, threshold: s.confidenceThreshold, protocol: s.evaluationProtocol, backendChoice: s.backend.choice },
      session: { id: s.session.id, name: s.session.name, status: s.session.status, list: s.session.list.map((e) => e.name), message: s.session.message },
      notices: s.notices.map(({ area, message }) => ({ area, message })),
    };
  });
}

/** Every image × selected model finished (done or skipped), as the store has it. */
async function waitForAllDone(page: Page, timeoutMs = DONE_TIMEOUT_MS): Promise<void> {
  await page.waitForFunction(
    () => {
      type S = { images: { id: string; status: string }[]; selectedModelIds: string[]; results: Record<string, { status: string }>; groundTruth: unknown; evaluationProtocol: string };
      const s = (window as unknown as { keypointBench: { getState: () => S } }).keypointBench.getState();
      const crops = s.groundTruth !== null && s.evaluationProtocol === 'crops';
      return (
        s.images.length > 0 &&
        s.images.every((im) => im.status === 'ready') &&
        s.images.every((im) => s.selectedModelIds.every((m) => ['done', 'skipped'].includes(s.results[crops ? `${im.id}|${m}|crops` : `${im.id}|${m}`]?.status ?? '')))
      );
    },
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
}

async function waitForSaved(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { keypointBench: { flushSession: () => Promise<void> } }).keypointBench.flushSession());
  await page.locator('[data-testid=session-panel][data-save-status=saved]').waitFor({ timeout: 30_000 });
}

/** Backend and every selected model ready: the moment the controller would re-run anything it lacks. */
async function waitForModelsReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      type S = { backend: { status: string }; selectedModelIds: string[]; modelStatus: Record<string, { state: string } | undefined> };
      const s = (window as unknown as { keypointBench: { getState: () => S } }).keypointBench.getState();
      return s.backend.status === 'ready' && s.selectedModelIds.every((m) => s.modelStatus[m]?.state === 'ready');
    },
    undefined,
    { timeout: 120_000, polling: 250 },
  );
}

const doneOnly = (results: Snapshot['results']) =>
  Object.fromEntries(Object.entries(results).filter(([, c]) => c.status === 'done').map(([k, c]) => [k, { poses: c.poses, imageLatencyMs: c.imageLatencyMs, backend: c.backend }]));

async function addImages(page: Page, names: readonly string[]): Promise<void> {
  await page.getByLabel('Add images', { exact: true }).setInputFiles(names.map((n) => join(PEOPLE_DIR, n)));
}

async function addJson(page: Page, path: string): Promise<void> {
  await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(path);
}

describe('the session survives reloads and restarts', () => {
  it('brings back images, ground truth, predictions, settings and results after a reload and a browser restart, recomputing nothing', async () => {
    const fixture = await newFixture();
    let browser = await launch(fixture);
    await addJson(browser.page, GT_PATH);
    await addImages(browser.page, LISTED);
    await expect.poll(() => browser.page.getByTestId('gt-status').textContent(), { timeout: 20_000 }).toContain('annotations.json');
    await addJson(browser.page, PREDICTIONS_PATH);
    await browser.page.getByLabel('Confidence threshold').fill('0.45');
    await waitForAllDone(browser.page);
    await waitForSaved(browser.page);
    const before = await snapshot(browser.page);
    expect(before.images.map((im) => im.name).sort()).toEqual([...LISTED].sort());
    expect(before.columns.length).toBe(1);
    expect(before.settings.threshold).toBeCloseTo(0.45, 6);
    expect(Object.keys(doneOnly(before.results)).length).toBe(LISTED.length * DEFAULT_MODELS.length);

    const check = async (page: Page, when: string) => {
      await waitForModelsReady(page);
      await page.waitForFunction(() => {
        const s = (window as unknown as { keypointBench: { getState: () => { images: { thumbnail: unknown }[] } } }).keypointBench.getState();
        return s.images.every((im) => im.thumbnail !== null);
      });
      // Give the controller every chance to (wrongly) run something again.
      await page.waitForTimeout(1500);
      const after = await snapshot(page);
      expect(after.images.map(({ id, name, widthPx, heightPx, status }) => ({ id, name, widthPx, heightPx, status })), when).toEqual(
        before.images.map(({ id, name, widthPx, heightPx, status }) => ({ id, name, widthPx, heightPx, status })),
      );
      expect(after.images.every((im) => im.hasThumbnail), `${when}: thumbnails`).toBe(true);
      expect(doneOnly(after.results), when).toEqual(doneOnly(before.results));
      const rerun = Object.entries(after.results).filter(([, c]) => c.requestId !== null);
      expect(rerun.map(([k]) => k), `${when}: cells computed again`).toEqual([]);
      expect(after.groundTruth, when).toEqual(before.groundTruth);
      expect(after.columns, when).toEqual(before.columns);
      expect(after.settings, when).toEqual(before.settings);
      expect(after.session.id, when).toBe(before.session.id);
      expect(await page.getByLabel('Confidence threshold').inputValue()).toBe('0.45');
      // The gallery shows the restored cells as done: each image × (two models + the imported column).
      await expect.poll(() => page.locator('.cell[data-status=done]').count(), { timeout: 10_000 }).toBe(LISTED.length * (DEFAULT_MODELS.length + 1));
    };

    await browser.page.reload();
    await waitForApp(browser.page);
    await check(browser.page, 'after a reload');

    await closeBrowser(browser);
    browser = await launch(fixture);
    await check(browser.page, 'after a browser restart');
    expect(browser.errors).toEqual([]);
  });

  it('resumes a batch interrupted by a reload: what finished is kept, the rest runs', async () => {
    const fixture = await newFixture();
    const browser = await launch(fixture);
    const names = ['000000000790.jpg', '000000027731.jpg', '000000030752.jpg', '000000121181.jpg', '000000126995.jpg', '000000129648.jpg'];
    await addImages(browser.page, names);
    await browser.page.waitForFunction(
      () => {
        const s = (window as unknown as { keypointBench: { getState: () => { results: Record<string, { status: string }> } } }).keypointBench.getState();
        return Object.values(s.results).filter((c) => c.status === 'done').length >= 2;
      },
      undefined,
      { timeout: DONE_TIMEOUT_MS, polling: 100 },
    );
    await browser.page.evaluate(() => (window as unknown as { keypointBench: { flushSession: () => Promise<void> } }).keypointBench.flushSession());
    const saved = doneOnly((await snapshot(browser.page)).results);
    expect(Object.keys(saved).length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(saved).length, 'the reload must interrupt the batch').toBeLessThan(names.length * DEFAULT_MODELS.length);

    await browser.page.reload();
    await waitForApp(browser.page);
    await waitForAllDone(browser.page);
    const after = await snapshot(browser.page);
    expect(after.images.map((im) => im.name)).toEqual(names);
    for (const [key, cell] of Object.entries(saved)) {
      expect(after.results[key]?.requestId, `${key} was finished before the reload`).toBeNull();
      expect(doneOnly(after.results)[key]).toEqual(cell);
    }
    const ranAfter = Object.entries(after.results).filter(([key]) => !(key in saved));
    expect(ranAfter.length).toBe(names.length * DEFAULT_MODELS.length - Object.keys(saved).length);
    for (const [key, cell] of ranAfter) expect(cell.requestId, `${key} should have run after the reload`).not.toBeNull();
    expect(browser.errors).toEqual([]);
  });

  it('a page closed in the middle of a write leaves a consistent session', async () => {
    const fixture = await newFixture();
    const names = ['000000000790.jpg', '000000027731.jpg', '000000030752.jpg', '000000121181.jpg', '000000126995.jpg', '000000129648.jpg', '000000234748.jpg', '000000463557.jpg'];
    // Closed at several moments after the first write starts, so some closes land inside a transaction.
    for (const delayMs of [0, 20, 80]) {
      let browser = await launch(fixture);
      await browser.page.evaluate(() => (window as unknown as { keypointBench: { getState: () => { setSelectedModels: (ids: string[]) => void } } }).keypointBench.getState().setSelectedModels([]));
      await addImages(browser.page, names);
      await addJson(browser.page, GT_PATH);
      await browser.page.locator('[data-testid=session-panel][data-save-status=saving]').waitFor({ timeout: 10_000 });
      if (delayMs > 0) await browser.page.waitForTimeout(delayMs);
      await closeBrowser(browser);

      browser = await launch(fixture);
      await browser.page.waitForFunction(() => {
        const s = (window as unknown as { keypointBench: { getState: () => { images: { status: string; thumbnail: unknown }[] } } }).keypointBench.getState();
        return s.images.every((im) => im.status !== 'decoding' && im.thumbnail !== null);
      });
      const s = await snapshot(browser.page);
      // Whatever was kept is whole: every image has its file (it decodes) and no result lacks its image.
      expect(s.images.every((im) => im.status === 'ready' && im.hasThumbnail), `close after ${delayMs} ms`).toBe(true);
      const ids = new Set(s.images.map((im) => im.id));
      expect(Object.keys(s.results).filter((key) => !ids.has(key.split('|')[0] ?? ''))).toEqual([]);
      expect(new Set(s.images.map((im) => im.id)).size).toBe(s.images.length);
      expect(s.notices.filter((n) => n.area === 'session')).toEqual([]);
      expect(browser.errors).toEqual([]);
      // Start the next round from an empty session.
      await browser.page.getByRole('button', { name: 'Clear session…' }).click();
      await browser.page.getByRole('button', { name: 'Clear session', exact: true }).click();
      await expect.poll(async () => (await snapshot(browser.page)).images.length).toBe(0);
      await closeBrowser(browser);
    }
  });

  it('says what was not kept when the storage is full, and keeps working', async () => {
    const fixture = await newFixture();
    // What the app itself keeps (its session, the service worker's cache of the app and the weights)...
    const first = await launch(fixture);
    await waitForModelsReady(first.page);
    await waitForSaved(first.page);
    const usageBytes = await first.page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await closeBrowser(first);
    // ...plus far less than three photos (70–220 kB each): the browser refuses the write as a full disk would.
    // Set before the page first touches its storage, which is when Chromium reads the origin's quota.
    const browser = await launch(fixture, async (context, page) => {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(fixture.url).origin, quotaSize: usageBytes + 100_000 });
    });
    const names = ['000000000790.jpg', '000000126995.jpg', '000000129648.jpg'];
    await addImages(browser.page, names);
    await expect.poll(async () => (await snapshot(browser.page)).session.status, { timeout: 30_000 }).toBe('unsaved');
    const s = await snapshot(browser.page);
    expect(s.session.message).toMatch(/^Not kept after a reload: 3 images \(000000000790\.jpg, 000000126995\.jpg, 000000129648\.jpg\)/);
    expect(s.session.message).toMatch(/storage for this page is full/);
    expect(await browser.page.getByRole('alert').filter({ hasText: 'Not kept after a reload' }).first().isVisible()).toBe(true);
    // The images stay and are processed.
    await waitForAllDone(browser.page);
    expect(browser.errors.filter((e) => !/QuotaExceeded/.test(e))).toEqual([]);
  });

  it('gives a second tab its own session, so two tabs never write over each other', async () => {
    const fixture = await newFixture();
    const browser = await launch(fixture);
    await addImages(browser.page, ['000000030752.jpg']);
    await waitForSaved(browser.page);
    const first = await snapshot(browser.page);
    const second = await browser.context.newPage();
    await second.goto(fixture.url);
    await waitForApp(second);
    const other = await snapshot(second);
    expect(other.session.id).not.toBe(first.session.id);
    expect(other.images).toEqual([]);
    expect(other.notices.map((n) => n.message)).toEqual([`“${first.session.name}” is open in another tab, so this tab has a new session (both are listed under Session).`]);
    // Switching to the session the first tab holds is refused, with a reason.
    await second.getByLabel('Open session').selectOption({ label: first.session.name });
    await expect.poll(async () => (await snapshot(second)).notices.length).toBe(2);
    expect((await snapshot(second)).session.id).toBe(other.session.id);
    // Each tab keeps its own session across its own reload.
    await browser.page.reload();
    await waitForApp(browser.page);
    expect((await snapshot(browser.page)).session.id).toBe(first.session.id);
    expect((await snapshot(browser.page)).images.map((im) => im.name)).toEqual(['000000030752.jpg']);
    await second.close();
    expect(browser.errors).toEqual([]);
  });

  it('keeps several named sessions: new, rename, switch, clear and delete', async () => {
    const fixture = await newFixture();
    const browser = await launch(fixture);
    const { page } = browser;
    await addImages(page, ['000000030752.jpg']);
    await page.getByRole('button', { name: 'Rename…' }).click();
    await page.getByLabel('Session name').fill('Yoga photos');
    await page.getByLabel('Session name').press('Enter');
    await expect.poll(async () => (await snapshot(page)).session.list).toEqual(['Yoga photos']);
    await waitForSaved(page);

    await page.getByRole('button', { name: 'New session' }).click();
    await expect.poll(async () => (await snapshot(page)).session.list).toEqual(['Yoga photos', 'Session 2']);
    expect((await snapshot(page)).images).toEqual([]);
    await addImages(page, ['000000463557.jpg', '000000027731.jpg']);
    await waitForSaved(page);

    await page.getByLabel('Open session').selectOption({ label: 'Yoga photos' });
    await expect.poll(async () => (await snapshot(page)).images.map((im) => im.name)).toEqual(['000000030752.jpg']);
    await page.reload();
    await waitForApp(page);
    expect((await snapshot(page)).session.name).toBe('Yoga photos');
    await page.getByLabel('Open session').selectOption({ label: 'Session 2' });
    await expect.poll(async () => (await snapshot(page)).images.map((im) => im.name)).toEqual(['000000463557.jpg', '000000027731.jpg']);

    await page.getByRole('button', { name: 'Clear session…' }).click();
    await page.getByRole('button', { name: 'Clear session', exact: true }).click();
    await expect.poll(async () => (await snapshot(page)).images.length).toBe(0);
    await page.reload();
    await waitForApp(page);
    expect((await snapshot(page)).images).toEqual([]);
    expect((await snapshot(page)).session.list).toEqual(['Yoga photos', 'Session 2']);

    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete session', exact: true }).click();
    await expect.poll(async () => (await snapshot(page)).session.list).toEqual(['Yoga photos']);
    expect((await snapshot(page)).images.map((im) => im.name)).toEqual(['000000030752.jpg']);
    expect(browser.errors).toEqual([]);
  });
});
