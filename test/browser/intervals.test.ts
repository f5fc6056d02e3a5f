/**
 * "How sure, and why it fails", in real Chromium against the production build: the bootstrap intervals (computed
 * in the analysis worker, with progress, seeded) beside every number, the paired differences, and the coco-analyze
 * taxonomy. References: each interval must hold its point estimate; the same seed must give the same intervals and
 * another seed other ones; the taxonomy must equal the Node run of the same core analysis on the COCO results the
 * page exports (the analysis itself is checked against the coco-analyze tool's outputs in the unit tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoKeypointResult } from '../../src/core/coco/cocoTypes';
import { parseGroundTruth } from '../../src/core/coco/parseGroundTruth';
import { restrictGroundTruth } from '../../src/core/evaluation/evaluateColumn';
import { columnErrors, KEYPOINT_CLASSES } from '../../src/core/evaluation/errorSummary';
import { PEOPLE_DIR, dropFiles, filePayload, openApp, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const IMAGES = ['000000000790.jpg', '000000027731.jpg', '000000030752.jpg', '000000126995.jpg', '000000463557.jpg'];
const MODEL_IDS = ['movenet-lightning', 'blazepose-lite'];
const GT_PATH = join(PEOPLE_DIR, 'annotations.json');

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

/** Every interval the metrics table shows, by column and statistic: [lower, upper] and the value beside it. */
async function tableIntervals(page: Page): Promise<Record<string, { value: string; ci: [number, number] | null }>> {
  return page.getByTestId('metrics-table').locator('tbody tr[data-column-id]').evaluateAll((rows) => {
    const out: Record<string, { value: string; ci: [number, number] | null }> = {};
    for (const row of rows) {
      for (const td of row.querySelectorAll('td[data-stat]')) {
        const ci = td.querySelector('.ci')?.getAttribute('data-ci');
        out[`${row.getAttribute('data-column-id')}/${td.getAttribute('data-stat')}`] = {
          value: td.querySelector('.value')?.textContent ?? '',
          ci: ci ? (ci.split(',').map(Number) as [number, number]) : null,
        };
      }
    }
    return out;
  });
}

const intervalsDone = (page: Page) => expect.poll(() => page.getByTestId('intervals-status').getAttribute('data-status'), { timeout: 90_000 }).toBe('done');

async function setNumber(input: Locator, value: number): Promise<void> {
  await input.fill(String(value));
  await input.press('Enter');
}

