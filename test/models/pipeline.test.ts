/**
 * The one inference pipeline (src/inference/pipeline.ts) that the browser worker and the CLI both run, on real
 * models in Node (WASM): it must give exactly what each adapter gives alone (whole image, and each person's best
 * pose under crops), make the image's tfjs tensor once for every model and free it (and every crop's slice) when
 * the image is done, report runtime, backend and the adapters' network time, and carry BlazePose's world landmarks.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRegion } from '../../src/core/crops';
import type { ModelId } from '../../src/core/types';
import type { ModelAdapter } from '../../src/inference/modelAdapter';
import { modelInfo } from '../../src/inference/modelRegistry';
import { bestPose, runPipeline, type ModelEstimate, type PipelineHooks } from '../../src/inference/pipeline';
import { rgbImage } from '../../src/inference/rgbImage';
import {
  PEOPLE_FIXTURE_DIR,
  estimatePerson,
  imageTensorOf,
  isClearlyVisiblePerson,
  loadAdapter,
  loadImage,
  modelWhere,
  personCrop,
  readPeopleFixture,
  releaseImage,
  requireModelFiles,
  singleSubjectOf,
  startWasmBackend,
  type RgbImage,
} from './realModelHarness';

/** One model of each kind the pipeline treats differently: a single-pose network, a two-stage one, a multi-person one, a box variant. */
const MODEL_IDS: ModelId[] = [
  modelWhere({ family: 'movenet', multiPerson: false }),
  modelWhere({ family: 'blazepose', fullPipeline: true }),
  modelWhere({ multiPerson: true }),
  modelWhere({ personInput: 'box' }),
];
/** Models given the box run only under crops (the app skips them on whole images). */
const WHOLE_IMAGE_MODELS = MODEL_IDS.filter((id) => modelInfo(id).personInput !== 'box');
const LEAK_ROUNDS = 3;
const BACKEND_LABEL = 'wasm';

const fixture = readPeopleFixture();
const multiPersonImage = fixture.images.find((image) => fixture.annotations.filter((a) => a.image_id === image.id && isClearlyVisiblePerson(a)).length >= 2);
const singleSubject = fixture.images.flatMap((image) => {
  const subject = singleSubjectOf(fixture, image.id);
  return subject ? [{ image, subject }] : [];
});
const adapters = new Map<ModelId, ModelAdapter>();
let pixels: RgbImage;
let persons: PersonRegion[];

function hooks(collect: ModelEstimate[], extra: Partial<PipelineHooks> = {}): PipelineHooks {
  return {
    adapterFor: async (modelId) => {
      const adapter = adapters.get(modelId);
      if (!adapter) throw new Error(`${modelId} is not loaded`);
      return adapter;
    },
    onEstimate: (estimate) => void collect.push(estimate),
    onError: (modelId, error) => {
      throw new Error(`${modelId}: ${String(error)}`);
    },
    ...extra,
  };
}

/** A fresh decoded image over the same pixels (a new image to the runtime: its tensor is made anew). */
const freshCopy = (image: RgbImage): RgbImage => rgbImage(image.data.slice(), image.widthPx, image.heightPx, image.bytesPerPixel);

beforeAll(async () => {
  requireModelFiles(MODEL_IDS);
  await startWasmBackend();
  if (!multiPersonImage) throw new Error('the fixture has no image with two clearly visible persons');
  pixels = await loadImage(join(PEOPLE_FIXTURE_DIR, multiPersonImage.file_name));
  persons = fixture.annotations
    .filter((a) => a.image_id === multiPersonImage.id && a.iscrowd === 0 && a.num_keypoints > 0)
    .map((a) => ({ crop: personCrop(a.bbox, { width: multiPersonImage.width, height: multiPersonImage.height }), boxPx: a.bbox }));
  for (const id of MODEL_IDS) adapters.set(id, await loadAdapter(id));
});

afterAll(() => {
  for (const adapter of adapters.values()) adapter.dispose();
  releaseImage(pixels);
});

