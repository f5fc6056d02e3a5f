/**
 * Regenerates docs/screenshot.png (the README's picture) from the real app: the bundled samples,
 * four models, every result in. Runs only with UPDATE_SCREENSHOT=1:
 *
 *   npm run build && UPDATE_SCREENSHOT=1 npx vitest run --project browser test/browser/readme-screenshot.test.ts
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, REPO_ROOT, foreignRequests, getState, openApp, pngSize, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const UPDATE = process.env.UPDATE_SCREENSHOT === '1';
const OUT = join(REPO_ROOT, 'docs', 'screenshot.png');
const VIEWPORT = { width: 1400, height: 900 };
const MAX_BYTES = 500_000;
/** Low bits dropped per colour channel: invisible on this UI, and the PNG shrinks by ~30 %. */
const DROPPED_BITS = 2;
const SHOWN = ['MoveNet SinglePose Lightning', 'MoveNet MultiPose Lightning', 'BlazePose full', 'PoseNet (MobileNetV1)'];

let app: AppSession | undefined;

/** Re-encodes Chromium's screenshot as RGB with DROPPED_BITS fewer bits per channel and maximum compression. */
function compactPng(screenshot: Buffer): Buffer {
  const png = PNG.sync.read(screenshot);
  const mask = 0xff & ~((1 << DROPPED_BITS) - 1);
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = (png.data[i] ?? 0) & mask;
    png.data[i + 1] = (png.data[i + 1] ?? 0) & mask;
    png.data[i + 2] = (png.data[i + 2] ?? 0) & mask;
  }
  return PNG.sync.write(png, { colorType: 2, deflateLevel: 9, deflateStrategy: 1 });
}

describe.skipIf(!UPDATE)('README screenshot (UPDATE_SCREENSHOT=1)', () => {
  beforeAll(async () => {
    app = await openApp({ viewport: VIEWPORT });
  });

  afterAll(async () => {
    await app?.close();
  });

  it(`writes ${VIEWPORT.width}×${VIEWPORT.height} docs/screenshot.png with the samples and ${SHOWN.length} models, all done`, async () => {
    if (!app) throw new Error('no browser');
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await selectModels(page, SHOWN);
    await page.getByRole('button', { name: 'Try sample images' }).click();
    await page.getByTestId('sample-attribution').waitFor({ timeout: 60_000 });
    await expect.poll(async () => (await getState(page)).images.length, { timeout: 60_000 }).toBe(4);
    const names = (await getState(page)).images.map((im) => im.name);
    const ids = MODELS.filter((m) => SHOWN.includes(m.name)).map((m) => m.id);
    await waitForCellsDone(page, names, ids, 240_000);
    await page.getByTestId('batch-progress').filter({ hasText: /done$/ }).waitFor();
    // Every canvas has painted its photo (no blank cells in the picture).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.mouse.move(0, 0);

    mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
    const screenshot = await page.screenshot({ type: 'png', animations: 'disabled', caret: 'hide' });
    writeFileSync(OUT, compactPng(screenshot));
    const bytes = readFileSync(OUT);
    expect(pngSize(bytes)).toEqual(VIEWPORT);
    expect(statSync(OUT).size).toBeLessThan(MAX_BYTES);
    expect(foreignRequests(app.requests, app.baseUrl)).toEqual([]);
  });
});
