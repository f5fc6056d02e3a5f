/**
 * Leak check for every MediaPipe-solutions model (issue 12: "leak checks for every new model"), in the app's own
 * benchmark (production build): after the warm-up, the latency, throughput and leak-check estimates leave the
 * solution's WASM heap and its live GPU objects (WebGL objects, open ImageBitmaps, counted inside its worker) where
 * they were. The reference is the warm solution itself: nothing it keeps may grow with the number of images.
 *
 * Negative control: the same check on a solution whose worker is made to keep what a frame leaves behind (its
 * ImageBitmaps never closed, a WebGL texture left per frame) must see the growth, or the counts prove nothing.
 */
import { join } from 'node:path';
import type { Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../src/inference/modelCatalogue';
import { MEDIAPIPE_SOLUTIONS_RUNTIME } from '../../src/inference/runtimes/mediapipeSolutions';
import { leakGrowth } from '../../src/core/leakCheck';
import type { BenchmarkReport, BenchmarkRow } from '../../src/store/benchmarkRunner';
import { PEOPLE_DIR, REPO_ROOT, onSolutionWorkers, openApp, waitForBackend, type AppSession } from './harness';

const SOLUTIONS = MODELS.filter((m) => m.runtime === MEDIAPIPE_SOLUTIONS_RUNTIME);
const PHOTOS = [join(REPO_ROOT, 'test', 'fixtures', 'hands-faces', '000000256353.jpg'), join(PEOPLE_DIR, '000000030752.jpg')];
const IMAGES_PER_RUN = 2;
const LEAK_CHECK_ESTIMATES = 20;

let app: AppSession;
/** Set by a test: what each solution worker started from now on is made to do before its first image. */
const injection: { into: ((worker: Worker) => Promise<void>) | null } = { into: null };

beforeAll(async () => {
  app = await openApp({
    beforeGoto: async (_context, page) => onSolutionWorkers(page, (worker) => injection.into?.(worker)),
  });
  expect(await waitForBackend(app.page)).toBe('wasm');
  await app.page.getByLabel('Add images', { exact: true }).setInputFiles(PHOTOS);
  await app.page.waitForFunction(
    (count) => (window as unknown as { keypointBench: { getState: () => { images: { status: string }[] } } }).keypointBench.getState().images.filter((im) => im.status === 'ready').length === count,
    PHOTOS.length,
    { timeout: 60_000 },
  );
}, 120_000);

afterAll(async () => {
  await app?.close();
});

async function benchmark(modelIds: string[]): Promise<BenchmarkRow[]> {
  const report = await app.page.evaluate(
    ({ modelIds, imageCount, leak }) =>
      (window as unknown as { keypointBench: { runBenchmark: (request: unknown) => Promise<BenchmarkReport> } }).keypointBench.runBenchmark({
        modelIds,
        backends: ['wasm'],
        imageCount,
        leakCheckInferences: leak,
      }),
    { modelIds, imageCount: IMAGES_PER_RUN, leak: LEAK_CHECK_ESTIMATES },
  );
  return report.rows;
}

const summary = (r: BenchmarkRow) =>
  `${r.modelId}: ${r.status}${r.error ? ` (${r.error})` : ''}, ${r.inferencesMeasured} estimates; over the leak check's ${r.leakCheck?.estimates ?? 0}: heap ${r.leakCheck?.start.runtimeHeapBytes} → ${r.leakCheck?.end.runtimeHeapBytes} B, GPU objects ${r.leakCheck?.start.runtimeGpuObjects} → ${r.leakCheck?.end.runtimeGpuObjects} (from ${r.runtimeGpuObjectsBefore} after the warm-up)`;

/**
 * Makes a solution's worker keep what each frame leaves: its pictures' ImageBitmaps are never closed (the bug the
 * worker's `close` guards against), and one more 64 KiB WASM page is taken per frame. Waits for the worker's own
 * set-up first (its message handler), so the counting wrappers are in place and see this.
 */
async function leakPerFrame(worker: Worker): Promise<void> {
  await worker.evaluate(async () => {
    while (!self.onmessage) await new Promise((resolve) => setTimeout(resolve, 10));
    // (module (memory (export "m") 1))
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 5, 1, 1, 109, 2, 0]);
    const { instance } = await WebAssembly.instantiate(bytes);
    const memory = instance.exports.m as WebAssembly.Memory;
    ImageBitmap.prototype.close = () => undefined;
    const OwnImageData = self.ImageData;
    (self as unknown as { ImageData: unknown }).ImageData = class extends OwnImageData {
      constructor(...args: ConstructorParameters<typeof ImageData>) {
        super(...args);
        memory.grow(1);
      }
    };
  });
}

describe('MediaPipe solutions leak nothing per estimate', () => {
  it.each(SOLUTIONS.map((m) => [m.id]))('%s: its WASM heap and GPU objects do not grow over the leak check', async (id) => {
    const [row] = await benchmark([id]);
    console.log(summary(row!));
    expect(row!.status, summary(row!)).toBe('ok');
    const { start, end } = row!.leakCheck!;
    expect(start.runtimeHeapBytes, summary(row!)).toBeGreaterThan(0);
    expect(start.runtimeGpuObjects, summary(row!)).toBeGreaterThan(0);
    expect(leakGrowth(start, end), summary(row!)).toEqual([]);
  }, 900_000);

  it('negative control: a solution made to keep its pictures and a WASM page per frame fails the same check', async () => {
    const face = SOLUTIONS.find((m) => m.keypointLayout === 'face478')!;
    injection.into = leakPerFrame;
    try {
      const [row] = await benchmark([face.id]);
      console.log(`negative control, ${summary(row!)}`);
      expect(row!.status, summary(row!)).toBe('ok');
      const grown = Object.fromEntries(leakGrowth(row!.leakCheck!.start, row!.leakCheck!.end).map((g) => [g.what, g.to - g.from]));
      // At least one picture and one page per estimate (a still after a found face sends a blank frame first).
      expect(grown['GPU objects'], summary(row!)).toBeGreaterThanOrEqual(LEAK_CHECK_ESTIMATES);
      expect(grown['runtime heap'], summary(row!)).toBeGreaterThanOrEqual(LEAK_CHECK_ESTIMATES * 65_536);
      await app.page.getByRole('tab', { name: 'Benchmark' }).click();
      const line = app.page.getByTestId('benchmark-leaks').locator(`li[data-model-id="${face.id}"]`);
      expect(await line.getAttribute('data-grew')).toBe('true');
      expect(await line.textContent()).toMatch(/grew over \d+ estimates: runtime heap .* MB, GPU objects \d+ → \d+/);
    } finally {
      injection.into = null;
    }
  }, 900_000);
});
