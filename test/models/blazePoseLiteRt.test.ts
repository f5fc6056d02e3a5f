/**
 * BlazePose on LiteRT.js (runtime 'litert': MediaPipe's own .tflite networks from @mediapipe/pose, our pre- and
 * post-processing in src/inference/adapters/blazePoseLiteRt.ts) against the tfjs BlazePose (pose-detection 2.1.3,
 * the reference) on the person crops of the real photos in test/fixtures/people, in Node (LiteRT's single-threaded
 * WASM build; tfjs on its WASM backend). Scored against COCO ground truth in realModels.test.ts, like every model.
 *
 * Two comparisons, because the two runtimes' detectors are not the same network: same anchors and output layout,
 * different weights (tfjs's detector is the TF Hub blazepose_3d/detector/1 conversion; on the same letterboxed
 * 224² input its alignment points differ from pose_detection.tflite's by several pixels), while the landmark
 * networks are the same (on one input their outputs agree to float32 rounding; the .tflite's heatmap is logits
 * where tfjs's graph ends in the sigmoid, which the refinement takes into account).
 *
 * 1. Landmark stage on the same region (the "landmarks given the box" path of both adapters): this checks every
 *    step of ours (rotated-crop sampling, decoding, heatmap refinement, projection, world-landmark rotation,
 *    visibility) against tfjs. Measured over 12 persons × 33 keypoints, distance / person box diagonal:
 *      lite  median 1.0e-6, p95 1.4e-5, max 2.9e-5      full median 8.0e-7, p95 1.8e-5, max 8.5e-5
 *      heavy median 1.1e-6, p95 2.4e-5, max 0.057 (one keypoint whose heatmap peak sits at the 0.5 refinement
 *      threshold: refined on one runtime, not on the other)
 *    Bound: median ≤ 1e-4 and 99 % of keypoints ≤ 1e-3 of the diagonal (a half-pixel sampling offset or a
 *    missing refinement step gives ≥ 2e-3 on most keypoints); world landmarks and visibility likewise.
 * 2. Full pipeline (each runtime's own detector): measured median 0.9–1.3 % of the diagonal, p95 8–10 %, max
 *    19–37 % (a limb placed differently from a differently placed region). Bound: median ≤ 3 % (the same person,
 *    the same region up to the detectors' difference; another person or a mirrored pose gives > 20 %).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo, Pose } from '../../src/core/types';
import type { ModelAdapter } from '../../src/inference/modelAdapter';
import { MODELS } from '../../src/inference/modelRegistry';
import { loadModelAdapter } from '../../src/inference/pipeline';
import { liteRtHeapBytes } from '../../src/inference/runtimes/litert';
import { nodeModelFiles } from '../../src/node/nodeModelFiles';
import {
  MODELS_DIR,
  PEOPLE_FIXTURE_DIR,
  estimatePerson,
  isClearlyVisiblePerson,
  loadImage,
  personCrop,
  readPeopleFixture,
  releaseImage,
  requireModelFiles,
  startWasmBackend,
  type CocoAnnotation,
  type CropPx,
  type RgbImage,
} from './realModelHarness';

const LITERT_MODELS = MODELS.filter((m) => m.family === 'blazepose' && m.runtime === 'litert');
/** The tfjs BlazePose of the same landmark network type, full pipeline or given the box. */
function tfjsTwin(info: ModelInfo, givenBox: boolean): ModelInfo {
  const type = /pose_landmark_(lite|full|heavy)\.tflite/.exec(String((info.config as Record<string, unknown>).landmarkFile))?.[1];
  const twin = MODELS.find((m) => m.family === 'blazepose' && m.runtime === 'tfjs' && (m.config as Record<string, unknown>).modelType === type && (m.personInput === 'box') === givenBox);
  if (!twin) throw new Error(`${info.id}: no tfjs BlazePose ${type}${givenBox ? ' given the box' : ''}`);
  return twin;
}

const fixture = readPeopleFixture();
const people = fixture.annotations.filter(isClearlyVisiblePerson);
const images = new Map<number, RgbImage>();
const load = (info: ModelInfo) => loadModelAdapter(info, { files: nodeModelFiles(MODELS_DIR) });

interface Differences {
  /** Keypoint distance / person box diagonal, every keypoint of every person, sorted. */
  keypoints: number[];
  /** World landmark distance, metres, sorted. */
  worldM: number[];
  /** |Δ visibility|, sorted. */
  visibility: number[];
  /** Persons one runtime found and the other did not. */
  missing: string[];
}

async function compare(a: ModelAdapter, b: ModelAdapter): Promise<Differences> {
  const out: Differences = { keypoints: [], worldM: [], visibility: [], missing: [] };
  for (const person of people) {
    const image = fixture.images.find((i) => i.id === person.image_id)!;
    const region = { crop: personCrop(person.bbox, image, 0.25) as CropPx, boxPx: person.bbox };
    const [pa, pb] = [(await estimatePerson(a, images.get(image.id)!, region)).poses[0], (await estimatePerson(b, images.get(image.id)!, region)).poses[0]];
    // Both finding no pose is agreement (the box variants of lite and full reject one half-visible person of 790).
    if (!pa || !pb) {
      if (pa || pb) out.missing.push(`person ${person.id}: no pose from ${pa ? b.info.id : a.info.id}`);
      continue;
    }
    addPose(out, pa, pb, person);
  }
  for (const list of [out.keypoints, out.worldM, out.visibility]) list.sort((x, y) => x - y);
  return out;
}