describe('intervals and error taxonomy, in Chromium (production build)', () => {
  it('shows every metric with a 95% interval that holds it, computed with progress off the page, and reproducible by seed', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).not.toBe('');
    // Progress as the user sees it: every text the status line shows, from before the images are added.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __kbStatusTexts: string[] }).__kbStatusTexts = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=intervals-status]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await dropFiles(page, [...IMAGES.map((name) => filePayload(join(PEOPLE_DIR, name))), filePayload(GT_PATH, 'application/json')]);
    await waitForCellsDone(page, IMAGES, MODEL_IDS, 150_000);
    await page.getByRole('tab', { name: 'Metrics & verdict', exact: true }).click();
    await intervalsDone(page);
    const first = await tableIntervals(page);
    const statuses = await page.evaluate(() => (window as unknown as { __kbStatusTexts: string[] }).__kbStatusTexts);
    console.log(`intervals: ${JSON.stringify(first)}; status texts: ${statuses.slice(0, 6).join(' | ')}`);
    expect(statuses.some((text) => /resampling [\d,]+ of 1,000…/.test(text)), statuses.join(' | ')).toBe(true);

    for (const id of MODEL_IDS) {
      for (const stat of ['AP', 'AP50', 'AP75', 'AR', 'PCK', 'ms-per-image']) {
        const cell = first[`${id}/${stat}`];
        expect(cell?.ci, `${id} ${stat}`).not.toBeNull();
        const [lower, upper] = cell!.ci!;
        const value = Number.parseFloat(cell!.value);
        // The value is shown rounded (3 decimals, or 0.1 ms): the interval must hold it within that rounding.
        const rounding = stat === 'ms-per-image' ? 0.05 : 0.0005;
        expect(lower, `${id} ${stat}: ${cell!.value} in [${lower}, ${upper}]`).toBeLessThanOrEqual(value + rounding);
        expect(upper, `${id} ${stat}: ${cell!.value} in [${lower}, ${upper}]`).toBeGreaterThanOrEqual(value - rounding);
      }
    }
    // The pair line: the better model named first, a signed difference with its interval, and whether it is significant.
    const pairs = await page.getByTestId('pair-differences').locator('li').allTextContents();
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatch(/^(MoveNet SinglePose Lightning|BlazePose lite) is better than (MoveNet SinglePose Lightning|BlazePose lite): \+\d\.\d{3} AP \[[−+±]\d\.\d{3}, [−+±]\d\.\d{3}\], (not significant|significant \(the interval excludes 0\))$/);

    // Another seed moves the interval ends (not the values); the first seed again gives the first intervals exactly.
    const seed = page.getByTestId('intervals').getByLabel('Seed', { exact: true });
    await setNumber(seed, 7);
    await intervalsDone(page);
    const other = await tableIntervals(page);
    expect(Object.keys(other)).toEqual(Object.keys(first));
    for (const key of Object.keys(first)) expect(other[key]?.value, key).toBe(first[key]?.value);
    expect(Object.keys(first).some((key) => JSON.stringify(other[key]?.ci) !== JSON.stringify(first[key]?.ci))).toBe(true);
    await setNumber(seed, 1);
    await intervalsDone(page);
    expect(await tableIntervals(page)).toEqual(first);
    expect(app.pageErrors).toEqual([]);
  });

  it('classes every labelled keypoint of the matched people as coco-analyze does, per model and per keypoint', async () => {
    const { page } = app;
    await expect.poll(() => page.getByTestId('taxonomy').getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    const rows = await page.getByTestId('taxonomy-table').locator('tbody tr[data-column-id]').evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-column-id') ?? '',
        labelled: Number(tr.querySelector('td[data-stat=labelled]')?.textContent),
        counts: Object.fromEntries(['good', 'jitter', 'inversion', 'swap', 'miss'].map((c) => [c, Number.parseInt(tr.querySelector(`td[data-stat=${c}]`)?.firstChild?.textContent ?? '', 10)])),
      })),
    );
    expect(rows.map((r) => r.id)).toEqual(MODEL_IDS);
    const gt = parseGroundTruth(readFileSync(GT_PATH, 'utf8')).value!;
    const gtIds = gt.images.filter((im) => IMAGES.includes(im.file_name ?? '')).map((im) => im.id);
    for (const row of rows) {
      // The five classes add up to the labelled keypoints of the matched people.
      expect(KEYPOINT_CLASSES.reduce((sum, c) => sum + (row.counts[c] ?? 0), 0), row.id).toBe(row.labelled);
      // The same analysis in Node on the COCO results the page exports for this column.
      const tableRow = page.locator(`[data-testid=metrics-table] tr[data-column-id="${row.id}"]`);
      const [download] = await Promise.all([page.waitForEvent('download'), tableRow.getByRole('button', { name: 'results.json' }).click()]);
      const results = JSON.parse(readFileSync(await download.path(), 'utf8')) as CocoKeypointResult[];
      const expected = columnErrors(row.id, row.id, restrictGroundTruth(gt, gtIds), results).analysis;
      expect(expected, row.id).not.toBeNull();
      expect(row.labelled, row.id).toBe(expected!.labelledKeypoints);
      expect(row.counts, row.id).toEqual(expected!.counts);
    }
    expect(app.pageErrors).toEqual([]);
  });
});
