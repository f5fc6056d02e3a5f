/**
 * Label mode from imported predictions and from the keyboard (production build, real Chromium): three photos with
 * their COCO ground truth and a COCO results file from "another model" (noisy.results.json); every to-do image is
 * pre-labelled from that imported column, and the labels must be the file's detections exactly (each keypoint
 * whose score, the triple's third value, reaches the threshold, where the file put it; the rest absent). Then
 * zoom (+, wheel), pan (drag), fit (F), and a box fixed by dragging its corner; then keyboard-only work: Shift+arrows
 * nudge a keypoint by screen pixels (Ctrl+Shift: ten), one Ctrl+Z takes the whole run of nudges back, Enter accepts
 * an image and moves on to the next one to do, T jumps to the next one to do. Last, the pre-labels' verdict: the
 * sentence with the counts and the OKS COCOeval's formula gives for the nudge, computed here from the edits.
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
  box: number[];
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

/** The canvas's transform as it reports it: CSS px per image px and the image's offset in the canvas. */
async function view(page: Page): Promise<{ scale: number; offsetX: number; offsetY: number; left: number; top: number; width: number; height: number }> {
  const canvas = page.getByTestId('label-canvas');
  const rect = (await canvas.boundingBox())!;
  const read = async (name: string) => Number(await canvas.getAttribute(name));
  return { scale: await read('data-scale'), offsetX: await read('data-offset-x'), offsetY: await read('data-offset-y'), left: rect.x, top: rect.y, width: rect.width, height: rect.height };
}

/** COCO's published keypoint sigmas (cocodataset.org keypoint evaluation; pycocotools' kpt_oks_sigmas). */
const COCO_SIGMAS = [0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89].map((s) => s / 10);

