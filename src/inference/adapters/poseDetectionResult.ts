import type * as poseDetection from '@tensorflow-models/pose-detection';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Keypoint, Pose, WorldKeypoint } from '../../core/types';

/**
 * Copies pose-detection output into plain Pose data: keypoints with their `z` where the model gives one
 * (BlazePose: image-width pixel scale), and BlazePose's `keypoints3D` (its world landmarks: metres, origin
 * between the hips) as `world`. Segmentation masks are not kept.
 */
export function toPlainPoses(poses: poseDetection.Pose[], keypointNames: readonly string[]): Pose[] {
  return poses.map((pose) => {
    const name = (keypoint: { name?: string }, index: number) => keypoint.name ?? keypointNames[index] ?? String(index);
    const keypoints = pose.keypoints.map((keypoint, index): Keypoint => {
      const plain: Keypoint = { name: name(keypoint, index), x: keypoint.x, y: keypoint.y, score: keypoint.score ?? 0 };
      if (typeof keypoint.z === 'number' && Number.isFinite(keypoint.z)) plain.z = keypoint.z;
      return plain;
    });
    const score = pose.score ?? mean(keypoints.map((k) => k.score));
    const plainPose: Pose = { keypoints, score };
    if (pose.keypoints3D && pose.keypoints3D.length > 0) {
      plainPose.world = {
        unit: 'm',
        keypoints: pose.keypoints3D.map((k, index): WorldKeypoint => ({ name: name(k, index), x: k.x, y: k.y, z: k.z ?? 0, score: k.score ?? 0 })),
      };
    }
    return plainPose;
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
