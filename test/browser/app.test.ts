/**
 * The production build in real Chromium, used as a person would: backend choice, bad input, EXIF
 * rotation, all seven models on several photos (picked and dropped), side-by-side view and PNG
 * export. One browser and one page for the whole file; the steps run in order and build on each other.
 */
import { DEFAULT_MODEL_IDS as MANIFEST_DEFAULT_MODEL_IDS } from '../../src/inference/modelCatalogue';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWasmThreads } from '../../src/core/backendDecision';
import { cellGrid } from '../../src/render/screenshot';
import { expectCleanPages, exportScreenshot, rowTitles } from './exportScreenshotLayout';
import {
  BODY_MODELS,
  MODELS,
  PEOPLE_DIR,
  ROTATED_DIR,
  dropFiles,
  filePayload,
  foreignRequests,
  galleryCells,
  getState,
  openApp,
  pngSize,
  selectModels,
  waitForBackend,
  waitForCellsDone,
  type AppSession,
} from './harness';

const DEFAULT_MODEL_IDS = [...MANIFEST_DEFAULT_MODEL_IDS];
/** Every model that runs on a whole image (all but the "landmarks given the box" variants). */
// The tfjs ones (seven): the export's panel layout below is for seven; the LiteRT entries have their own test (liteRt.test.ts).
const WHOLE_IMAGE_MODELS = BODY_MODELS.filter((m) => !m.givenBox && m.runtime === 'tfjs');
const ALL_MODEL_IDS = WHOLE_IMAGE_MODELS.map((m) => m.id);
/** Picked through "Add images"; 121181 has three large people (the multi-person check). */
const PICKED = ['000000121181.jpg', '000000030752.jpg', '000000463557.jpg'];
/** Dropped onto the window. */
const DROPPED = ['000000126995.jpg'];

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

async function clearImages(): Promise<void> {
  await app.page.getByRole('button', { name: 'Clear', exact: true }).click();
  await app.page.waitForFunction(() => document.querySelectorAll('.gallery-row').length === 0);
}

