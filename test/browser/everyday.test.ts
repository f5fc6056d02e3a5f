/**
 * Everyday use in a small window (1024×768), production build in Chromium:
 * - with all seven whole-image models and an imported column under person crops (the longest captions:
 *   "512 ms/image (3 crops × 171 ms) · 3 poses"), every caption shows latency and pose count whole, nothing is
 *   clipped or overlaps, the column headers are readable, and the page does not scroll sideways;
 * - the side-by-side view keeps ←/→/Esc after each kind of control was used (a model checkbox, the threshold
 *   slider, the backend select, buttons, its own checkbox), leaves text fields their keys, and the Gallery tab
 *   leads back to the grid.
 * One browser and one page; the steps build on each other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_MODELS, PEOPLE_DIR, REPO_ROOT, dropFiles, filePayload, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const VIEWPORT = { width: 1024, height: 768 };
const WHOLE_IMAGE_MODELS = BODY_MODELS.filter((m) => !m.givenBox);
/** 121181: three labelled players (three crops per model); 030752: one. Both listed in the ground truth. */
const IMAGES = ['000000121181.jpg', '000000030752.jpg'];
const EVALUATION_DIR = join(REPO_ROOT, 'test', 'fixtures', 'evaluation');
/** An imported column with a long name without spaces: it must break, not run past its cell. */
const IMPORTED_NAME = 'keypoints_from_our_own_model_finetuned_on_warehouse_footage_v2';

let app: AppSession;

beforeAll(async () => {
  app = await openApp({ viewport: VIEWPORT });
});

afterAll(async () => {
  await app?.close();
});

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Overflowing {
  what: string;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
}

interface CaptionLayout {
  modelId: string;
  image: string;
  text: string;
  cell: Box;
  caption: Box;
  /** Every line box of the caption's text. */
  textBoxes: Box[];
  fontSizePx: number;
}

interface PageLayout {
  viewportWidth: number;
  pageScrollWidth: number;
  grid: Box;
  headers: { text: string; box: Box }[];
  captions: CaptionLayout[];
  /** Caption and header elements whose content is wider or taller than their box (cut off or scrolled). */
  overflowing: Overflowing[];
}

/** Geometry of the gallery (or, with `selector`, the side-by-side view) as the page lays it out now. */
async function layoutOf(page: Page, selector: '.gallery' | 'section.compare'): Promise<PageLayout> {
  return page.evaluate((rootSelector) => {
    const box = (r: DOMRect) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
    const root = document.querySelector(rootSelector);
    if (!root) throw new Error(`${rootSelector} not on the page`);
    const overflowing: Overflowing[] = [];
    const checkOverflow = (element: Element, what: string) => {
      const { scrollWidth, clientWidth, scrollHeight, clientHeight } = element;
      if (scrollWidth > clientWidth || scrollHeight > clientHeight) overflowing.push({ what, scrollWidth, clientWidth, scrollHeight, clientHeight });
    };
    const captions = [...root.querySelectorAll<HTMLElement>('.cell[data-model-id]')].map((cell) => {
      const caption = cell.querySelector('figcaption');
      if (!caption) throw new Error('a cell without a caption');
      const image = cell.closest<HTMLElement>('.gallery-row')?.dataset.imageName ?? '';
      const what = `${image} × ${cell.dataset.modelId ?? ''}`;
      checkOverflow(caption, `caption of ${what}`);
      // Block and inline-block parts have boxes of their own: none may be cut either.
      for (const part of caption.querySelectorAll('.caption-model, .caption-result, .caption-part')) checkOverflow(part, `"${part.textContent ?? ''}" in ${what}`);
      const range = document.createRange();
      range.selectNodeContents(caption);
      return {
        modelId: cell.dataset.modelId ?? '',
        image,
        text: caption.textContent ?? '',
        cell: box(cell.getBoundingClientRect()),
        caption: box(caption.getBoundingClientRect()),
        textBoxes: [...range.getClientRects()].filter((r) => r.width > 0).map(box),
        fontSizePx: Number.parseFloat(getComputedStyle(caption).fontSize),
      };
    });
    const headers = [...root.querySelectorAll<HTMLElement>('[role=columnheader]')].map((header) => {
      checkOverflow(header, `header ${header.textContent ?? ''}`);
      return { text: header.textContent ?? '', box: box(header.getBoundingClientRect()) };
    });
    return {
      viewportWidth: document.documentElement.clientWidth,
      pageScrollWidth: document.documentElement.scrollWidth,
      grid: box(root.getBoundingClientRect()),
      headers,
      captions,
      overflowing,
    };
  }, selector);
}