describe('the shared pipeline', () => {
  it('gives what each adapter gives alone: the whole image, and each person\'s best pose under crops', async () => {
    const whole: ModelEstimate[] = [];
    await runPipeline({ pixels, scaleToImagePx: 1 }, WHOLE_IMAGE_MODELS, { mode: 'still' }, BACKEND_LABEL, hooks(whole));
    expect(whole.map((e) => e.modelId)).toEqual(WHOLE_IMAGE_MODELS);
    for (const estimate of whole) {
      const alone = await adapters.get(estimate.modelId)!.estimate(pixels, { mode: 'still' });
      expect(estimate.poses, estimate.modelId).toEqual(alone.poses);
      expect(estimate.inferences).toBe(1);
    }
    const crops: ModelEstimate[] = [];
    await runPipeline({ pixels, scaleToImagePx: 1 }, MODEL_IDS, { mode: 'still', crops: persons }, BACKEND_LABEL, hooks(crops));
    expect(crops.map((e) => e.modelId)).toEqual(MODEL_IDS);
    for (const estimate of crops) {
      const adapter = adapters.get(estimate.modelId)!;
      const expected = [];
      for (const [cropIndex, person] of persons.entries()) {
        const best = bestPose((await estimatePerson(adapter, pixels, person)).poses);
        if (best) expected.push({ ...best, cropIndex });
      }
      expect(estimate.poses, estimate.modelId).toEqual(expected);
      expect(estimate.poses.length, `${estimate.modelId} finds people in their crops`).toBeGreaterThan(0);
      expect(estimate.inferences).toBe(persons.length);
    }
    releaseImage(pixels);
  });

  it('reports runtime and backend beside each result, and the adapter\'s network time within the model time', async () => {
    const estimates: ModelEstimate[] = [];
    await runPipeline({ pixels, scaleToImagePx: 1 }, MODEL_IDS, { mode: 'still', crops: persons }, BACKEND_LABEL, hooks(estimates));
    for (const estimate of estimates) {
      expect(estimate.runtime, estimate.modelId).toBe(adapters.get(estimate.modelId)!.runtime);
      expect(estimate.runtime).toBe('tfjs');
      expect(estimate.backend).toBe(BACKEND_LABEL);
      // WASM runs kernels inside execute(), so the adapters can time their networks there.
      expect(estimate.networkMs, `${estimate.modelId} network time`).toBeGreaterThan(0);
      expect(estimate.networkMs!).toBeLessThanOrEqual(estimate.imageLatencyMs);
    }
  });

  it('makes the image\'s tensor once for all models and frees it and every crop slice when done: no tensor left per image', async () => {
    const baseline = tf.memory();
    for (let round = 0; round < LEAK_ROUNDS; round++) {
      const image = freshCopy(pixels);
      const seen: tf.Tensor[] = [];
      const counts: number[] = [];
      const estimates: ModelEstimate[] = [];
      const { prepareMs } = await runPipeline({ pixels: image, scaleToImagePx: 1 }, WHOLE_IMAGE_MODELS, { mode: 'still' }, BACKEND_LABEL, {
        ...hooks(estimates),
        onEstimate: (estimate) => {
          estimates.push(estimate);
          seen.push(imageTensorOf(image));
          counts.push(tf.memory().numTensors);
        },
      });
      expect(prepareMs).toBeGreaterThanOrEqual(0);
      expect(new Set(seen).size, 'one tensor for every model of the image').toBe(1);
      expect(new Set(counts).size, 'no model adds tensors of its own').toBe(1);
      expect(counts[0], 'the image tensor is the only one held while models run').toBe(baseline.numTensors + 1);
      expect(seen[0]!.isDisposed, 'released with the image').toBe(true);
      expect(tf.memory().numTensors, `whole image, round ${round}`).toBe(baseline.numTensors);

      const cropImage = freshCopy(pixels);
      await runPipeline({ pixels: cropImage, scaleToImagePx: 1 }, MODEL_IDS, { mode: 'still', crops: persons }, BACKEND_LABEL, hooks([]));
      expect(tf.memory().numTensors, `person crops, round ${round}`).toBe(baseline.numTensors);
      expect(tf.memory().numBytes).toBe(baseline.numBytes);
    }
  });

  it('a model that fails is reported and the others still run; the image is still freed', async () => {
    const baseline = tf.memory().numTensors;
    const estimates: ModelEstimate[] = [];
    const errors: string[] = [];
    await runPipeline({ pixels: freshCopy(pixels), scaleToImagePx: 1 }, ['no-such-model', ...WHOLE_IMAGE_MODELS.slice(0, 1)], { mode: 'still' }, BACKEND_LABEL, {
      ...hooks(estimates),
      onError: (modelId, error) => void errors.push(`${modelId}: ${error instanceof Error ? error.message : String(error)}`),
    });
    expect(errors).toEqual(['no-such-model: no-such-model is not loaded']);
    expect(estimates.map((e) => e.modelId)).toEqual(WHOLE_IMAGE_MODELS.slice(0, 1));
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('scales keypoints (and their z) back to original pixels by scaleToImagePx', async () => {
    const [single, blazePose] = WHOLE_IMAGE_MODELS;
    const at1: ModelEstimate[] = [];
    const at2: ModelEstimate[] = [];
    await runPipeline({ pixels, scaleToImagePx: 1 }, [single!, blazePose!], { mode: 'still' }, BACKEND_LABEL, hooks(at1));
    await runPipeline({ pixels, scaleToImagePx: 2 }, [single!, blazePose!], { mode: 'still' }, BACKEND_LABEL, hooks(at2));
    for (const [index, estimate] of at2.entries()) {
      const reference = at1[index]!;
      expect(estimate.poses.length).toBe(reference.poses.length);
      for (const [p, pose] of estimate.poses.entries()) {
        for (const [k, keypoint] of pose.keypoints.entries()) {
          const original = reference.poses[p]!.keypoints[k]!;
          expect(keypoint.x).toBeCloseTo(original.x * 2, 6);
          expect(keypoint.y).toBeCloseTo(original.y * 2, 6);
          if (original.z !== undefined) expect(keypoint.z).toBeCloseTo(original.z * 2, 6);
        }
        expect(pose.world, 'world landmarks are metric: not scaled').toEqual(reference.poses[p]!.world);
      }
    }
  });
});

describe('BlazePose world landmarks (Pose.world)', () => {
  /**
   * MediaPipe's world landmarks are metres with the origin at the centre of the hips (the pose landmarker's model
   * card). Physical reference: a clearly visible standing adult spans roughly 1–2 m from nose to ankles, and the
   * hips' midpoint is the origin. Image pixels copied by mistake would span hundreds.
   */
  it('keeps 33 metric 3D keypoints per pose, centred between the hips, of a person\'s size; image keypoints carry z', async () => {
    const blazePose = adapters.get(MODEL_IDS[1]!)!;
    const subject = singleSubject.find(({ subject: s }) => s.bbox[3] >= 1.5 * s.bbox[2]) ?? singleSubject[0];
    if (!subject) throw new Error('the fixture has no single-subject image');
    const image = await loadImage(join(PEOPLE_FIXTURE_DIR, subject.image.file_name));
    try {
      const { poses } = await blazePose.estimate(image, { mode: 'still' });
      const pose = poses[0];
      expect(pose, 'BlazePose finds the subject').toBeDefined();
      const world = pose!.world;
      expect(world?.unit).toBe('m');
      expect(world?.keypoints.map((k) => k.name)).toEqual(pose!.keypoints.map((k) => k.name));
      const byName = (name: string) => world!.keypoints.find((k) => k.name === name)!;
      const hips = [byName('left_hip'), byName('right_hip')];
      const midHip = { x: (hips[0]!.x + hips[1]!.x) / 2, y: (hips[0]!.y + hips[1]!.y) / 2, z: (hips[0]!.z + hips[1]!.z) / 2 };
      const span = Math.max(...world!.keypoints.map((k) => k.y)) - Math.min(...world!.keypoints.map((k) => k.y));
      console.log(`image ${subject.image.id}: mid-hip (${midHip.x.toFixed(3)}, ${midHip.y.toFixed(3)}, ${midHip.z.toFixed(3)}) m, vertical span ${span.toFixed(2)} m`);
      expect(Math.hypot(midHip.x, midHip.y, midHip.z)).toBeLessThan(0.1);
      expect(span).toBeGreaterThan(0.5);
      expect(span).toBeLessThan(2.5);
      expect(pose!.keypoints.every((k) => typeof k.z === 'number' && Number.isFinite(k.z))).toBe(true);
    } finally {
      releaseImage(image);
    }
  });
});
