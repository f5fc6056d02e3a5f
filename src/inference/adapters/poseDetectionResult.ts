import type * as poseDetection from '@tensorflow-models/pose-detection';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Pose } from '../../core/types';

/** Copies pose-detection output into plain Pose data, dropping 3D keypoints and masks. */
export function toPlainPoses(poses: poseDetection.Pose[], keypointNames: readonly string[]): Pose[] {
  return poses.map((pose) => {
    const keypoints = pose.keypoints.map((keypoint, index) => ({
      name: keypoint.name ?? keypointNames[index] ?? String(index),
      x: keypoint.x,
      y: keypoint.y,
      score: keypoint.score ?? 0,
    }));
    const score = pose.score ?? mean(keypoints.map((k) => k.score));
    return { keypoints, score };
  });
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The GraphModels a pose-detection detector holds (private fields, named per family). Checked at
 * run time so a pose-detection upgrade that renames them fails loudly instead of timing nothing.
 */
export function innerGraphModels(detector: poseDetection.PoseDetector, fieldNames: readonly string[]): GraphModel[] {
  return fieldNames.map((field) => {
    const model = (detector as unknown as Record<string, unknown>)[field] as GraphModel | undefined;
    if (!model || typeof model.execute !== 'function') throw new Error(`pose-detection detector has no graph model '${field}'`);
    return model;
  });
}
