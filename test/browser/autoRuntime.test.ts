/**
 * Auto runtime, as a user meets it in the Models panel: BlazePose lite chosen alone has not been measured here,
 * "Measure runtimes" benchmarks it with its twins on the runtimes that can run here (a runtime on a software GPU
 * is skipped, and says so), Auto then runs the fastest one by the benchmark's own figures (the expected choice is
 * read from the report's rows, not from Auto), says why, leaves two chosen twins alone, and with Auto off keeps the
 * user's pick until Auto is turned on again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, MODEL_MANIFEST } from '../../src/inference/modelCatalogue';
import type { BenchmarkRow } from '../../src/store/benchmarkRunner';
import { PEOPLE_DIR, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const IMAGES = ['000000000790.jpg', '000000234748.jpg'];
const GROUP = MODELS.find((m) => m.id === 'blazepose-lite')!;
const TWINS = MODELS.filter((m) => m.id === GROUP.id || m.sameModelAs === GROUP.id);
/** On SwiftShader WebGL and WebGPU are software: a twin whose runtime executes on either is not measured. */
const onGpu = (runtime: string) => {
  const on = MODEL_MANIFEST.runtimes[runtime]?.executesOn;
  return on !== undefined && on !== 'backend' && (on.backend === 'webgl' || on.backend === 'webgpu');
};
const MEASURED = TWINS.filter((m) => !onGpu(m.runtime));
const msText = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('Auto runtime', () => {
  it('measures BlazePose lite on its runtimes when asked, runs the fastest, says why, and leaves the user’s own picks', async () => {
    const { page } = app;
    expect(MEASURED.length).toBeGreaterThanOrEqual(2);
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles(IMAGES.map((name) => join(PEOPLE_DIR, name)));
    await selectModels(page, [GROUP.displayName]);
    await waitForCellsDone(page, IMAGES, [GROUP.id], 120_000);

    const panel = page.getByTestId('auto-runtime');
    const line = panel.locator(`li[data-group="${GROUP.id}"]`);
    expect(await panel.getByRole('checkbox', { name: /^Auto runtime/ }).isChecked()).toBe(true);
    expect(await line.textContent()).toContain('not measured here yet');
    const skippedTwins = TWINS.filter((m) => onGpu(m.runtime));
    for (const twin of skippedTwins) expect(await panel.textContent()).toContain(`${twin.displayName}: `);

    await panel.getByRole('button', { name: `Measure runtimes (${MEASURED.length} models × 5 images)` }).click();
    await page.waitForFunction((id) => (document.querySelector(`[data-testid=auto-runtime] li[data-group="${id}"]`)?.getAttribute('data-fastest') ?? '') !== '', GROUP.id, {
      timeout: 300_000,
      polling: 500,
    });
    const rows = await page.evaluate(
      () => (window as unknown as { keypointBench: { getState: () => { benchmarkReport: { rows: BenchmarkRow[] } | null } } }).keypointBench.getState().benchmarkReport?.rows ?? [],
    );
    // Exactly the twins that can run here were measured, each ok on WASM.
    expect(rows.map((r) => [r.modelId, r.status, r.backend])).toEqual(MEASURED.map((m) => [m.id, 'ok', 'wasm']));
    const fastest = [...rows].sort((a, b) => a.latencyP50Ms! - b.latencyP50Ms!)[0]!;
    const slower = rows.find((r) => r.modelId !== fastest.modelId)!;
    await expect.poll(async () => (await getState(page)).selectedModelIds).toEqual([fastest.modelId]);
    expect(await line.getAttribute('data-runs')).toBe(fastest.modelId);
    const reason = (await line.textContent()) ?? '';
    for (const r of rows) expect(reason).toContain(`(${msText(r.latencyP50Ms!)} ms)`);
    await waitForCellsDone(page, IMAGES, [fastest.modelId], 120_000);

    // A second twin chosen beside it is a comparison: Auto leaves both.
    const slowerName = MODELS.find((m) => m.id === slower.modelId)!.displayName;
    await page.getByRole('checkbox', { name: slowerName, exact: true }).check();
    await expect.poll(async () => (await getState(page)).selectedModelIds.sort()).toEqual([fastest.modelId, slower.modelId].sort());
    expect(await line.textContent()).toContain('a comparison');

    // With Auto off the user's own pick stays; turning Auto on runs the fastest again.
    await panel.getByRole('checkbox', { name: /^Auto runtime/ }).uncheck();
    await page.getByRole('checkbox', { name: MODELS.find((m) => m.id === fastest.modelId)!.displayName, exact: true }).uncheck();
    await expect.poll(async () => (await getState(page)).selectedModelIds).toEqual([slower.modelId]);
    expect(await line.textContent()).toContain('as you chose (Auto is off)');
    await panel.getByRole('checkbox', { name: /^Auto runtime/ }).check();
    await expect.poll(async () => (await getState(page)).selectedModelIds).toEqual([fastest.modelId]);
  });
});
