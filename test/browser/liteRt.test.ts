/**
 * BlazePose on LiteRT.js in the app (production build, inference worker): the LiteRT entries are listed, load
 * LiteRT's own WASM module from /litert-wasm/ in the module worker, and return on a photo the same 33 keypoints
 * with z, world landmarks in metres and runtime 'litert' beside the tfjs BlazePose, close to it (the Node test,
 * test/models/blazePoseLiteRt.test.ts, measures and bounds the agreement; here: a person-size sanity bound).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pose } from '../../src/core/types';
import { MODELS as MANIFEST_MODELS_RAW } from '../../src/inference/modelCatalogue';
import { REPO_ROOT, getState, openApp, selectModels, waitForBackend, waitForCellsDone, type AppSession } from './harness';
import { readdirSync } from 'node:fs';

const PHOTO = '000000030752.jpg';
const PHOTO_PATH = join(REPO_ROOT, 'test', 'fixtures', 'people', PHOTO);
const FACE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'face-litert');
const LITERT = MANIFEST_MODELS_RAW.filter((m) => m.runtime === 'litert' && m.family === 'blazepose');
/** The tfjs entry of the same model (the manifest's `sameModelAs`). */
const tfjsTwin = (id: string) => MANIFEST_MODELS_RAW.find((m) => m.id === id)!.sameModelAs!;

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('BlazePose on LiteRT.js in the app', () => {
  it('runs lite/full/heavy in the worker and agrees with the tfjs BlazePose on a photo', async () => {
    const { page } = app;
    expect(LITERT.map((m) => m.id)).toEqual(['blazepose-lite-litert', 'blazepose-full-litert', 'blazepose-heavy-litert']);
    expect(await waitForBackend(page)).toBe('wasm');
    await page.getByLabel('Add images', { exact: true }).setInputFiles([PHOTO_PATH]);
    const models = [...LITERT, ...LITERT.map((m) => MANIFEST_MODELS_RAW.find((t) => t.id === tfjsTwin(m.id))!)];
    await selectModels(page, models.map((m) => m.displayName));
    await waitForCellsDone(page, [PHOTO], models.map((m) => m.id), 240_000);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === PHOTO)!;
    // The harness's snapshot leaves the runtime out; read it from the store.
    const runtimes = await page.evaluate(() => {
      const results = (window as unknown as { keypointBench: { getState: () => { results: Record<string, { runtime?: string }> } } }).keypointBench.getState().results;
      return Object.fromEntries(Object.entries(results).map(([key, c]) => [key, c.runtime ?? null]));
    });
    const cell = (modelId: string) => {
      const key = `${image.id}|${modelId}`;
      const result = state.results[key] as { status: string; poses: Pose[]; imageLatencyMs: number | null; error?: string | null } | undefined;
      return result ? { ...result, runtime: runtimes[key] } : undefined;
    };
    const report: string[] = [];
    for (const model of LITERT) {
      const lite = cell(model.id), tfjs = cell(tfjsTwin(model.id));
      expect(lite?.status, `${model.id}: ${lite?.error ?? ''}`).toBe('done');
      expect(lite?.runtime).toBe('litert');
      expect(tfjs?.runtime).toBe('tfjs');
      const a = lite!.poses[0]!, b = tfjs!.poses[0]!;
      expect(a.keypoints.length).toBe(33);
      expect(a.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y) && Number.isFinite(k.z))).toBe(true);
      expect(a.world?.unit).toBe('m');
      expect(a.world?.keypoints.length).toBe(33);
      const xs = b.keypoints.map((k) => k.x), ys = b.keypoints.map((k) => k.y);
      const sizePx = Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
      const diffs = a.keypoints.map((k, i) => Math.hypot(k.x - b.keypoints[i]!.x, k.y - b.keypoints[i]!.y) / sizePx).sort((p, q) => p - q);
      report.push(`${model.id}: median ${diffs[16]!.toFixed(4)}, max ${diffs[32]!.toFixed(4)} of the person's size; latency ${lite!.imageLatencyMs?.toFixed(0)} ms (tfjs ${tfjs!.imageLatencyMs?.toFixed(0)} ms, one run)`);
      expect(diffs[16], `${model.id}: median keypoint distance to tfjs, fraction of the person`).toBeLessThan(0.05);
    }
    console.log(report.join('\n'));
  });

  it('runs Face Mesh 468 in the worker and agrees with the tfjs Face Mesh on a face photo', async () => {
    const { page } = app;
    const face = MANIFEST_MODELS_RAW.find((m) => m.runtime === 'litert' && m.family === 'facemesh')!;
    const twin = MANIFEST_MODELS_RAW.find((m) => m.id === face.sameModelAs)!;
    const photo = readdirSync(FACE_DIR).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort()[0]!;
    await page.getByLabel('Add images', { exact: true }).setInputFiles([join(FACE_DIR, photo)]);
    await selectModels(page, [face.displayName, twin.displayName]);
    await waitForCellsDone(page, [photo], [face.id, twin.id], 240_000);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === photo)!;
    const poses = (id: string) => (state.results[`${image.id}|${id}`] as { poses: Pose[] }).poses;
    const [a] = poses(face.id), [b] = poses(twin.id);
    expect(a?.keypoints.length).toBe(468);
    // Inter-ocular distance: outer eye corners, mesh points 33 and 263 (the layout's NME reference pair).
    const iod = Math.hypot(b!.keypoints[33]!.x - b!.keypoints[263]!.x, b!.keypoints[33]!.y - b!.keypoints[263]!.y);
    const diffs = a!.keypoints.map((k, i) => Math.hypot(k.x - b!.keypoints[i]!.x, k.y - b!.keypoints[i]!.y) / iod).sort((p, q) => p - q);
    console.log(`${face.id} vs ${twin.id} on ${photo}: median ${diffs[234]!.toExponential(2)}, max ${diffs[467]!.toExponential(2)} of the inter-ocular distance`);
    // Same networks, same pixels: Node measures float rounding (≤ 1.6e-6, docs/litert-face.md); here a loose sanity bound.
    expect(diffs[234]).toBeLessThan(0.01);
  });
});