/** Area shared by two boxes, in px² (0 when they only touch). */
function overlapPx(a: Box, b: Box): number {
  return Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
}

/** `inner` lies within `outer` (half a pixel of rounding allowed). */
function inside(inner: Box, outer: Box): boolean {
  return inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
}

function pairwiseOverlaps<T>(items: T[], boxOf: (item: T) => Box, nameOf: (item: T) => string): string[] {
  const found: string[] = [];
  items.forEach((a, i) => {
    for (const b of items.slice(i + 1)) if (overlapPx(boxOf(a), boxOf(b)) > 0.5) found.push(`${nameOf(a)} overlaps ${nameOf(b)}`);
  });
  return found;
}

/** Everything a readable layout needs, as a list of problems (empty when readable). */
function layoutProblems(layout: PageLayout): string[] {
  const problems: string[] = [];
  if (layout.pageScrollWidth > layout.viewportWidth) problems.push(`the page scrolls sideways: ${layout.pageScrollWidth} px wide in a ${layout.viewportWidth} px window`);
  for (const o of layout.overflowing) problems.push(`${o.what} is cut: content ${o.scrollWidth}×${o.scrollHeight} in a ${o.clientWidth}×${o.clientHeight} box`);
  for (const c of layout.captions) {
    const name = `${c.image} × ${c.modelId}`;
    if (!inside(c.caption, c.cell)) problems.push(`caption of ${name} leaves its cell`);
    if (c.textBoxes.some((t) => !inside(t, c.caption))) problems.push(`text of ${name} runs outside its caption`);
    if (c.cell.right > layout.viewportWidth + 0.5) problems.push(`cell ${name} ends at ${c.cell.right} px, past the window`);
    if (c.fontSizePx < 12) problems.push(`caption of ${name} is set in ${c.fontSizePx} px`);
  }
  problems.push(...pairwiseOverlaps(layout.captions, (c) => c.cell, (c) => `cell ${c.image} × ${c.modelId}`));
  for (const h of layout.headers) if (!inside(h.box, layout.grid)) problems.push(`header ${h.text} leaves the grid`);
  problems.push(...pairwiseOverlaps(layout.headers, (h) => h.box, (h) => `header ${h.text}`));
  return problems;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Everyday use at 1024×768', () => {
  it('keeps every caption (latency and poses) and header whole with seven models and an imported column', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await selectModels(page, WHOLE_IMAGE_MODELS.map((m) => m.name));
    await dropFiles(page, IMAGES.map((name) => filePayload(join(PEOPLE_DIR, name))));
    // Ground truth (so person crops: the longest latency text) and predictions under a long file name.
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles([
      { name: 'annotations.json', mimeType: 'application/json', buffer: readFileSync(join(EVALUATION_DIR, 'annotations.json')) },
      { name: `${IMPORTED_NAME}.results.json`, mimeType: 'application/json', buffer: readFileSync(join(EVALUATION_DIR, 'noisy.results.json')) },
    ]);
    const externalId = await page
      .waitForFunction(
        () => (window as unknown as { keypointBench: { getState: () => { externalColumns: { id: string }[] } } }).keypointBench.getState().externalColumns[0]?.id,
        undefined,
        { timeout: 20_000 },
      )
      .then((handle) => handle.jsonValue());
    if (!externalId) throw new Error('no imported column');
    const columnIds = [...WHOLE_IMAGE_MODELS.map((m) => m.id), externalId];
    await waitForCellsDone(page, IMAGES, columnIds, 280_000);

    // The grid's thumbnails and captions settle after the last result: wait until two looks agree.
    let layout = await layoutOf(page, '.gallery');
    await expect.poll(async () => JSON.stringify((layout = await layoutOf(page, '.gallery')).captions), { timeout: 10_000 }).toBe(JSON.stringify(layout.captions));
    expect(layoutProblems(layout)).toEqual([]);

    // Every cell of both images is on screen and laid out, and says what it must.
    expect(layout.captions).toHaveLength(IMAGES.length * columnIds.length);
    for (const c of layout.captions) {
      const model = WHOLE_IMAGE_MODELS.find((m) => m.id === c.modelId);
      const expected = model
        ? new RegExp(`^${escapeRegExp(model.name)}: [\\d.]+ ms/image( \\(\\d+ crops × [\\d.]+ ms\\))? · \\d+ poses?$`)
        : new RegExp(`^${IMPORTED_NAME}: imported · \\d+ poses?$`);
      expect(c.text, `${c.image} × ${c.modelId}`).toMatch(expected);
      // Wide enough to see the keypoints: the cells wrap onto more lines rather than shrink.
      expect(c.cell.right - c.cell.left, `${c.image} × ${c.modelId} width`).toBeGreaterThanOrEqual(140);
    }
    // Under person crops, the image with three players shows its crop count beside the per-image time.
    expect(layout.captions.filter((c) => c.image === IMAGES[0] && /\(3 crops × /.test(c.text))).toHaveLength(WHOLE_IMAGE_MODELS.length);
    // Headers: every column's full name (from the manifest, as the harness lists them), in order.
    expect(layout.headers.map((h) => h.text)).toEqual([...WHOLE_IMAGE_MODELS.map((m) => m.name), IMPORTED_NAME]);
    const cellsPerLine = new Set(layout.captions.filter((c) => c.image === IMAGES[0]).map((c) => Math.round(c.cell.top))).size;
    console.log(`1024×768: ${columnIds.length} columns on ${cellsPerLine} lines per image; cell width ${(layout.captions[0]!.cell.right - layout.captions[0]!.cell.left).toFixed(0)} px; e.g. "${layout.captions[0]?.text}"`);

    // The side-by-side view of the three players, in the same window.
    await page.locator(`.gallery-row[data-image-name="${IMAGES[0]}"] .row-title button.link`).click();
    await page.locator('section.compare').waitFor();
    let compare = await layoutOf(page, 'section.compare');
    await expect.poll(async () => JSON.stringify((compare = await layoutOf(page, 'section.compare')).captions), { timeout: 10_000 }).toBe(JSON.stringify(compare.captions));
    expect(compare.captions).toHaveLength(columnIds.length);
    expect(layoutProblems(compare)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.locator('.gallery').waitFor();
  });
});

