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

  it('runs Hands lite/full in the worker and agrees with the tfjs Hands on a photo with two hands', async () => {
    const { page } = app;
    const photo = '000000256353.jpg';
    const hands = MANIFEST_MODELS_RAW.filter((m) => m.runtime === 'litert' && m.family === 'mediapipe-hands');
    expect(hands.length).toBe(2);
    const twins = hands.map((m) => MANIFEST_MODELS_RAW.find((t) => t.id === m.sameModelAs)!);
    await page.getByLabel('Add images', { exact: true }).setInputFiles([join(REPO_ROOT, 'test', 'fixtures', 'hands-faces', photo)]);
    await selectModels(page, [...hands, ...twins].map((m) => m.displayName));
    await waitForCellsDone(page, [photo], [...hands, ...twins].map((m) => m.id), 240_000);
    const state = await getState(page);
    const image = state.images.find((im) => im.name === photo)!;
    const cell = (id: string) => state.results[`${image.id}|${id}`] as { poses: Pose[]; imageLatencyMs: number | null };
    for (const [index, model] of hands.entries()) {
      const ours = cell(model.id).poses, reference = cell(twins[index]!.id).poses;
      // Same palms, same regions: as many hands, each with the handedness of the tfjs hand at its wrist.
      expect(ours.length, model.id).toBe(reference.length);
      expect(ours.length, model.id).toBeGreaterThan(0);
      const diffs: number[] = [];
      for (const r of reference) {
        const o = ours.reduce((best, h) => (Math.hypot(h.keypoints[0]!.x - r.keypoints[0]!.x, h.keypoints[0]!.y - r.keypoints[0]!.y) < Math.hypot(best.keypoints[0]!.x - r.keypoints[0]!.x, best.keypoints[0]!.y - r.keypoints[0]!.y) ? h : best));
        expect(o.labels?.handedness?.value).toBe(r.labels?.handedness?.value);
        const xs = r.keypoints.map((k) => k.x), ys = r.keypoints.map((k) => k.y);
        const sizePx = Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
        diffs.push(...o.keypoints.map((k, i) => Math.hypot(k.x - r.keypoints[i]!.x, k.y - r.keypoints[i]!.y) / sizePx));
      }
      diffs.sort((p, q) => p - q);
      const median = diffs[Math.floor(diffs.length / 2)]!, max = diffs[diffs.length - 1]!;
      console.log(
        `${model.id} vs ${twins[index]!.id} on ${photo}: ${ours.length} hands, median ${median.toExponential(2)}, max ${max.toExponential(2)} of the hand's size; ` +
          `latency ${cell(model.id).imageLatencyMs?.toFixed(0)} ms (tfjs ${cell(twins[index]!.id).imageLatencyMs?.toFixed(0)} ms, one run)`,
      );
      // The Node test's whole-pipeline bounds (test/models/handsLiteRt.test.ts: median ≤ 1e-5, max 4.0e-4 measured),
      // widened 10×: here both runtimes see the browser's pixels of the same decode, so they should be as close.
      expect(median, model.id).toBeLessThan(1e-4);
      expect(max, model.id).toBeLessThan(4e-3);
    }
  });
});
