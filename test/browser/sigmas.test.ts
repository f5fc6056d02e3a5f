/**
 * OKS sigmas given by the user (issue 12.10), in the production build as a user sets them: the metrics view names
 * the keypoints and sigmas it scores with; typing stricter sigmas under the ground truth re-scores the same poses,
 * exactly as the evaluation in Node scores them with those sigmas; a wrong count is refused with a message; and
 * "Back to the dataset's" gives the first numbers back. Nothing is run again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoKeypointResult } from '../../src/core/coco/cocoTypes';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { posesToCocoResults } from '../../src/core/evaluation/conversion';
import { evaluateColumn } from '../../src/core/evaluation/evaluateColumn';
import { datasetWithUserSigmas, groundTruthLayout, layoutById } from '../../src/core/layouts';
import { DEFAULT_MODEL_IDS, modelInfo } from '../../src/inference/modelCatalogue';
import { PEOPLE_DIR, dropFiles, filePayload, getState, openApp, waitForBackend, waitForCellsDone, type AppSession, type StateSnapshot } from './harness';

const PHOTOS = ['000000121181.jpg', '000000030752.jpg'];
const gtText = readFileSync(join(PEOPLE_DIR, 'annotations.json'), 'utf8');
const gt = parseGroundTruth(gtText).value!;
const MODEL_ID = DEFAULT_MODEL_IDS[0]!;
const fmt3 = (value: number) => value.toFixed(3);

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

/** The app's poses of MODEL_ID under person crops, scored in Node against `dataset`. */
function nodeAp(state: StateSnapshot, dataset: typeof gt): number {
  const results: CocoKeypointResult[] = [];
  const imageIds: number[] = [];
  for (const image of state.images) {
    const gtImage = gt.images.find((im) => im.file_name === image.name)!;
    const cell = state.results[`${image.id}|${MODEL_ID}|crops`]!;
    imageIds.push(gtImage.id);
    results.push(...posesToCocoResults(gtImage.id, cell.poses, layoutById(modelInfo(MODEL_ID).keypointLayout), groundTruthLayout(gt).layout));
  }
  return evaluateColumn({ columnId: MODEL_ID, displayName: MODEL_ID, protocol: 'crops', gt: dataset, imageIdsEvaluated: imageIds, results, latencies: [], pck: { alpha: 0.2, normalizer: 'bbox' }, oneResultPerCrop: true }).stats.AP;
}

describe('OKS sigmas given by the user', () => {
  it('re-score the same poses as Node does with them, are refused when they do not fit, and can be taken back', async () => {
    const { page } = app;
    await waitForBackend(page);
    await dropFiles(page, [...PHOTOS.map((name) => filePayload(join(PEOPLE_DIR, name))), { name: 'annotations.json', type: 'application/json', base64: Buffer.from(gtText).toString('base64') }]);
    await waitForCellsDone(page, PHOTOS, DEFAULT_MODEL_IDS, 240_000);
    const state = await getState(page);
    await page.getByRole('tab', { name: 'Metrics & verdict', exact: true }).click();
    const apCell = page.locator(`[data-testid=metrics-table] tr[data-column-id="${MODEL_ID}"] td[data-stat=AP] .value`);
    await expect.poll(() => apCell.textContent(), { timeout: 30_000 }).toBe(fmt3(nodeAp(state, gt)));
    expect(await page.getByTestId('scoring-layout').textContent()).toMatch(/COCO-17 body \(17\) · OKS sigmas: COCO keypoints/);

    const sigmas = page.getByTestId('sigmas');
    await sigmas.locator('summary').click();
    const field = page.getByLabel(/Your sigmas, one per keypoint/);
    await field.fill('0.1, 0.2');
    await page.getByRole('button', { name: 'Use these sigmas' }).click();
    expect(await sigmas.getByRole('alert').textContent()).toBe("2 sigmas for 17 keypoints: give one per keypoint, in the category's order");

    const strict = Array.from({ length: 17 }, () => 0.01);
    await field.fill(strict.join(', '));
    await page.getByRole('button', { name: 'Use these sigmas' }).click();
    const strictAp = nodeAp(state, datasetWithUserSigmas(gt, strict));
    expect(strictAp).toBeLessThan(nodeAp(state, gt));
    await expect.poll(() => apCell.textContent(), { timeout: 30_000 }).toBe(fmt3(strictAp));
    expect(await page.getByTestId('scoring-layout').textContent()).toContain('OKS sigmas: given by the user');

    await page.getByRole('button', { name: "Back to the dataset's" }).click();
    await expect.poll(() => apCell.textContent(), { timeout: 30_000 }).toBe(fmt3(nodeAp(state, gt)));
    // The poses were scored again, not computed again.
    const after = await getState(page);
    for (const image of state.images) expect(after.results[`${image.id}|${MODEL_ID}|crops`]).toEqual(state.results[`${image.id}|${MODEL_ID}|crops`]);
    expect(app.pageErrors).toEqual([]);
  });
});