describe('Keypoint Bench in Chromium (production build)', () => {
  it('is cross-origin isolated and Auto picks WASM, explaining why the software GPU backends were skipped', async () => {
    const { page } = app;
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The model list: ten models, default selection Lightning + BlazePose lite.
    const listed = await page.locator('li[data-model-id]').evaluateAll((items) =>
      items.map((li) => ({ id: li.getAttribute('data-model-id'), label: li.querySelector('label')?.textContent?.trim(), state: li.getAttribute('data-state') })),
    );
    expect(listed.map(({ id, label }) => ({ id, name: label }))).toEqual(MODELS.map(({ id, name }) => ({ id, name })));
    expect(listed.filter((m) => m.state !== 'off').map((m) => m.id)).toEqual(DEFAULT_MODEL_IDS);
    expect(await page.getByRole('combobox', { name: 'Backend' }).inputValue()).toBe('auto');
    const backend = await waitForBackend(page);
    expect(backend, `backend status: ${await page.getByTestId('backend-status').textContent()}`).toBe('wasm');
    const reason = (await page.getByTestId('backend-reason').textContent()) ?? '';
    // This machine has no GPU: WebGL (and WebGPU, when Chromium offers an adapter) are SwiftShader.
    expect(reason).toMatch(/^wasm: fastest on this device/);
    expect(reason).toMatch(/webgl skipped: software renderer \(.*SwiftShader.*\)/i);
    expect(reason).toMatch(/webgpu skipped: (software adapter|no WebGPU adapter|WebGPU not supported)/i);
    // WASM uses threads because the page is isolated (the count is checked in the next test).
    const wasmProbe = (await page.locator('details.why li', { hasText: /^wasm:/ }).textContent()) ?? '';
    expect(wasmProbe).toMatch(/^wasm: \d+ threads? \(read back from the WASM module/);
  });

  it('runs WASM on the thread count it shows, as read back from the module', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    // WASM uses the default thread count for an isolated page, and that is what the module made:
    // the count the worker read back from it (get_threads_count) after it started. tfjs 4.22 would
    // silently halve the request (hardwareConcurrency / 2), so this fails if the worker stops
    // presenting the core count the backend divides by.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const readBack = await page.evaluate(
      () => (window as unknown as { keypointBench: { getState: () => { backend: { decision: { wasmThreadsActual?: number; wasmThreadsRequested?: number } | null } } } }).keypointBench.getState().backend.decision,
    );
    expect(readBack?.wasmThreadsRequested).toBe(defaultWasmThreads(cores, true));
    expect(readBack?.wasmThreadsActual, 'threads read back from the WASM module').toBe(defaultWasmThreads(cores, true));
    // What is shown is the count read back: in the probe list and in the status line.
    const wasmProbe = (await page.locator('details.why li', { hasText: /^wasm:/ }).textContent()) ?? '';
    const shown = Number(/^wasm: (\d+) threads? \(read back from the WASM module/.exec(wasmProbe)?.[1] ?? 0);
    expect(shown, wasmProbe).toBe(readBack?.wasmThreadsActual);
    const status = page.getByTestId('backend-status');
    expect(await status.getAttribute('data-wasm-threads')).toBe(String(readBack?.wasmThreadsActual));
    expect(await status.textContent()).toBe(`In use: wasm (${readBack?.wasmThreadsActual} thread${readBack?.wasmThreadsActual === 1 ? '' : 's'})`);
  });

  it('names a non-image file and a corrupt JPEG, and still processes the good image', async () => {
    const { page } = app;
    const good = PICKED[1] ?? '';
    await page.getByLabel('Add images', { exact: true }).setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('these are not pixels\n') },
      { name: 'corrupt.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 0x5a)]) },
      { name: good, mimeType: 'image/jpeg', buffer: readFileSync(join(PEOPLE_DIR, good)) },
    ]);
    // The text file is refused up front with a notice naming it; it never becomes a row.
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'notes.txt' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('alert').filter({ hasText: 'notes.txt' }).textContent()).toMatch(/notes\.txt: not a supported image type/);
    expect(await page.locator('.gallery-row[data-image-name="notes.txt"]').count()).toBe(0);
    // The corrupt JPEG gets a row with an error naming it, and no model cells.
    const corruptRow = page.locator('.gallery-row[data-image-name="corrupt.jpg"]');
    await expect.poll(() => corruptRow.getByRole('alert').count(), { timeout: 30_000 }).toBe(1);
    expect(await corruptRow.getByRole('alert').textContent()).toMatch(/corrupt\.jpg: cannot be decoded/);
    expect(await corruptRow.locator('.cell').count()).toBe(0);
    // The good image is processed by both default models.
    const cells = await waitForCellsDone(page, [good], DEFAULT_MODEL_IDS, 240_000);
    for (const cell of cells) expect(cell.poses, `${cell.image} × ${cell.modelId}`).toBeGreaterThanOrEqual(1);
    const state = await getState(page);
    expect(state.images.map((im) => [im.name, im.status])).toEqual([
      ['corrupt.jpg', 'error'],
      [good, 'ready'],
    ]);
    await clearImages();
  });

  it('shows an EXIF-rotated photo upright, with the same MoveNet Lightning keypoints as the upright original', async () => {
    const { page } = app;
    await page.getByLabel('Add images', { exact: true }).setInputFiles([join(ROTATED_DIR, 'rotated-exif6.jpg'), join(ROTATED_DIR, 'upright.jpg')]);
    await waitForCellsDone(page, ['rotated-exif6.jpg', 'upright.jpg'], DEFAULT_MODEL_IDS, 240_000);
    const state = await getState(page);
    const rotated = state.images.find((im) => im.name === 'rotated-exif6.jpg');
    const upright = state.images.find((im) => im.name === 'upright.jpg');
    if (!rotated || !upright) throw new Error(`images missing from the store: ${state.images.map((im) => im.name).join(', ')}`);
    // Stored 425×640, shown and reported upright as 640×425.
    expect([rotated.widthPx, rotated.heightPx]).toEqual([640, 425]);
    expect([upright.widthPx, upright.heightPx]).toEqual([640, 425]);
    expect(await page.locator('.gallery-row[data-image-name="rotated-exif6.jpg"] .dims').textContent()).toBe('640×425');

    const posesOf = (imageId: string) => state.results[`${imageId}|movenet-lightning`]?.poses ?? [];
    const [rotatedPose] = posesOf(rotated.id);
    const [uprightPose] = posesOf(upright.id);
    if (!rotatedPose || !uprightPose) throw new Error('MoveNet Lightning found no pose on one of the two files');
    expect(rotatedPose.keypoints).toHaveLength(17);
    expect(rotatedPose.keypoints.map((k) => k.name)).toEqual(uprightPose.keypoints.map((k) => k.name));
    const confident = uprightPose.keypoints.filter((k) => k.score >= 0.3);
    expect(confident.length, 'confident keypoints on the upright photo').toBeGreaterThanOrEqual(10);
    for (const [i, u] of uprightPose.keypoints.entries()) {
      const r = rotatedPose.keypoints[i];
      if (!r || u.score < 0.3) continue;
      const distancePx = Math.hypot(r.x - u.x, r.y - u.y);
      expect(distancePx, `${u.name}: rotated (${r.x.toFixed(1)}, ${r.y.toFixed(1)}) vs upright (${u.x.toFixed(1)}, ${u.y.toFixed(1)})`).toBeLessThanOrEqual(3);
    }
    await clearImages();
  });

  it('runs all seven whole-image models on photos added with "Add images" and by dropping (the box variants say why they wait)', async () => {
    const { page } = app;
    // The visible "Add images…" button opens the (hidden) file picker.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Add images…' }).click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles(PICKED.map((name) => join(PEOPLE_DIR, name)));
    await dropFiles(page, DROPPED.map((name) => filePayload(join(PEOPLE_DIR, name))));
    await page.getByRole('button', { name: 'Select all', exact: true }).click();
    for (const model of MODELS) expect(await page.getByRole('checkbox', { name: model.name, exact: true }).isChecked()).toBe(true);
    // Without ground truth there is no person box: the "landmarks given the box" cells say so instead of running.
    const boxIds = MODELS.filter((m) => m.givenBox).map((m) => m.id);
    await expect
      .poll(async () => (await galleryCells(page)).filter((c) => boxIds.includes(c.modelId) && c.status === 'skipped').length, { timeout: 30_000 })
      .toBe(boxIds.length * (PICKED.length + DROPPED.length));
    for (const cell of (await galleryCells(page)).filter((c) => boxIds.includes(c.modelId))) {
      expect(cell.caption, `${cell.image} × ${cell.modelId}`).toMatch(/needs a ground-truth person box/);
    }
    await selectModels(page, WHOLE_IMAGE_MODELS.map((m) => m.name));

    const images = [...PICKED, ...DROPPED];
    const started = Date.now();
    const cells = await waitForCellsDone(page, images, ALL_MODEL_IDS, 270_000);
    console.log(`all ${ALL_MODEL_IDS.length} whole-image models on ${images.length} images: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(cells).toHaveLength(images.length * ALL_MODEL_IDS.length);
    for (const model of WHOLE_IMAGE_MODELS) {
      expect(await page.locator(`li[data-model-id="${model.id}"]`).getAttribute('data-state'), model.name).toBe('ready');
    }
    // Real photos of people: (nearly) every model finds someone on every image.
    const withPose = cells.filter((c) => (c.poses ?? 0) >= 1);
    expect(withPose.length, cells.map((c) => `${c.image} × ${c.modelId}: ${c.poses}`).join('\n')).toBeGreaterThanOrEqual(Math.ceil(0.9 * cells.length));
    for (const c of cells.filter((cell) => cell.modelId === 'movenet-lightning' || cell.modelId === 'movenet-thunder')) {
      expect(c.poses, `${c.image} × ${c.modelId}`).toBe(1);
    }
    const frisbee = cells.find((c) => c.image === '000000121181.jpg' && c.modelId === 'movenet-multipose');
    expect(frisbee?.poses, 'MultiPose on three frisbee players').toBeGreaterThanOrEqual(2);

    const state = await getState(page);
    expect(state.backend.active).toBe('wasm');
    for (const image of state.images) {
      for (const modelId of ALL_MODEL_IDS) {
        const cell = state.results[`${image.id}|${modelId}`];
        expect(cell?.backend, `${image.name} × ${modelId}`).toBe('wasm');
        // Keypoints are in the original image's pixels.
        for (const pose of cell?.poses ?? []) {
          for (const k of pose.keypoints.filter((kp) => kp.score >= 0.5)) {
            expect(k.x).toBeGreaterThan(-0.05 * image.widthPx);
            expect(k.x).toBeLessThan(1.05 * image.widthPx);
            expect(k.y).toBeGreaterThan(-0.05 * image.heightPx);
            expect(k.y).toBeLessThan(1.05 * image.heightPx);
          }
        }
      }
    }
    const progress = (await page.getByTestId('batch-progress').textContent()) ?? '';
    const match = /Processed (\d+) of (\d+) images/.exec(progress);
    expect(match, progress).not.toBeNull();
    expect(match?.[1]).toBe(match?.[2]);
    // Images, not requests: each image ran twice here (default models on arrival, the other five
    // after "Select all") and still counts once.
    expect(Number(match?.[2])).toBe(images.length);
    expect(progress).toMatch(/done$/);
  });

  it('exports the side-by-side view and the grid as PNGs of the expected size', async () => {
    const { page } = app;
    const name = PICKED[0] ?? '';
    await page.getByRole('button', { name, exact: true }).click();
    const compare = page.locator('section.compare');
    await compare.waitFor();
    expect(await compare.locator('.cell').count()).toBe(ALL_MODEL_IDS.length);
    expect(await compare.locator('.cell[data-status="done"]').count()).toBe(ALL_MODEL_IDS.length);

    // Seven models side by side: three panels to a line as on screen, within a slide's width (render/screenshotLayout.ts).
    const expectedSingleWidthPx = cellGrid('sideBySide', ALL_MODEL_IDS.length).pageWidthPx;
    expect(expectedSingleWidthPx).toBeLessThanOrEqual(2000);

    const exportPng = async () => {
      const shot = await exportScreenshot(page);
      expect(shot.fileName).toMatch(/^keypoint-bench-.*\.png$/);
      expectCleanPages(shot);
      const size = shot.pngs[0]?.size ?? { width: 0, height: 0 };
      await expect.poll(() => page.getByTestId('export-status').textContent(), { timeout: 10_000 }).toBe(`Saved ${shot.fileName} (${size.width}×${size.height})`);
      return { size, shot };
    };

    const single = await exportPng();
    expect(single.size.width).toBe(expectedSingleWidthPx);
    // Three lines of panels (3 + 3 + 1), each caption naming its model in full.
    expect(new Set(single.shot.layouts[0]?.cells.map((c) => c.box.yPx)).size).toBe(3);
    const captions = single.shot.layouts[0]?.texts.filter((t) => t.role === 'caption').map((t) => t.text).join(' ') ?? '';
    for (const model of MODELS.filter((m) => ALL_MODEL_IDS.includes(m.id))) expect(captions).toContain(model.name);
    const expectedSingle = single.size;

    // "Copy screenshot" puts the same PNG on the clipboard.
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.baseUrl).origin });
    await page.getByRole('button', { name: 'Copy screenshot' }).click();
    await expect
      .poll(() => page.getByTestId('export-status').textContent(), { timeout: 10_000 })
      .toBe(`Copied a ${expectedSingle.width}×${expectedSingle.height} PNG to the clipboard`);
    const clipboardPng = await page.evaluate(async () => {
      const [item] = await navigator.clipboard.read();
      const blob = await item?.getType('image/png');
      return blob ? [...new Uint8Array(await blob.arrayBuffer()).subarray(0, 32)] : [];
    });
    expect(pngSize(Buffer.from(clipboardPng))).toEqual(expectedSingle);

    await page.keyboard.press('Escape');
    await compare.waitFor({ state: 'detached' });
    await page.locator('.gallery').waitFor();

    // The grid export holds every ready image (not only the rows on screen), seven cells to a line within a slide's width.
    const gridState = await getState(page);
    const ready = gridState.images.filter((im) => im.status === 'ready');
    const grid = await exportPng();
    expect(grid.size.width).toBe(cellGrid('grid', ALL_MODEL_IDS.length).pageWidthPx);
    expect(grid.size.width).toBeLessThanOrEqual(2000);
    expect(rowTitles(grid.shot)).toEqual(ready.map((im) => im.name));
  });

  it('made only same-origin requests, including the worker that fetched the weights', () => {
    const foreign = foreignRequests(app.requests, app.baseUrl);
    expect(foreign).toEqual([]);
    // The recorder did see the worker's traffic: weights and WASM binaries.
    expect(app.requests.some((url) => url.includes('/models/blazepose-heavy'))).toBe(true);
    expect(app.requests.some((url) => url.includes('/tfjs-wasm/'))).toBe(true);
  });
});
