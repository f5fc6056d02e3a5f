/**
 * Object Keypoint Similarity, as COCO defines it, for one ground-truth person and one prediction,
 * both in COCO-17 order in image pixels.
 */

import { numpyPairwiseSum } from './numpyCompat';

/** COCO's per-keypoint sigmas (pycocotools default keypoint params). */
export const COCO_KEYPOINT_SIGMAS: readonly number[] = [
  0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89,
].map((s) => s / 10);

/** numpy's float64 machine epsilon, added to the area exactly as pycocotools does. */
export const FLOAT64_EPS = 2.220446049250313e-16;

/**
 * OKS between a ground truth with labelled keypoints and a prediction.
 * @param gtKeypoints COCO flat array [x1, y1, v1, ...] (17×3), pixels
 * @param predicted  17 points [x, y] in pixels
 * @param gtAreaPx2  the annotation's `area` (segmentation area), square pixels
 * @returns OKS in [0, 1], or null when the ground truth has no labelled keypoint (v > 0)
 */
export function keypointOks(
  gtKeypoints: readonly number[],
  predicted: readonly (readonly [number, number])[],
  gtAreaPx2: number,
  sigmas: readonly number[] = COCO_KEYPOINT_SIGMAS,
): number | null {
  // Terms are summed in numpy's pairwise order so the value is bit-identical to pycocotools' computeOks.
  const terms: number[] = [];
  for (let i = 0; i < sigmas.length; i++) {
    const visibility = gtKeypoints[i * 3 + 2] ?? 0;
    if (visibility <= 0) continue;
    const point = predicted[i];
    if (!point) continue;
    const dx = point[0] - (gtKeypoints[i * 3] ?? 0);
    const dy = point[1] - (gtKeypoints[i * 3 + 1] ?? 0);
    const k = 2 * (sigmas[i] ?? 0);
    const e = (dx * dx + dy * dy) / (k * k) / (gtAreaPx2 + FLOAT64_EPS) / 2;
    terms.push(Math.exp(-e));
  }
  return terms.length === 0 ? null : numpyPairwiseSum(terms) / terms.length;
}
