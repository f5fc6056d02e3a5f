/**
 * From worst-first to a fixed ground truth: "Fix its ground truth" opens the image in Label mode with the ground
 * truth's persons; scoring the models against the labels unchanged gives exactly the metrics of the file itself
 * (the reference: the evaluation of the original annotations.json), a keypoint moved far away lowers them, and no
 * model runs again for either (every result cell is the same object, the same request).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_IDS } from '../../src/inference/modelCatalogue';
import { PEOPLE_DIR, REPO_ROOT, openApp, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const IMAGES = ['000000030752.jpg', '000000126995.jpg', '000000463557.jpg'];
const GT_PATH = join(REPO_ROOT, 'test', 'fixtures', 'evaluation', 'annotations.json');

/** AP per column as the metrics table shows it. */
async function apByColumn(page: Page): Promise<Record<string, string>> {
  await page.getByRole('tab', { name: 'Metrics & verdict' }).click();
  await page.getByTestId('metrics-table').waitFor();
  const rows = await page.getByTestId('metrics-table').locator('tbody tr[data-column-id]').evaluateAll((list) =>
    list.map((row) => [row.getAttribute('data-column-id') ?? '', row.querySelector('td[data-stat=AP] .value')?.textContent ?? ''] as const),
  );
  return Object.fromEntries(rows);
}

/** Each result cell's request id: a model run again would give its cell a new one. */
async function requestIds(page: Page): Promise<Record<string, number | null>> {
  return page.evaluate(() => {
    const results = (window as unknown as { keypointBench: { getState: () => { results: Record<string, { requestId: number | null }> } } }).keypointBench.getState().results;
    return Object.fromEntries(Object.entries(results).map(([key, cell]) => [key, cell.requestId]));
  });
}

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('fixing ground truth from worst-first', () => {
  it('opens the image in Label mode, and scoring against the labels recomputes the metrics without running a model', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles(IMAGES.map((name) => join(PEOPLE_DIR, name)));
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(GT_PATH);
    await waitForCellsDone(page, IMAGES, [...DEFAULT_MODEL_IDS], 180_000);
    const original = await apByColumn(page);
    expect(Object.keys(original)).toEqual([...DEFAULT_MODEL_IDS]);
    const before = await requestIds(page);

    await page.getByRole('tab', { name: 'Worst first' }).click();
    const worst = page.getByTestId('failures').locator('figure').first();
    const name = (await worst.getAttribute('data-image-name'))!;
    await worst.getByRole('button', { name: 'Fix its ground truth' }).click();
    await expect.poll(() => page.getByTestId('label-image').getAttribute('data-file-name')).toBe(name);
    const persons = await page.evaluate(
      (file) =>
        (window as unknown as { keypointBench: { getState: () => { labelHistory: { present: { images: Record<string, { persons: { origin: { kind: string } }[] }> } } | null } } }).keypointBench
          .getState()
          .labelHistory?.present.images[file]?.persons.map((p) => p.origin.kind) ?? [],
      name,
    );
    expect(persons.length).toBeGreaterThan(0);
    expect(new Set(persons)).toEqual(new Set(['imported']));

    // Unchanged labels score exactly as the file they came from.
    await page.getByRole('button', { name: 'Score the models against these labels' }).click();
    expect(await apByColumn(page)).toEqual(original);

    // A keypoint dragged 150 CSS px away: that person's OKS, and so AP, drops for every model that found it.
    await page.getByRole('tab', { name: 'Label' }).click();
    const canvas = page.getByTestId('label-canvas');
    const keypoint = await page.evaluate(
      (file) => {
        const person = (window as unknown as { keypointBench: { getState: () => { labelHistory: { present: { images: Record<string, { persons: { keypoints: { x: number; y: number; v: number }[] }[] }> } } } } }).keypointBench.getState()
          .labelHistory.present.images[file]!.persons[0]!;
        return person.keypoints.find((k) => k.v === 2)!;
      },
      name,
    );
    const rect = (await canvas.boundingBox())!;
    const scale = Number(await canvas.getAttribute('data-scale'));
    const at = { x: rect.x + Number(await canvas.getAttribute('data-offset-x')) + keypoint.x * scale, y: rect.y + Number(await canvas.getAttribute('data-offset-y')) + keypoint.y * scale };
    const to = { x: at.x + (at.x - rect.x > rect.width / 2 ? -150 : 150), y: at.y };
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Score the models against these labels' }).click();
    const edited = await apByColumn(page);
    for (const id of DEFAULT_MODEL_IDS) expect(Number(edited[id]), id).toBeLessThan(Number(original[id]));

    // No model ran again: every cell is the one computed before.
    expect(await requestIds(page)).toEqual(before);
  });
});
