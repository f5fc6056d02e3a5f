/**
 * Switching models the way the app does (dispose the old adapter, load the next): tf memory must come
 * back to the baseline after every dispose, and a model loaded again after others must give exactly
 * the poses it gave the first time (no state shared through the tfjs engine or pose-detection).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelId, Pose } from '../../src/core/types';
import { PEOPLE_FIXTURE_DIR, imageTensorOf, loadAdapter, loadImage, modelWhere, releaseImage, requireModelFiles, startWasmBackend, type RgbImage } from './realModelHarness';

/** One model of each family (the first single-person, whole-image one of each in the manifest), then back to the first two. */
const [FIRST, SECOND, THIRD] = (['movenet', 'blazepose', 'posenet'] as const).map((family) => modelWhere({ family, multiPerson: false, fullPipeline: true }));
const SWITCH_SEQUENCE: readonly ModelId[] = [FIRST!, SECOND!, THIRD!, FIRST!, SECOND!];

describe('model switch', () => {
  let image: RgbImage | null = null;
  beforeAll(async () => {
    requireModelFiles([...new Set(SWITCH_SEQUENCE)]);
    await startWasmBackend();
    image = await loadImage(join(PEOPLE_FIXTURE_DIR, '000000234748.jpg'));
    imageTensorOf(image); // the image's own tensor, made before the baseline (the pipeline makes it once per image)
  });
  afterAll(() => {
    if (image) releaseImage(image);
  });

  it(`${SWITCH_SEQUENCE.join(' → ')}: memory back to baseline each time, same poses on return`, async () => {
    if (!image) throw new Error('no image');
    const baseline = tf.memory();
    const firstPoses = new Map<ModelId, Pose[]>();
    for (const id of SWITCH_SEQUENCE) {
      const adapter = await loadAdapter(id);
      expect(tf.memory().numTensors, `${id} holds its weights as tensors`).toBeGreaterThan(baseline.numTensors);
      let poses: Pose[];
      try {
        ({ poses } = await adapter.estimate(image, { mode: 'still' }));
        expect(poses.length, `${id} finds the person`).toBe(1);
      } finally {
        adapter.dispose();
      }
      expect(tf.memory().numTensors, `tensors after disposing ${id}`).toBe(baseline.numTensors);
      expect(tf.memory().numBytes, `bytes after disposing ${id}`).toBe(baseline.numBytes);
      const earlier = firstPoses.get(id);
      if (earlier) expect(poses, `${id} after switching away and back`).toEqual(earlier);
      else firstPoses.set(id, poses);
    }
  });
});
