/** Test-only reference: OKS by the COCO definition, written out by hand (not the code under test). */
import type { CocoKeypointAnnotation, CocoKeypointResult } from '../../../src/core/coco/cocoTypes';

/** COCO's published keypoint sigmas (cocodataset.org/#keypoints-eval, pycocotools' default), typed in here rather than imported. */
export const HAND_SIGMAS = [0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089];

/** Mean over labelled keypoints of exp(-d² / (2 s² κ²)), s² = area, κ = 2σ. */
export function handOks(ann: CocoKeypointAnnotation, detection: CocoKeypointResult): number {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < 17; k++) {
    if (ann.keypoints[k * 3 + 2]! <= 0) continue;
    const d2 = (detection.keypoints[k * 3]! - ann.keypoints[k * 3]!) ** 2 + (detection.keypoints[k * 3 + 1]! - ann.keypoints[k * 3 + 1]!) ** 2;
    const kappa = 2 * HAND_SIGMAS[k]!;
    sum += Math.exp(-d2 / (2 * ann.area * kappa * kappa));
    n++;
  }
  return sum / n;
}