/** COCOeval's OKS of `predicted` against `truth` (its visible keypoints), with the truth's area as scale. */
function cocoOks(truth: { x: number; y: number; v: number }[], predicted: { x: number; y: number }[], areaPx2: number): number {
  let sum = 0, n = 0;
  truth.forEach((t, i) => {
    if (t.v <= 0) return;
    const d2 = (t.x - predicted[i]!.x) ** 2 + (t.y - predicted[i]!.y) ** 2;
    sum += Math.exp(-d2 / (2 * COCO_SIGMAS[i]! ** 2 * 4) / (areaPx2 + Number.EPSILON));
    n++;
  });
  return sum / n;
}

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

    // Zoom and pan: + zooms in, dragging the image pans it by the drag, the wheel zooms further, F fits again.
    const fitted = await view(page);
    await page.keyboard.press('+');
    await expect.poll(async () => (await view(page)).scale).toBeGreaterThan(fitted.scale * 1.2);
    const zoomed = await view(page);
    // (The first zoom centres on the current keypoint, the nose, so the view starts at the image's top: pan up-left.)
    const panFrom = { x: zoomed.left + zoomed.width * 0.9, y: zoomed.top + zoomed.height * 0.9 };
    await page.mouse.move(panFrom.x, panFrom.y);
    await page.mouse.down();
    await page.mouse.move(panFrom.x - 15, panFrom.y - 10, { steps: 3 });
    await page.mouse.move(panFrom.x - 30, panFrom.y - 20, { steps: 3 });
    await page.mouse.up();
    await expect.poll(async () => (await view(page)).offsetX).toBeCloseTo(zoomed.offsetX - 30, 3);
    expect((await view(page)).offsetY).toBeCloseTo(zoomed.offsetY - 20, 3);
    expect((await view(page)).scale).toBe(zoomed.scale);
    await page.mouse.move(zoomed.left + zoomed.width / 2, zoomed.top + zoomed.height / 2);
    await page.mouse.wheel(0, -240);
    await expect.poll(async () => (await view(page)).scale).toBeGreaterThan(zoomed.scale * 1.2);
    await page.keyboard.press('f');
    await expect.poll(async () => (await view(page)).scale).toBe(fitted.scale);
    expect([(await view(page)).offsetX, (await view(page)).offsetY]).toEqual([fitted.offsetX, fitted.offsetY]);

    // Zoomed far in, the view follows the keyboard: the first + centres on the current keypoint, and each keypoint N
    // moves to shows on the canvas (at 1.5⁶ ≈ 11× most of a person is off screen otherwise).
    const personKeypoints = (await labelDoc(page))!.images[PHOTOS[0]!]!.persons[0]!.keypoints;
    const onCanvas = async (k: { x: number; y: number }) => {
      const v = await view(page);
      const x = v.offsetX + k.x * v.scale, y = v.offsetY + k.y * v.scale;
      return x >= 0 && y >= 0 && x <= v.width && y <= v.height;
    };
    const firstPlaced = personKeypoints.findIndex((k) => k.v > 0);
    await page.getByTestId('label-keypoints').locator('li').nth(firstPlaced).locator('button').click();
    for (let i = 0; i < 6; i++) await page.keyboard.press('+');
    await expect.poll(async () => (await view(page)).scale).toBeGreaterThan(fitted.scale * 10);
    expect(await onCanvas(personKeypoints[firstPlaced]!)).toBe(true);
    let followed = 0;
    for (let i = firstPlaced + 1; i < personKeypoints.length; i++) {
      await page.keyboard.press('n');
      if (personKeypoints[i]!.v === 0) continue;
      await expect.poll(() => onCanvas(personKeypoints[i]!), { timeout: 5_000 }).toBe(true);
      followed++;
    }
    expect(followed).toBeGreaterThanOrEqual(5);
    await page.keyboard.press('f');
    await expect.poll(async () => (await view(page)).scale).toBe(fitted.scale);

    // Fix a box: drag the first person's bottom-right corner by 20 × 15 CSS px.
    const boxBefore = (await labelDoc(page))!.images[PHOTOS[0]!]!.persons[0]!.box;
    const corner = { x: fitted.left + fitted.offsetX + (boxBefore[0]! + boxBefore[2]!) * fitted.scale, y: fitted.top + fitted.offsetY + (boxBefore[1]! + boxBefore[3]!) * fitted.scale };
    await page.mouse.move(corner.x, corner.y);
    await page.mouse.down();
    await page.mouse.move(corner.x + 10, corner.y + 7, { steps: 3 });
    await page.mouse.move(corner.x + 20, corner.y + 15, { steps: 3 });
    await page.mouse.up();
    const boxExpected = [boxBefore[0]!, boxBefore[1]!, boxBefore[2]! + 20 / fitted.scale, boxBefore[3]! + 15 / fitted.scale];
    await expect.poll(async () => (await labelDoc(page))!.images[PHOTOS[0]!]!.persons[0]!.box[2]).toBeCloseTo(boxExpected[2]!, 3);
    (await labelDoc(page))!.images[PHOTOS[0]!]!.persons[0]!.box.forEach((v, i) => expect(v, `box[${i}]`).toBeCloseTo(boxExpected[i]!, 3));

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
    // What the pre-labels needed, on the two images done (the skipped one is no verdict): the one nudged keypoint moved,
    // with the OKS COCOeval gives the pre-label against the corrected person (its box's area).
    const final = (await labelDoc(page))!;
    const judged = [PHOTOS[0]!, PHOTOS[2]!].flatMap((name) => expectedOn(name));
    const placed = judged.flat().filter((k) => k.v > 0).length;
    const corrected = final.images[PHOTOS[0]!]!.persons[0]!;
    const prelabelled = first.map((k) => (k.v > 0 ? (k as { x: number; y: number }) : { x: 0, y: 0 }));
    const oks = cocoOks(corrected.keypoints.map((k, i) => (first[i]!.v > 0 ? k : { ...k, v: 0 })), prelabelled, corrected.box[2]! * corrected.box[3]!);
    const sentence = `noisy needed ${Math.round(100 / placed)}% of keypoints moved on 2 images (1 of the ${placed} keypoints it placed; 0% removed; 0 added; 0 of ${judged.length} persons deleted; 0 drawn; median OKS ${oks.toFixed(2)} between pre-label and correction for the 1 moved).`;
    expect(await page.getByTestId('label-corrections').locator('li').allTextContents()).toEqual([sentence]);

    // Jump by number: 1 opens the first image; 7 (there are 3) is refused and the field shows this image's number again.
    const number = page.getByLabel('Image number (type one to go to it)');
    await number.fill('1');
    await number.press('Enter');
    await expect.poll(() => currentImage(page)).toBe(PHOTOS[0]);
    // The decoded photo replaces the thumbnail.
    await expect.poll(() => page.getByTestId('label-canvas').getAttribute('data-picture')).toBe('full');
    await number.fill('7');
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    await number.press('Enter');
    expect(await number.inputValue()).toBe('1');
    expect(await currentImage(page)).toBe(PHOTOS[0]);

    // Going from image to image drew each one (a closed bitmap drawn once threw here and took the view down).
    expect(app.pageErrors).toEqual([]);
  });
});
