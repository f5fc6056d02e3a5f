/**
 * The 3D view, as a user meets it: a photo, BlazePose (world landmarks) beside a 2D model, the side-by-side view, the
 * "3D" toggle. The panel draws (WebGL, through the shared renderer), a drag turns it, keys work while it has the focus
 * and ←/→/Esc still step and leave afterwards, opening and closing it many times holds no WebGL context, and the
 * screenshot export carries the 3D panels with the fixed camera stated.
 */
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_ORBIT_TEXT } from '../../src/core/pose3d';
import { expectCleanPages, exportScreenshot } from './exportScreenshotLayout';
import { BROWSER_FIXTURES_DIR, MODELS, PEOPLE_DIR, fakeCameraArgs, getState, openApp, selectModels, waitForBackend, waitForCellsDone, waitForLiveKeypoints, type AppSession } from './harness';

/** Chromium's fake camera, fed a person (as webcam.test.ts). */
const FEED = join(BROWSER_FIXTURES_DIR, 'webcam-person.mjpeg');

const IMAGES = ['000000000790.jpg', '000000027731.jpg'];
/** A body model with world landmarks (BlazePose's full pipeline, its smallest variant) and a 2D-only body model. */
const WORLD_MODEL = MODELS.find((m) => m.kind === 'body' && !m.givenBox && /blazepose/i.test(m.name) && /lite/i.test(m.name))!;
const FLAT_MODEL = MODELS.find((m) => m.kind === 'body' && !m.givenBox && /movenet/i.test(m.name) && /lightning/i.test(m.name))!;
/** The 3D canvases' background (ui/Pose3DView POSE3D_STYLE). */
const BACKGROUND = [0x0b, 0x0c, 0x0f];

let app: AppSession;
const warnings: string[] = [];

const compare = () => app.page.locator('section.compare');
const panel3d = (modelId: string) => app.page.locator(`.compare-3d-slot[data-model-id="${modelId}"] .pose3d-panel`);
const canvas3d = () => panel3d(WORLD_MODEL.id).locator('canvas.pose3d-canvas');

async function shown(): Promise<string | null> {
  const state = await getState(app.page);
  return state.images.find((im) => im.id === state.focusedImageId)?.name ?? null;
}

/** The 3D canvas as an RGBA image. */
async function canvasPixels(): Promise<PNG> {
  const dataUrl = await canvas3d().evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
  return PNG.sync.read(Buffer.from(dataUrl.split(',')[1] ?? '', 'base64'));
}

/** Pixels that differ from the background by more than a little: what the scene drew. */
function drawnPixels(png: PNG, region = { x: 0, y: 0, width: png.width, height: png.height }): number {
  let n = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs((png.data[i] ?? 0) - BACKGROUND[0]!) + Math.abs((png.data[i + 1] ?? 0) - BACKGROUND[1]!) + Math.abs((png.data[i + 2] ?? 0) - BACKGROUND[2]!) > 30) n++;
    }
  }
  return n;
}

/** Pixels that differ between two images of the same size. */
function changedPixels(a: PNG, b: PNG): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) if (Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) + Math.abs((a.data[i + 1] ?? 0) - (b.data[i + 1] ?? 0)) + Math.abs((a.data[i + 2] ?? 0) - (b.data[i + 2] ?? 0)) > 30) n++;
  return n;
}

async function rendersOf(): Promise<number> {
  return Number((await canvas3d().getAttribute('data-renders')) ?? '0');
}

/** Waits until the 3D canvas has drawn at least once more than `before`. */
async function waitForRender(before = 0): Promise<void> {
  await expect.poll(rendersOf, { timeout: 20_000 }).toBeGreaterThan(before);
}

beforeAll(async () => {
  expect(WORLD_MODEL, 'a BlazePose lite model in the manifest').toBeDefined();
  expect(FLAT_MODEL, 'a MoveNet Lightning model in the manifest').toBeDefined();
  app = await openApp({
    viewport: { width: 1400, height: 1000 },
    extraArgs: fakeCameraArgs(FEED),
    // Counts the WebGL contexts the page creates, to show the 3D views share one and give it back.
    beforeGoto: async (_context, page) => {
      await page.addInitScript(() => {
        const counter = { created: 0, lost: 0 };
        (window as unknown as { webglContexts: typeof counter }).webglContexts = counter;
        const seen = new WeakSet<object>();
        for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: (...args: unknown[]) => unknown }[]) {
          const original = proto.getContext;
          proto.getContext = function (this: unknown, ...args: unknown[]) {
            const result = original.apply(this, args);
            if (result && typeof args[0] === 'string' && args[0].startsWith('webgl') && !seen.has(result)) {
              seen.add(result);
              counter.created++;
              (this as EventTarget).addEventListener('webglcontextlost', () => counter.lost++);
            }
            return result;
          };
        }
      });
    },
  });
  app.page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') warnings.push(message.text());
  });
  await waitForBackend(app.page);
  await selectModels(app.page, [WORLD_MODEL.name, FLAT_MODEL.name]);
  await app.page.getByLabel('Add images', { exact: true }).setInputFiles(IMAGES.map((name) => join(PEOPLE_DIR, name)));
  await waitForCellsDone(app.page, IMAGES, [WORLD_MODEL.id, FLAT_MODEL.id], 240_000);
  await app.page.locator(`.gallery-row[data-image-name="${IMAGES[0]}"] .row-title button.link`).click();
  await compare().waitFor();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

