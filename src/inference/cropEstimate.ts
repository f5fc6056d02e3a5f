import * as tf from '@tensorflow/tfjs-core';
import { posesFromCrop, type CropPx, type PersonRegion } from '../core/crops';
import type { Pose } from '../core/types';
import type { EstimateMode, ModelAdapter } from './modelAdapter';

/** Runs a model on one crop of `image` (same pixel space as `crop`) and returns its poses in `image` pixels. */
export async function estimateInCrop(adapter: ModelAdapter, image: tf.Tensor3D, crop: CropPx, mode: EstimateMode = 'still'): Promise<Pose[]> {
  const cropTensor = tf.slice(image, [crop.yPx, crop.xPx, 0], [crop.heightPx, crop.widthPx, 3]);
  try {
    return posesFromCrop(await adapter.estimate(cropTensor, { mode }), crop);
  } finally {
    cropTensor.dispose();
  }
}

/**
 * A model's poses for one person of the person-crops protocol, in `image` pixels: models that take the
 * person's box (`personInput: 'box'`) get the full image and the box; the others see only the crop.
 */
export function estimatePerson(adapter: ModelAdapter, image: tf.Tensor3D, person: PersonRegion): Promise<Pose[]> {
  if (adapter.info.personInput === 'box') return adapter.estimate(image, { mode: 'still', personBoxPx: person.boxPx });
  return estimateInCrop(adapter, image, person.crop, 'still');
}

/**
 * The one pose a crop contributes under the person-crops protocol: the highest-scoring pose
 * (multi-person models may also see neighbours), or null when the model found nobody.
 */
export function bestPose(poses: readonly Pose[]): Pose | null {
  let best: Pose | null = null;
  for (const pose of poses) if (!best || pose.score > best.score) best = pose;
  return best;
}

/**
 * Person-crops protocol on one image: each person's best pose, tagged with its crop index. `persons`
 * are in the pixel space of `image`. Persons where the model found nobody contribute nothing.
 */
export async function estimateBestPosePerCrop(adapter: ModelAdapter, image: tf.Tensor3D, persons: readonly PersonRegion[]): Promise<Pose[]> {
  const poses: Pose[] = [];
  for (const [cropIndex, person] of persons.entries()) {
    const best = bestPose(await estimatePerson(adapter, image, person));
    if (best) poses.push({ ...best, cropIndex });
  }
  return poses;
}
