/**
 * Label mode from imported predictions and from the keyboard (production build, real Chromium): three photos with
 * their COCO ground truth and a COCO results file from "another model" (noisy.results.json); every to-do image is
 * pre-labelled from that imported column, and the labels must be the file's detections exactly (each keypoint
 * whose score, the triple's third value, reaches the threshold, where the file put it; the rest absent). Then
 * keyboard-only work: Shift+arrows nudge a keypoint by screen pixels (Ctrl+Shift: ten), one Ctrl+Z takes the whole
 * run of nudges back, Enter accepts an image and moves on to the next one to do, T jumps to the next one to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_DIR, REPO_ROOT, openApp, waitForBackend, type AppSession } from './harness';

const EVALUATION_DIR = join(REPO_ROOT, 'test', 'fixtures', 'evaluation');
const GT_PATH = join(EVALUATION_DIR, 'annotations.json');
const RESULTS_PATH = join(EVALUATION_DIR, 'noisy.results.json');
const PHOTOS = ['000000030752.jpg', '000000126995.jpg', '000000463557.jpg'];
const THRESHOLD = 0.3;

interface LabelledPerson {
  key: string;
  keypoints: { x: number; y: number; v: number }[];
  origin: { kind: string; sourceName?: string };
}
type LabelDoc = { images: Record<string, { status: string; persons: LabelledPerson[] }> };

async function labelDoc(page: Page): Promise<LabelDoc | null> {
  return page.evaluate(() => {
    const s = (window as unknown as { keypointBench: { getState: () => { labelHistory: { present: unknown } | null } } }).keypointBench.getState();
    return JSON.parse(JSON.stringify(s.labelHistory?.present ?? null)) as never;
  });
}

const currentImage = (page: Page) => page.getByTestId('label-image').getAttribute('data-file-name');

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('Label mode: imported predictions and the keyboard', () => {
  it('pre-labels every image from an imported results file exactly, then nudges, undoes, accepts and moves on by key', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles(PHOTOS.map((name) => join(PEOPLE_DIR, name)));
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(GT_PATH);
    await page.waitForFunction(() => (window as unknown as { keypointBench: { getState: () => { groundTruth: unknown } } }).keypointBench.getState().groundTruth !== null);
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(RESULTS_PATH);
    await page.waitForFunction(() => (window as unknown as { keypointBench: { getState: () => { externalColumns: unknown[] } } }).keypointBench.getState().externalColumns.length === 1);

    // The reference: the results file itself, its image ids resolved through the ground truth's images.
    const gt = JSON.parse(readFileSync(GT_PATH, 'utf8')) as { images: { id: number; file_name: string }[] };
    const nameOf = new Map(gt.images.map((im) => [im.id, im.file_name]));
    const results = JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as { image_id: number; keypoints: number[]; score: number }[];
    const expectedOn = (name: string) =>
      results
        .filter((r) => nameOf.get(r.image_id) === name)
        .sort((a, b) => b.score - a.score)
        .map((r) =>
          Array.from({ length: r.keypoints.length / 3 }, (_, i) => {
            const [x, y, s] = r.keypoints.slice(i * 3, i * 3 + 3) as [number, number, number];
            return s >= THRESHOLD ? { x, y, v: 2 } : { v: 0 };
          }),
        );
    expect(PHOTOS.map((name) => expectedOn(name).length)).toEqual([2, 2, 1]);

    await page.getByRole('tab', { name: 'Label' }).click();
    await page.getByRole('button', { name: 'Start labelling' }).click();
    await page.getByLabel('Pre-label from').selectOption({ label: 'noisy' });
    await page.getByRole('button', { name: /^Pre-label every to-do image \(3\)/ }).click();
    await expect.poll(async () => Object.values((await labelDoc(page))?.images ?? {}).filter((im) => im.persons.length > 0).length).toBe(3);
    const doc = (await labelDoc(page))!;
    for (const name of PHOTOS) {
      const persons = doc.images[name]!.persons;
      expect(persons.map((p) => p.origin), name).toEqual(expectedOn(name).map(() => expect.objectContaining({ kind: 'prelabel', sourceName: 'noisy' })));
      persons.forEach((person, p) =>
        expectedOn(name)[p]!.forEach((k, i) => {
          const got = person.keypoints[i]!;
          expect(got.v, `${name} person ${p} keypoint ${i}`).toBe(k.v);
          if (k.v > 0) expect([got.x, got.y], `${name} person ${p} keypoint ${i}`).toEqual([k.x, k.y]);
        }),
      );
    }
    expect(await page.getByTestId('label-progress').textContent()).toBe('0 done · 0 skipped · 3 to do');

    // Nudge the first visible keypoint of the first person on the first image: 5 × Shift+→ and one Ctrl+Shift+↓ are
    // 5 and 10 CSS px, which in image pixels is that over the canvas scale.
    expect(await currentImage(page)).toBe(PHOTOS[0]);
    const first = expectedOn(PHOTOS[0]!)[0]!;
    const index = first.findIndex((k) => k.v > 0);
    const start = first[index] as { x: number; y: number };
    const names = await page.getByTestId('label-keypoints').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-keypoint')));
    await page.getByTestId('label-keypoints').locator(`li[data-keypoint="${names[index]}"] button`).click();
    const scale = Number(await page.getByTestId('label-canvas').getAttribute('data-scale'));
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Control+Shift+ArrowDown');
    const nudged = { x: start.x + 5 / scale, y: start.y + 10 / scale };
    const keypointNow = async () => (await labelDoc(page))!.images[PHOTOS[0]!]!.persons[0]!.keypoints[index]!;
    await expect.poll(async () => (await keypointNow()).y).toBeCloseTo(nudged.y, 6);
    expect((await keypointNow()).x).toBeCloseTo(nudged.x, 6);
    // Still on the same image: Shift+→ is a nudge, not "next image".
    expect(await currentImage(page)).toBe(PHOTOS[0]);
    // One undo takes back the whole run.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => [(await keypointNow()).x, (await keypointNow()).y]).toEqual([start.x, start.y]);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => (await keypointNow()).y).toBeCloseTo(nudged.y, 6);

    // Enter: this image is done, and the next one to do opens.
    await page.keyboard.press('Enter');
    await expect.poll(() => currentImage(page)).toBe(PHOTOS[1]);
    expect((await labelDoc(page))!.images[PHOTOS[0]!]!.status).toBe('done');
    // S skips the second, → goes back to the first (done) by plain arrows, T jumps to the one still to do.
    await page.keyboard.press('s');
    await expect.poll(async () => (await labelDoc(page))!.images[PHOTOS[1]!]!.status).toBe('skipped');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => currentImage(page)).toBe(PHOTOS[0]);
    await page.keyboard.press('t');
    await expect.poll(() => currentImage(page)).toBe(PHOTOS[2]);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await labelDoc(page))!.images[PHOTOS[2]!]!.status).toBe('done');
    // Nothing left to do: Enter stayed, and the toolbar counts it.
    expect(await currentImage(page)).toBe(PHOTOS[2]);
    expect(await page.getByTestId('label-progress').textContent()).toBe('2 done · 1 skipped · 0 to do');
    await page.keyboard.press('t');
    await expect.poll(() => page.getByText('Label mode: every other image is done or skipped.').count()).toBe(1);
    // Going from image to image drew each one (a closed bitmap drawn once threw here and took the view down).
    expect(app.pageErrors).toEqual([]);
  });
});
