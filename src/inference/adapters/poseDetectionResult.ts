import type * as poseDetection from '@tensorflow-models/pose-detection';
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