function addPose(out: Differences, a: Pose, b: Pose, person: CocoAnnotation): void {
  const diagonal = Math.hypot(person.bbox[2], person.bbox[3]);
  expect(a.keypoints.map((k) => k.name)).toEqual(b.keypoints.map((k) => k.name));
  a.keypoints.forEach((k, i) => {
    const t = b.keypoints[i]!;
    out.keypoints.push(Math.hypot(k.x - t.x, k.y - t.y) / diagonal);
    out.visibility.push(Math.abs(k.score - t.score));
    const w = a.world!.keypoints[i]!, tw = b.world!.keypoints[i]!;
    out.worldM.push(Math.hypot(w.x - tw.x, w.y - tw.y, w.z - tw.z));
  });
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const summary = (sorted: readonly number[]) => `median ${quantile(sorted, 0.5).toExponential(1)}, p95 ${quantile(sorted, 0.95).toExponential(1)}, max ${sorted[sorted.length - 1]!.toExponential(1)}`;

beforeAll(async () => {
  requireModelFiles([...LITERT_MODELS.map((m) => m.id), ...LITERT_MODELS.flatMap((m) => [tfjsTwin(m, false).id, tfjsTwin(m, true).id])]);
  await startWasmBackend();
  for (const image of fixture.images) images.set(image.id, await loadImage(join(PEOPLE_FIXTURE_DIR, image.file_name)));
});

afterAll(() => {
  for (const image of images.values()) releaseImage(image);
});

describe('BlazePose on LiteRT.js', () => {
  it('has lite, full and heavy entries, each with a tfjs twin', () => {
    expect(LITERT_MODELS.map((m) => tfjsTwin(m, false).id)).toEqual(['blazepose-lite', 'blazepose-full', 'blazepose-heavy']);
    expect(LITERT_MODELS.every((m) => m.keypointLayout === 'blazepose33' && !m.multiPerson)).toBe(true);
  });

  describe.each(LITERT_MODELS.map((m) => m.id))('%s', (id) => {
    const info = LITERT_MODELS.find((m) => m.id === id)!;

    it('landmark stage on the same region as tfjs: keypoints, world landmarks and visibility agree to float rounding', async () => {
      const [liteRt, tfjs] = [await load({ ...info, personInput: 'box' }), await load(tfjsTwin(info, true))];
      try {
        expect(liteRt.runtime).toBe('litert');
        const d = await compare(liteRt, tfjs);
        console.log(`${id} given the box vs tfjs: keypoints / diagonal ${summary(d.keypoints)}; world m ${summary(d.worldM)}; visibility ${summary(d.visibility)}`);
        expect(d.missing).toEqual([]);
        expect(quantile(d.keypoints, 0.5)).toBeLessThanOrEqual(1e-4);
        expect(quantile(d.keypoints, 0.99)).toBeLessThanOrEqual(1e-3);
        expect(quantile(d.worldM, 0.99)).toBeLessThanOrEqual(1e-3);
        expect(quantile(d.visibility, 0.99)).toBeLessThanOrEqual(1e-3);
      } finally {
        liteRt.dispose();
        tfjs.dispose();
      }
    });

    it('full pipeline (its own detector) finds the same person as tfjs', async () => {
      const [liteRt, tfjs] = [await load(info), await load(tfjsTwin(info, false))];
      try {
        const d = await compare(liteRt, tfjs);
        console.log(`${id} vs tfjs, each with its own detector: keypoints / diagonal ${summary(d.keypoints)}`);
        expect(d.missing).toEqual([]);
        expect(quantile(d.keypoints, 0.5)).toBeLessThanOrEqual(0.03);
      } finally {
        liteRt.dispose();
        tfjs.dispose();
      }
    });

    it('repeated estimates leave neither LiteRT heap growth nor tf tensors behind', async () => {
      const tensorsBefore = tf.memory().numTensors;
      const adapter = await load(info);
      try {
        const person = people[0]!;
        const image = fixture.images.find((i) => i.id === person.image_id)!;
        const region = { crop: personCrop(person.bbox, image, 0.25), boxPx: person.bbox };
        await estimatePerson(adapter, images.get(image.id)!, region);
        const heapBefore = liteRtHeapBytes();
        expect(heapBefore).toBeGreaterThan(0);
        for (let i = 0; i < 10; i++) await adapter.estimate(images.get(image.id)!, { mode: 'still' });
        for (let i = 0; i < 10; i++) await estimatePerson(adapter, images.get(image.id)!, region);
        expect(liteRtHeapBytes()).toBe(heapBefore);
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      } finally {
        adapter.dispose();
      }
    });
  });
});