describe('The 3D view in the side-by-side view', () => {
  it('shows the world landmarks of the model that has them, labelled with the units, and says so for a 2D model', async () => {
    const toggle = app.page.getByRole('button', { name: '3D', exact: true });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    // Keyboard-reachable: focus it and press Enter.
    await toggle.focus();
    await app.page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => panel3d(WORLD_MODEL.id).getAttribute('data-status'), { timeout: 10_000 }).toBe('shown');
    expect(await panel3d(WORLD_MODEL.id).locator('figcaption').textContent()).toContain(WORLD_MODEL.name);
    expect(await panel3d(WORLD_MODEL.id).locator('figcaption').textContent()).toContain('world landmarks, metres');
    expect(await panel3d(FLAT_MODEL.id).getAttribute('data-status')).toBe('no-3d');
    expect(await panel3d(FLAT_MODEL.id).textContent()).toContain('No 3D output');
    expect(await app.page.locator('.compare-3d .pose3d-hint').textContent()).toMatch(/Drag to rotate.*Home resets/);
    await waitForRender();
    const png = await canvasPixels();
    // A skeleton of 33 spheres and its bones, plus the floor grid: a good share of the canvas, not a blank one.
    expect(drawnPixels(png)).toBeGreaterThan(500);
  });

  it('turns when dragged, and the picture changes', async () => {
    const before = await canvasPixels();
    const azimuthBefore = Number(await canvas3d().getAttribute('data-azimuth'));
    const renders = await rendersOf();
    const box = (await canvas3d().boundingBox())!;
    await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await app.page.mouse.down();
    for (let i = 1; i <= 8; i++) await app.page.mouse.move(box.x + box.width / 2 + i * 15, box.y + box.height / 2);
    await app.page.mouse.up();
    await waitForRender(renders);
    expect(Number(await canvas3d().getAttribute('data-azimuth'))).toBeCloseTo(azimuthBefore - 60, 5);
    await expect.poll(async () => changedPixels(before, await canvasPixels()), { timeout: 10_000 }).toBeGreaterThan(200);
    // The drag focused the canvas, so the keys are its own now.
    expect(await canvas3d().evaluate((c) => c === document.activeElement)).toBe(true);
  });

  it('takes arrows, +/− and Home while focused without stepping images; Esc still leaves, ←/→ step once it lets go', async () => {
    const { page } = app;
    const azimuth = async () => Number(await canvas3d().getAttribute('data-azimuth'));
    const start = await azimuth();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(azimuth).toBeCloseTo(start + 10, 5);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(azimuth).toBeCloseTo(start - 10, 5);
    expect(await shown(), 'arrows on the focused 3D view do not step images').toBe(IMAGES[0]);
    const distance = async () => Number(await canvas3d().getAttribute('data-distance'));
    const d0 = await distance();
    await page.keyboard.press('+');
    await expect.poll(distance).toBeLessThan(d0);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await expect.poll(distance).toBeGreaterThan(d0);
    const renders = await rendersOf();
    await page.keyboard.press('Home');
    await expect.poll(azimuth).toBe(-30);
    expect(await canvas3d().getAttribute('data-elevation')).toBe('15.0');
    await waitForRender(renders);

    // Esc leaves even from the focused canvas.
    await page.keyboard.press('Escape');
    await expect.poll(shown, { timeout: 5_000 }).toBe(null);
    await page.locator(`.gallery-row[data-image-name="${IMAGES[0]}"] .row-title button.link`).click();
    await compare().waitFor();
    // The 3D view stays on; focus it, then click beside it: ←/→ step the images again.
    await expect.poll(() => panel3d(WORLD_MODEL.id).getAttribute('data-status'), { timeout: 10_000 }).toBe('shown');
    await canvas3d().click();
    await page.keyboard.press('ArrowLeft');
    expect(await shown()).toBe(IMAGES[0]);
    await page.locator('.compare-title').click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(shown, { timeout: 5_000 }).toBe(IMAGES[1]);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shown, { timeout: 5_000 }).toBe(IMAGES[0]);
    await compare().waitFor();
  });

  it('opens and closes 20 times without running out of WebGL contexts', async () => {
    const { page } = app;
    const toggle = page.getByRole('button', { name: '3D', exact: true });
    for (let i = 0; i < 20; i++) {
      await toggle.click();
      await expect.poll(() => page.locator('.compare-3d').count()).toBe(0);
      await toggle.click();
      await expect.poll(() => panel3d(WORLD_MODEL.id).getAttribute('data-status'), { timeout: 10_000 }).toBe('shown');
      await waitForRender();
    }
    expect(drawnPixels(await canvasPixels())).toBeGreaterThan(500);
    // Chromium warns "Too many active WebGL contexts. Oldest context will be lost." when a page holds more than ~16.
    expect(warnings.filter((w) => /too many active webgl contexts|context lost|CONTEXT_LOST/i.test(w))).toEqual([]);
    // Every panel shares one context (the inference worker's WebGL, if any, lives in the worker and is not counted);
    // closed, it is given back (lost on purpose) a moment later.
    const contexts = () => page.evaluate(() => ({ ...(window as unknown as { webglContexts: { created: number; lost: number } }).webglContexts }));
    expect((await contexts()).created).toBeGreaterThanOrEqual(1);
    expect((await contexts()).created).toBeLessThanOrEqual(3);
    await toggle.click();
    await expect.poll(async () => { const c = await contexts(); return c.created - c.lost; }, { timeout: 5_000 }).toBe(0);
    await toggle.click();
    await expect.poll(() => panel3d(WORLD_MODEL.id).getAttribute('data-status'), { timeout: 10_000 }).toBe('shown');
    await waitForRender();
  });

  it('exports the 3D panels at the fixed camera angle, stated in the caption', async () => {
    const shot = await exportScreenshot(app.page);
    expectCleanPages(shot);
    const layout = shot.layouts[0]!;
    expect(layout.texts.filter((t) => t.role === 'heading').map((t) => t.text)).toContain(EXPORT_ORBIT_TEXT);
    expect(EXPORT_ORBIT_TEXT).toMatch(/front-left 30°, elevation 15°/);
    const panels = layout.panels3d ?? [];
    expect(panels.map((p) => p.panelIndex)).toEqual([0, 1]);
    const captions = layout.texts.filter((t) => t.role === 'caption').map((t) => t.text);
    expect(captions).toContain('world landmarks, metres');
    expect(captions.some((c) => /no 3D output/.test(c))).toBe(true);
    // The world model's panel is drawn; the 2D model's is an empty tile.
    const png = PNG.sync.read(shot.pngs[0]!.bytes);
    const state = await getState(app.page);
    const worldIndex = state.selectedModelIds.indexOf(WORLD_MODEL.id);
    const region = (i: number) => {
      const { box } = panels[i]!;
      return { x: Math.round(box.xPx), y: Math.round(box.yPx), width: Math.round(box.widthPx), height: Math.round(box.heightPx) };
    };
    expect(drawnPixels(png, region(worldIndex))).toBeGreaterThan(500);
    expect(drawnPixels(png, region(1 - worldIndex))).toBeLessThan(50);
  });
});

