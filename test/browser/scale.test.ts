/**
 * Many images (issue 10.7, at test scale): the gallery mounts only the rows near the screen, whatever the
 * number of images, and every image is still reachable by scrolling; results land in rows as they scroll in.
 * The 1,000 × 12 MP run is the benchmark's (`npm run bench -- --scale`), not a test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_DIR, openApp, type AppSession } from './harness';

const IMAGE_COUNT = 120;
/** Rows a 900 px window can show, plus the virtualiser's overscan on each side (10), with room to spare. */
const MOUNTED_ROWS_MAX = 30;

/** A JPEG with a comment segment after SOI: the same picture, different bytes (so not a repeat of the others). */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, body, jpeg.subarray(2)]);
}

let session: AppSession;

beforeAll(async () => {
  session = await openApp({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await session?.close();
});

describe('a gallery of many images', () => {
  it(`mounts only the rows near the screen for ${IMAGE_COUNT} images, and every row is reachable`, async () => {
    const { page } = session;
    const photos = readdirSync(PEOPLE_DIR).filter((n) => n.endsWith('.jpg')).sort();
    const files = Array.from({ length: IMAGE_COUNT }, (_, i) => {
      const photo = photos[i % photos.length]!;
      return { name: `img-${String(i).padStart(4, '0')}.jpg`, mimeType: 'image/jpeg', buffer: withComment(readFileSync(join(PEOPLE_DIR, photo)), `copy ${i}`) };
    });
    // Only the light model, so the batch is short.
    await page.getByRole('checkbox', { name: 'BlazePose lite', exact: true }).setChecked(false);
    await page.getByLabel('Add images', { exact: true }).setInputFiles(files);
    await expect.poll(() => page.locator('[role=grid]').getAttribute('aria-rowcount'), { timeout: 60_000 }).toBe(String(IMAGE_COUNT));
    const mounted = await page.locator('.gallery-row').count();
    expect(mounted).toBeGreaterThan(0);
    expect(mounted).toBeLessThanOrEqual(MOUNTED_ROWS_MAX);

    // The first rows finish while they are on screen.
    await expect.poll(() => page.locator('.gallery-row').first().locator('.cell[data-status=done]').count(), { timeout: 120_000 }).toBe(1);

    // Scrolled to the end: the last image's row is mounted, the first is not, and still few rows exist.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect.poll(() => page.locator(`.gallery-row[data-image-name="img-${String(IMAGE_COUNT - 1).padStart(4, '0')}.jpg"]`).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('.gallery-row[data-image-name="img-0000.jpg"]').count()).toBe(0);
    expect(await page.locator('.gallery-row').count()).toBeLessThanOrEqual(MOUNTED_ROWS_MAX);
    // Rows are laid out one after the other, without overlapping.
    // (Rows grow when their canvases draw; the virtualiser re-measures them on the next frame.)
    const overlaps = () =>
      page.locator('.gallery-slot').evaluateAll((slots) => {
        const boxes = slots.map((s) => s.getBoundingClientRect());
        return boxes.filter((box, i) => i > 0 && box.top < boxes[i - 1]!.bottom - 1).length;
      });
    await expect.poll(overlaps, { timeout: 10_000 }).toBe(0);
    expect(session.pageErrors).toEqual([]);
  });
});
