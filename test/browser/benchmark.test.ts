/**
 * The in-app Benchmark view, driven as a user would: a small WASM run of MoveNet Lightning and
 * BlazePose lite, its table (real figures, no leaked tensors), the job of both models on every image
 * (consistent sums), the JSON export, and the benchmark in the screenshot.
 */
import { DEFAULT_MODEL_IDS, MODELS, MODEL_IDS, MODEL_MANIFEST } from '../../src/inference/modelCatalogue';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWasmThreads } from '../../src/core/backendDecision';
import { cellGrid } from '../../src/render/screenshot';
import { expectCleanPages, exportScreenshot } from './exportScreenshotLayout';
import type { BenchmarkReport } from '../../src/store/benchmarkRunner';
import { PEOPLE_DIR, foreignRequests, getState, openApp, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const IMAGES = ['000000000790.jpg', '000000234748.jpg'];
const IMAGES_PER_RUN = 3;
/** The app's default selection (manifest `defaultSelected`), which the benchmark job runs. */
const JOB_MODELS = [...DEFAULT_MODEL_IDS];
/** The rows: those models and their twins on other runtimes (manifest `sameModelAs`), in the app's order. */
const ROW_MODELS = MODEL_IDS.filter((id) => {
  const info = MODELS.find((m) => m.id === id)!;
  const on = MODEL_MANIFEST.runtimes[info.runtime]?.executesOn;
  // A twin whose runtime runs on the GPU is not added on SwiftShader (a software renderer).
  const softwareGpu = on !== undefined && on !== 'backend' && (on.backend === 'webgl' || on.backend === 'webgpu');
  return JOB_MODELS.includes(id) || (info.sameModelAs !== undefined && JOB_MODELS.includes(info.sameModelAs) && !softwareGpu);
});
let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('benchmark view', () => {
  it('measures Lightning and BlazePose lite on WASM through the app pipeline, one by one and as a job, exports JSON, and adds the figures to the screenshot', async () => {
    const { page } = app;
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles(IMAGES.map((name) => join(PEOPLE_DIR, name)));
    await waitForCellsDone(page, IMAGES, ['movenet-lightning', 'blazepose-lite'], 120_000);

    await page.getByRole('tab', { name: 'Benchmark' }).click();
    const view = page.getByRole('region', { name: 'Benchmark' });
    await view.getByLabel('Images per run').fill(String(IMAGES_PER_RUN));
    expect(await view.getByRole('checkbox', { name: /^Job:/ }).isChecked()).toBe(true);
    await view.getByRole('button', { name: 'Run benchmark' }).click();
    const row = view.locator('tr[data-model-id="movenet-lightning"][data-backend="wasm"]');
    await row.waitFor({ timeout: 240_000 });
    expect(await row.getAttribute('data-status')).toBe('ok');
    const p50 = Number(await row.locator('td[data-stat=p50]').textContent());
    const raw = Number(await row.locator('td[data-stat=raw]').textContent());
    // The pipeline contains the network: it takes longer than the network alone, which takes real time.
    expect(raw).toBeGreaterThan(1);
    expect(p50, 'Lightning: pipeline p50 vs raw p50').toBeGreaterThan(raw);
    expect(Number(await row.locator('td[data-stat=overhead]').textContent())).toBeCloseTo(p50 / raw, 1);
    const [before, after] = ((await row.locator('td[data-stat=tensors]').textContent()) ?? '').split('→').map((t) => Number(t.trim()));
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);
    expect(await view.getByTestId('benchmark-auto').textContent()).toContain('wasm');

    const [download] = await Promise.all([page.waitForEvent('download'), view.getByRole('button', { name: 'Export benchmark JSON' }).click()]);
    const report = JSON.parse(readFileSync(await download.path(), 'utf8')) as BenchmarkReport;
    // BlazePose lite brings its LiteRT twin (the 'Also each model's twins' option is on by default).
    expect(ROW_MODELS).toContain('blazepose-lite-litert');
    expect(report.rows.map((r) => [r.modelId, r.backend, r.status])).toEqual(ROW_MODELS.map((id) => [id, 'wasm', 'ok']));
    // The row is labelled by the threads its worker read back from the WASM module, the app's default (Auto's worker reads the same).
    const threads = report.autoDecision?.wasmThreadsActual;
    expect(threads).toBe(defaultWasmThreads(report.hardwareConcurrency, report.crossOriginIsolated));
    expect(report.rows[0]).toMatchObject({ wasmThreads: threads, wasmThreadsRequested: threads });
    expect(await row.locator('td').first().textContent()).toBe(`wasm ×${threads}`);
    expect(report.rows[0]?.inferencesMeasured).toBeGreaterThanOrEqual(2 * IMAGES_PER_RUN);
    // The JPEG fixtures are upright and small: the worker decodes them with WebCodecs' ImageDecoder.
    expect(report.rows[0]?.decoder).toBe('ImageDecoder');
    expect(report.rows[0]?.decodeP50Ms).toBeGreaterThan(0);
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.autoDecision?.chosen).toBe('wasm');

    // The LiteRT row says where it ran: LiteRT's own WASM, its threaded build with one thread per core on this
    // cross-origin isolated page (as its worker reported it), not tfjs's pool; its raw time is the adapter's own
    // network timing, inside the pipeline's.
    const liteRt = report.rows.find((r) => r.modelId === 'blazepose-lite-litert')!;
    expect(liteRt).toMatchObject({ runtime: 'litert', backend: 'wasm', wasmThreads: report.hardwareConcurrency, wasmThreadsRequested: null });
    expect(liteRt.executionDetail).toContain('LiteRT');
    expect(liteRt.rawP50Ms).toBeGreaterThan(1);
    expect(liteRt.latencyP50Ms, 'LiteRT: pipeline p50 vs its network p50').toBeGreaterThan(liteRt.rawP50Ms!);
    const liteRtRow = view.locator('tr[data-model-id="blazepose-lite-litert"]');
    expect(await liteRtRow.locator('td').first().textContent()).toBe(`wasm ×${report.hardwareConcurrency}`);
    // Its memory outside tfjs, LiteRT's WASM heap, is in the table; a tfjs row has none (its memory is its tensors).
    expect(liteRt.runtimeHeapBytesBefore).toBeGreaterThan(0);
    expect(await liteRtRow.locator('td[data-stat=runtime-memory]').textContent()).toBe(`${(liteRt.runtimeHeapBytesBefore! / 1e6).toFixed(1)} → ${(liteRt.runtimeHeapBytesAfter! / 1e6).toFixed(1)}`);
    expect(await row.locator('td[data-stat=runtime-memory]').textContent()).toBe('—');
    // Fastest runtime × backend for BlazePose lite: the lower p50 of its two rows, with both figures in the reason.
    const tfjsLite = report.rows.find((r) => r.modelId === 'blazepose-lite')!;
    const expectedFastest = liteRt.latencyP50Ms! < tfjsLite.latencyP50Ms! ? liteRt : tfjsLite;
    const fastest = view.getByTestId('benchmark-fastest').locator('li[data-model-id="blazepose-lite"]');
    expect(await fastest.getAttribute('data-fastest')).toBe(expectedFastest.modelId);
    const reason = (await fastest.textContent()) ?? '';
    const msText = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
    for (const r of [liteRt, tfjsLite]) expect(reason).toContain(`(${msText(r.latencyP50Ms!)} ms)`);
    expect(await view.getByTestId('benchmark-fastest').locator('li').count()).toBe(1);
    // Auto runtime (on by default) applied that choice when the benchmark ended: BlazePose lite runs as its fastest
    // twin, the button has nothing left to swap, and the Models panel says why with both figures.
    const useFastest = view.getByTestId('benchmark-fastest').getByRole('button');
    await expect.poll(async () => (await getState(page)).selectedModelIds).toEqual(JOB_MODELS.map((id) => (id === 'blazepose-lite' ? expectedFastest.modelId : id)));
    expect(await useFastest.isDisabled()).toBe(true);
    const autoLine = page.getByTestId('auto-runtime').locator('li[data-group="blazepose-lite"]');
    expect(await autoLine.getAttribute('data-runs')).toBe(expectedFastest.modelId);
    const autoReason = (await autoLine.textContent()) ?? '';
    for (const r of [liteRt, tfjsLite]) expect(autoReason).toContain(`(${msText(r.latencyP50Ms!)} ms)`);
    if (expectedFastest.modelId === 'blazepose-lite-litert') {
      await page.getByRole('tab', { name: 'Gallery' }).click();
      await waitForCellsDone(page, IMAGES, ['movenet-lightning', 'blazepose-lite-litert'], 120_000);
      // Back to the selection the rest of this test (the screenshot) expects.
      await page.evaluate((ids) => (window as unknown as { keypointBench: { getState: () => { setSelectedModels: (ids: string[]) => void } } }).keypointBench.getState().setSelectedModels(ids), JOB_MODELS);
      await page.getByRole('tab', { name: 'Benchmark' }).click();
    }

    // The job: M images, one request each with both models, on WASM with the default threads.
    const job = report.job;
    if (!job) throw new Error('the report has no job');
    expect(job).toMatchObject({ status: 'ok', error: null, backend: 'wasm', wasmThreads: threads, inFlight: 2, requestCount: IMAGES_PER_RUN, modelIds: JOB_MODELS, decoder: 'ImageDecoder', medianRound: 0 });
    // The app measures one round; its figures are the job's.
    expect(job.rounds).toHaveLength(1);
    expect(job.rounds[0]?.figures.jobOverhead).toBe(job.jobOverhead);
    // Every model's raw and adapter time counted once per image, and the sums are theirs.
    expect(job.perModel?.map((m) => [m.modelId, m.rawCount, m.modelCount])).toEqual(JOB_MODELS.map((id) => [id, IMAGES_PER_RUN, IMAGES_PER_RUN]));
    const rawSumMs = job.rawSumMs ?? 0;
    const wallMs = job.wallMs ?? 0;
    expect(rawSumMs).toBeCloseTo((job.perModel ?? []).reduce((a, m) => a + m.rawSumMs, 0), 6);
    for (const m of job.perModel ?? []) expect(m.rawSumMs).toBeGreaterThan(IMAGES_PER_RUN);
    // Σ raw comes from its own pass, so against the wall of another pass it is only a ratio (the overhead), not a
    // bound: timings of separate passes swing by 10–20 % here. The bounds checked are within one pass.
    expect(rawSumMs).toBeGreaterThan(0);
    expect(job.jobOverhead).toBeGreaterThan(0);
    expect(job.jobOverhead).toBeCloseTo(wallMs / rawSumMs, 6);
    expect(job.decodeSumMs).toBeGreaterThan(0);
    expect(job.decodeSumMs).toBeLessThan(wallMs);
    expect(job.jobOverheadWithoutDecode).toBeCloseTo((wallMs - (job.decodeSumMs ?? 0)) / rawSumMs, 6);
    expect((job.modelSumMs ?? 0) + (job.decodeSumMs ?? 0)).toBeLessThanOrEqual(wallMs);
    expect(job.rawPassWallMs).toBeGreaterThan(rawSumMs);
    // The one-in-flight diagnostic ran the same M × K against the same Σ raw.
    expect(job.oneInFlight).toMatchObject({ requestCount: IMAGES_PER_RUN, rawSumMs });
    expect(job.oneInFlight?.perModel.map((m) => m.modelCount)).toEqual(JOB_MODELS.map(() => IMAGES_PER_RUN));
    expect((job.oneInFlight?.modelSumMs ?? Number.POSITIVE_INFINITY) + (job.oneInFlight?.decodeSumMs ?? 0)).toBeLessThanOrEqual(job.oneInFlight?.wallMs ?? 0);
    // The view shows the same figures, and both models beside their single-image overhead.
    const jobView = view.getByTestId('benchmark-job');
    expect(await jobView.getAttribute('data-status')).toBe('ok');
    expect(await jobView.locator('td[data-stat=job-overhead]').textContent()).toBe((job.jobOverhead ?? 0).toFixed(2));
    expect(await jobView.locator('tr[data-model-id]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-model-id'), tr.getAttribute('data-raw-count')]))).toEqual(JOB_MODELS.map((id) => [id, String(IMAGES_PER_RUN)]));

    // The screenshot of one image carries the benchmark as a titled block, one line per row.
    await page.getByRole('tab', { name: 'Gallery' }).click();
    await page.getByRole('button', { name: IMAGES[0], exact: true }).click();
    await page.locator('section.compare').waitFor();
    const state = await getState(page);
    const image = state.images.find((im) => im.name === IMAGES[0]);
    if (!image) throw new Error('image missing');
    const shot = await exportScreenshot(page);
    expectCleanPages(shot);
    expect(shot.pngs).toHaveLength(1);
    expect(shot.pngs[0]?.size.width).toBe(cellGrid('sideBySide', state.selectedModelIds.length).pageWidthPx);
    // Titled blocks: the benchmark, one line per row (wrapped, not cut), and the provenance that every
    // screenshot carries (no ground truth here).
    const texts = shot.layouts[0]?.texts ?? [];
    expect(texts.filter((t) => t.role === 'heading').map((t) => t.text)).toEqual(['Benchmark (this device)', 'Provenance']);
    const lines = texts.filter((t) => t.role === 'line').map((t) => t.text).join(' ');
    for (const row of report.rows) expect(lines).toContain(`${row.displayName} · ${row.backend}`);
    expect(foreignRequests(app.requests, app.baseUrl)).toEqual([]);
  });
});
