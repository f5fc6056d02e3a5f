/**
 * The batch's time-left estimate (issue 10.9): priced from each model's measured cost per inference, it must
 * be within 25% of the time the rest of the batch then really takes. The reference is the batch itself: the
 * estimate read once three images are done, against the wall time from that moment to the last image.
 * The photos hold 1 to 13 labelled people, so under person crops an image costs 1 to 13 inferences: a
 * per-image average could not get this right.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE_DIR, openApp, selectModels, waitForBackend, type AppSession } from './harness';

const PHOTOS = ['000000000790.jpg', '000000027731.jpg', '000000030752.jpg', '000000121181.jpg', '000000126995.jpg', '000000129648.jpg', '000000234748.jpg', '000000463557.jpg'];
const DONE_BEFORE_READING = 3;
const TOLERANCE = 0.25;

let session: AppSession;

beforeAll(async () => {
  session = await openApp();
});

afterAll(async () => {
  await session?.close();
});

describe('time left', () => {
  it(`is within ${TOLERANCE * 100}% of the real remaining time once ${DONE_BEFORE_READING} images are done (person crops, 1–13 people per photo)`, async () => {
    const { page } = session;
    await waitForBackend(page);
    await selectModels(page, ['MoveNet SinglePose Thunder', 'BlazePose full']);
    // Models loaded before the batch starts, so loading is not part of what is estimated.
    await page.waitForFunction(() => {
      const s = (window as unknown as { keypointBench: { getState: () => { selectedModelIds: string[]; modelStatus: Record<string, { state: string } | undefined> } } }).keypointBench.getState();
      return s.selectedModelIds.every((id) => s.modelStatus[id]?.state === 'ready');
    }, undefined, { timeout: 120_000 });
    await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(join(PEOPLE_DIR, 'annotations.json'));
    await expect.poll(() => page.getByTestId('gt-status').textContent(), { timeout: 20_000 }).toContain('annotations.json');
    const watch = page.evaluate(
      ({ doneBefore }) =>
        new Promise<{ estimateMs: number | null; atMs: number; endMs: number; total: number }>((resolve) => {
          type S = { batch: { total: number; done: number; estimatedMsLeft: number | null } };
          const get = () => (window as unknown as { keypointBench: { getState: () => S } }).keypointBench.getState().batch;
          let reading: { estimateMs: number | null; atMs: number } | null = null;
          const timer = setInterval(() => {
            const batch = get();
            if (!reading && batch.total > 0 && batch.done >= doneBefore) reading = { estimateMs: batch.estimatedMsLeft, atMs: performance.now() };
            if (reading && batch.total > 0 && batch.done >= batch.total) {
              clearInterval(timer);
              resolve({ ...reading, endMs: performance.now(), total: batch.total });
            }
          }, 10);
        }),
      { doneBefore: DONE_BEFORE_READING },
    );
    await page.getByLabel('Add images', { exact: true }).setInputFiles(PHOTOS.map((name) => join(PEOPLE_DIR, name)));
    const result = await watch;
    const actualMs = result.endMs - result.atMs;
    console.log(`time left after ${DONE_BEFORE_READING} of ${result.total} images: estimated ${result.estimateMs?.toFixed(0)} ms, took ${actualMs.toFixed(0)} ms`);
    expect(result.total).toBe(PHOTOS.length);
    expect(result.estimateMs).not.toBeNull();
    expect(Math.abs(result.estimateMs! - actualMs)).toBeLessThanOrEqual(TOLERANCE * actualMs);
    expect(session.pageErrors).toEqual([]);
  });
});