describe('The 3D view on the webcam', () => {
  it('shows the live models in 3D, redrawn per frame into the same buffers', async () => {
    const { page } = app;
    if ((await compare().count()) > 0) await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Start webcam' }).click();
    await waitForLiveKeypoints(page);
    const liveView = page.locator('.live-view');
    await liveView.getByRole('button', { name: '3D', exact: true }).click();
    const live = (modelId: string) => page.locator(`[data-testid=live-3d] .compare-3d-slot[data-model-id="${modelId}"] .pose3d-panel`);
    await expect.poll(() => live(WORLD_MODEL.id).getAttribute('data-status'), { timeout: 30_000 }).toBe('shown');
    expect(await live(FLAT_MODEL.id).getAttribute('data-status')).toBe('no-3d');
    const liveCanvas = live(WORLD_MODEL.id).locator('canvas.pose3d-canvas');
    const renders = async () => Number((await liveCanvas.getAttribute('data-renders')) ?? '0');
    await expect.poll(renders, { timeout: 30_000 }).toBeGreaterThan(1);
    const allocations = await liveCanvas.getAttribute('data-allocations');
    const before = await renders();
    // Several more frames: drawn again, with no new buffers.
    await expect.poll(renders, { timeout: 60_000 }).toBeGreaterThan(before + 3);
    expect(await liveCanvas.getAttribute('data-allocations')).toBe(allocations);
    const dataUrl = await liveCanvas.evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
    expect(drawnPixels(PNG.sync.read(Buffer.from(dataUrl.split(',')[1] ?? '', 'base64')))).toBeGreaterThan(300);
    await page.getByRole('button', { name: 'Stop webcam' }).click();
    await page.locator('[data-testid=live-3d]').waitFor({ state: 'detached' });
  }, 180_000);
});