describe('The side-by-side view keeps its keys after any control', () => {
  const compare = () => app.page.locator('section.compare');
  const threshold = () => app.page.getByRole('slider', { name: 'Confidence threshold' });

  /** The image the side-by-side view shows, or null when the grid is back. */
  async function shown(): Promise<string | null> {
    const state = await getState(app.page);
    return state.images.find((im) => im.id === state.focusedImageId)?.name ?? null;
  }

  async function open(name: string): Promise<void> {
    // Each test starts from the grid, even when the one before failed with the view still open.
    if ((await compare().count()) > 0) await app.page.getByRole('button', { name: '← Grid (Esc)' }).click();
    await app.page.locator(`.gallery-row[data-image-name="${name}"] .row-title button.link`).click();
    await compare().waitFor();
    expect(await shown()).toBe(name);
  }

  /** → shows the second image and ← the first again; `after` names the control used, for the failure message. */
  async function expectArrowsStep(after: string): Promise<void> {
    const { page } = app;
    expect(await shown(), after).toBe(IMAGES[0]);
    await page.keyboard.press('ArrowRight');
    await expect.poll(shown, { message: `→ after ${after}`, timeout: 5_000 }).toBe(IMAGES[1]);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shown, { message: `← after ${after}`, timeout: 5_000 }).toBe(IMAGES[0]);
    await compare().waitFor();
  }

  async function expectEscapeLeaves(after: string): Promise<void> {
    await app.page.keyboard.press('Escape');
    await expect.poll(shown, { message: `Esc after ${after}`, timeout: 5_000 }).toBe(null);
    await app.page.locator('.gallery').waitFor();
  }

  /** The key reached the focused control, not the view: the same image is still shown. */
  async function expectStill(name: string, after: string): Promise<void> {
    // The view would answer within a frame; give it a few.
    await app.page.waitForTimeout(200);
    expect(await shown(), after).toBe(name);
  }

  it('steps and closes after a model checkbox was clicked', async () => {
    const { page } = app;
    await open(IMAGES[0]!);
    // Untick and tick a model again: its column goes and comes back (results are kept), focus stays on the box.
    const posenet = page.getByRole('checkbox', { name: 'PoseNet (MobileNetV1)', exact: true });
    await posenet.click();
    await posenet.click();
    expect(await posenet.isChecked()).toBe(true);
    expect(await posenet.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectArrowsStep('a model checkbox');
    await expectEscapeLeaves('a model checkbox');
  });

  it('steps and closes after the threshold slider was dragged; reached with Tab, the slider keeps its arrows', async () => {
    const { page } = app;
    await open(IMAGES[0]!);
    const slider = threshold();
    await slider.click(); // the middle of the track: 0.5
    const value = await slider.inputValue();
    expect(await slider.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectArrowsStep('the threshold slider');
    // The arrows stepped the images, not the slider.
    expect(await slider.inputValue()).toBe(value);
    await expectEscapeLeaves('the threshold slider');

    // Reached with the keyboard, the slider's own arrows move it; Esc still leaves.
    await open(IMAGES[0]!);
    await slider.click();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await slider.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowRight');
    await expectStill(IMAGES[0]!, '→ on the slider reached with Tab');
    expect(Number(await slider.inputValue())).toBeCloseTo(Number(value) + 0.05, 5);
    await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe(value);
    await expectEscapeLeaves('the slider reached with Tab');
  });

  it('steps and closes after a backend was chosen', async () => {
    const { page } = app;
    await open(IMAGES[0]!);
    const select = page.getByRole('combobox', { name: 'Backend' });
    // As a user does with the mouse: a press opens the list; Esc there closes the list and only the list.
    await select.click();
    // Chromium opens the list a moment after the press (no DOM signal): give it that moment.
    await page.waitForTimeout(500);
    await page.keyboard.press('Escape');
    await expectStill(IMAGES[0]!, 'Esc in the open list');
    // Then an entry is picked (the backend Auto chose: nothing runs again); the select keeps the focus.
    await select.selectOption('wasm');
    expect(await waitForBackend(page)).toBe('wasm');
    expect(await select.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectArrowsStep('the backend select');
    expect(await select.inputValue()).toBe('wasm');
    await expectEscapeLeaves('the backend select');
  });

  it('steps and closes after buttons, its own checkbox, and a text field; text fields keep Esc and the arrows', async () => {
    const { page } = app;
    await open(IMAGES[0]!);
    // A button that keeps the focus after its work: Export screenshot.
    const exportButton = page.getByRole('button', { name: 'Export screenshot' });
    await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    await expectArrowsStep('Export screenshot');
    // The view's own Next button, then its "All models on one image" box, which stays ticked while stepping.
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await expect.poll(shown).toBe(IMAGES[1]);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shown).toBe(IMAGES[0]);
    const overlayAll = page.getByRole('checkbox', { name: 'All models on one image' });
    await overlayAll.click();
    await expectArrowsStep('All models on one image');
    expect(await overlayAll.isChecked()).toBe(true);
    await overlayAll.click();

    // Renaming the session: while typing, the arrows move the caret and Esc cancels the rename, not the view.
    await page.getByRole('button', { name: 'Rename…', exact: true }).click();
    const nameField = page.getByLabel('Session name', { exact: true });
    await nameField.waitFor();
    expect(await nameField.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    await expectStill(IMAGES[0]!, '←/→ in a text field');
    await page.keyboard.press('Escape');
    await nameField.waitFor({ state: 'detached' });
    await expectStill(IMAGES[0]!, 'Esc in a text field');
    await expectArrowsStep('the rename field was closed');
    await expectEscapeLeaves('buttons and fields');
  });

  it('leaves the side-by-side view for the grid from the Gallery tab', async () => {
    const { page } = app;
    await open(IMAGES[0]!);
    await page.getByRole('tab', { name: 'Gallery', exact: true }).click();
    await expect.poll(shown, { message: 'Gallery tab', timeout: 5_000 }).toBe(null);
    await page.locator('.gallery').waitFor();
    expect(await compare().count()).toBe(0);
    // Also by way of another tab.
    await open(IMAGES[1]!);
    await page.getByRole('tab', { name: 'Metrics & verdict', exact: true }).click();
    await page.getByRole('tab', { name: 'Gallery', exact: true }).click();
    await page.locator('.gallery').waitFor();
    expect(await shown()).toBe(null);
    expect(app.pageErrors).toEqual([]);
  });
});
