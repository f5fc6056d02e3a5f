/**
 * Every accepted input route and format: WebP, BMP, PNG and GIF (first frame only) through "Add
 * images", and an image pasted from the clipboard. Keypoints on each format agree with the PNG's.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, filePayload, foreignRequests, getState, openApp, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const FORMATS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'formats');
const FILES = ['person.png', 'person.webp', 'person.bmp', 'person-animated.gif'];
const DEFAULT_MODELS = ['movenet-lightning', 'blazepose-lite'];
/** Formats are lossy in different ways (WebP, GIF's 256 colours): keypoints may move a little. */
const SAME_PERSON_TOLERANCE_PX = 12;

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('input formats and routes', () => {
  it('decodes WebP, BMP, PNG and the first GIF frame, and finds the same person in each', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles(FILES.map((name) => join(FORMATS_DIR, name)));
    await waitForCellsDone(page, FILES, DEFAULT_MODELS, 120_000);
    const state = await getState(page);
    const byName = new Map(state.images.map((im) => [im.name, im]));
    for (const name of FILES) {
      expect(byName.get(name), name).toMatchObject({ status: 'ready', widthPx: 320, heightPx: 213 });
    }
    const lightning = (name: string) => {
      const image = byName.get(name);
      const cell = image ? state.results[`${image.id}|movenet-lightning`] : undefined;
      expect(cell?.status, name).toBe('done');
      expect(cell?.poses.length, name).toBe(1);
      return cell?.poses[0]?.keypoints ?? [];
    };
    const reference = lightning('person.png');
    const confident = reference.filter((k) => k.score > 0.4);
    expect(confident.length).toBeGreaterThanOrEqual(8);
    for (const name of FILES.slice(1)) {
      const keypoints = lightning(name);
      for (const k of confident) {
        const other = keypoints.find((p) => p.name === k.name);
        expect(other, `${name} ${k.name}`).toBeDefined();
        // The GIF's second frame is plain red: keypoints that match the PNG prove frame 1 was used.
        expect(Math.hypot((other?.x ?? 0) - k.x, (other?.y ?? 0) - k.y), `${name} ${k.name}`).toBeLessThan(SAME_PERSON_TOLERANCE_PX);
      }
    }
  });

  it('adds an image pasted from the clipboard, under a distinct name', async () => {
    const { page } = app;
    const payload = filePayload(join(FORMATS_DIR, 'person.png'), 'image/png', 'image.png');
    const before = (await getState(page)).images.length;
    await page.evaluate((p) => {
      const dataTransfer = new DataTransfer();
      dataTransfer.items.add(new File([Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0))], p.name, { type: p.type }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: dataTransfer }));
    }, payload);
    await page.waitForFunction((n) => (window as unknown as { keypointBench: { getState: () => { images: unknown[] } } }).keypointBench.getState().images.length > n, before);
    const pasted = (await getState(page)).images.at(-1);
    expect(pasted?.name).toMatch(/^pasted-.*\.png$/);
    await waitForCellsDone(page, [pasted?.name ?? ''], DEFAULT_MODELS, 60_000);
    expect(foreignRequests(app.requests, app.baseUrl)).toEqual([]);
  });
});

describe('side-by-side view interactions', () => {
  it('shows a keypoint’s name, score and model on hover, and zooms on click', async () => {
    const { page } = app;
    const state = await getState(page);
    const image = state.images.find((im) => im.name === 'person.png');
    const keypoint = image ? state.results[`${image.id}|movenet-lightning`]?.poses[0]?.keypoints.find((k) => k.score > 0.5) : undefined;
    expect(keypoint).toBeDefined();
    await page.locator('.gallery-row[data-image-name="person.png"] .row-title button.link').click();
    const canvas = page.getByRole('img', { name: 'person.png — MoveNet SinglePose Lightning' });
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    if (!box || !image || !keypoint) throw new Error('no canvas, image or keypoint');
    // The same letterbox fit the app uses (core/geometry fitImage).
    const scale = Math.min(box.width / image.widthPx, box.height / image.heightPx);
    const x = box.x + (box.width - image.widthPx * scale) / 2 + keypoint.x * scale;
    const y = box.y + (box.height - image.heightPx * scale) / 2 + keypoint.y * scale;
    await page.mouse.move(x, y);
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toContain(keypoint.name);
    expect(text).toContain('MoveNet SinglePose Lightning');
    expect(text).toContain(`score ${keypoint.score.toFixed(2)}`);
    await page.mouse.click(x, y);
    await expect.poll(() => canvas.evaluate((el) => getComputedStyle(el).cursor)).toBe('zoom-out');
    await page.mouse.click(x, y);
    await expect.poll(() => canvas.evaluate((el) => getComputedStyle(el).cursor)).toBe('zoom-in');
    await page.keyboard.press('Escape');
    await page.locator('.gallery').waitFor();
  });
});
