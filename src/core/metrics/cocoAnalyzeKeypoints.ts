/**
 * Per-keypoint error classes of Ronchi & Perona, "Benchmarking and Error Diagnosis in Multi-Instance Pose
 * Estimation" (ICCV 2017), as the authors' coco-analyze tool computes them (`COCOanalyze._find_kpt_errors`,
 * commit 9eb8a0a9). "Qn" in comments refers to the quirk list in shared/coco-analyze-vectors/README.md.
 *
 * For one detection matched to one ground-truth person, every keypoint the person has labelled gets one class:
 * Good (close to its own point), Jitter (near it, but not close), Inversion (on the same person's left/right
 * counterpart), Swap (on a point of another annotation of the image) or Miss (near nothing). The class also fixes
 * where the "corrected" keypoint goes when the AP impact of an error type is measured (Q4).
 *
 * Coordinates are image pixels, areas square pixels. Pure functions over plain arrays.
 */

import type { CocoKeypointAnnotation } from '../coco/cocoTypes';
import { FLOAT64_EPS } from './oks';

/**
 * coco-analyze's own sigmas, the decimal literals `.026, .025, …` of its `Params`. They are not all equal to
 * pycocotools' `[.26, …] / 10` (e.g. .26/10 = 0.026000000000000002), and the tool uses these for keypoint
 * similarities, corrected points and soft-NMS, so an exact port must use them too (the OKS matching keeps
 * pycocotools' values).
 */
export const COCO_ANALYZE_SIGMAS: readonly number[] = [
  0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089,
];

/** Keypoint similarity bounds: below .5 a keypoint is a miss; above .85 (strictly) at its own point it is good. */
export const JITTER_SIMILARITY_BOUNDS = [0.5, 0.85] as const;

/** One keypoint's class: G good, J jitter, I inversion, S swap, M miss; '-' = not labelled in the matched GT. */
export type KeypointErrorLabel = 'G' | 'J' | 'I' | 'S' | 'M' | '-';


/** Classification of one matched detection's keypoints. */
export interface KeypointClassification {
  /** One label per keypoint, COCO-17 order. */
  readonly labels: readonly KeypointErrorLabel[];
  /**
   * Per keypoint the highest similarity over the 2n candidate points (own, other annotations, flipped), clamped to
   * ≥ 0; for unlabelled keypoints of the matched GT it is whatever the other rows gave (unused).
   */
  readonly bestSimilarity: readonly number[];
  /**
   * The keypoints coco-analyze would substitute when fixing errors (Q4): flat `[x, y, v]` × 17, pixels. Good and
   * unlabelled points keep the detection's coordinates; jitter / miss points move to `gt_x + r` at the
   * similarity .85 / .5 radius r (computed with σ², not (2σ)², so they land at similarity K^¼);
   * inversion / swap points to `gt_x + r(best similarity)`; y = gt_y. `v` is the detection's own.
   */
  readonly correctedKeypoints: readonly number[];
}

/**
 * Classifies the keypoints of a detection against the ground truth it was matched to (Q3).
 *
 * @param detectionKeypoints flat `[x, y, v]` × K of the detection (v is never read), pixels
 * @param matched the ground-truth annotation the OKS matching paired it with (must have num_keypoints > 0)
 * @param imageAnnotations every annotation of the image in file order, crowd and no-keypoint ones included; the
 *   entry that is `matched` itself (the same object) becomes the own-person row, every other one a candidate
 * @param sigmas per-keypoint sigmas (for COCO-17, coco-analyze's literals: the layout's `analysisSigmas`)
 * @param mirrorIndex left/right counterpart of each keypoint (coco-analyze's `inv_idx`; the layout's `mirror`)
 */
export function classifyKeypoints(
  detectionKeypoints: readonly number[],
  matched: CocoKeypointAnnotation,
  imageAnnotations: readonly CocoKeypointAnnotation[],
  sigmas: readonly number[],
  mirrorIndex: readonly number[],
): KeypointClassification {
  const K = sigmas.length;
  // Rows in the tool's order: the matched GT first, then the others in file order; then the same n flipped.
  const others = imageAnnotations.filter((a) => a !== matched);
  const rows = [matched, ...others];
  const n = rows.length;
  const [lowBound, highBound] = JITTER_SIMILARITY_BOUNDS;

  const labels: KeypointErrorLabel[] = [];
  const bestSimilarity: number[] = [];
  const corrected: number[] = new Array<number>(K * 3).fill(0);
  const areaM = matched.area;

  for (let k = 0; k < K; k++) {
    const twoSigma = sigmas[k]! * 2;
    const variance = twoSigma * twoSigma; // numpy (sigmas*2)**2
    const dx0 = detectionKeypoints[k * 3]!;
    const dy0 = detectionKeypoints[k * 3 + 1]!;
    let best = Number.NEGATIVE_INFINITY;
    let bestRow = -1;
    for (let flipped = 0; flipped < 2; flipped++) {
      const source = flipped ? mirrorIndex[k]! : k;
      for (let r = 0; r < n; r++) {
        const ann = rows[r]!;
        const v = ann.keypoints[source * 3 + 2]!;
        let similarity: number;
        if (v > 0) {
          const dx = ann.keypoints[source * 3]! - dx0;
          const dy = ann.keypoints[source * 3 + 1]! - dy0;
          // Same operation order as the tool: -d² / (2σ)² / (area + eps) / 2.
          similarity = Math.exp(-(dx * dx + dy * dy) / variance / (ann.area + FLOAT64_EPS) / 2);
        } else {
          // exp(..) * (v > 0) - 1 * (v == 0): -1 for unlabelled points, 0 for (never seen) negative flags.
          similarity = v === 0 ? -1 : 0;
        }
        // First maximum wins (np.argmax): own GT, then others, then own flipped, then others flipped.
        if (similarity > best) {
          best = similarity;
          bestRow = flipped * n + r;
        }
      }
    }
    const ks = best < 0 ? 0 : best;
    bestSimilarity.push(ks);

    const gtX = matched.keypoints[k * 3]!;
    const gtY = matched.keypoints[k * 3 + 1]!;
    const gtV = matched.keypoints[k * 3 + 2]!;
    const sigmaSq = sigmas[k]! * sigmas[k]!; // Q4: σ², not (2σ)²
    // sqrt(-ln(K) · 2 · area · σ²), in the tool's left-to-right order.
    const radiusAt = (similarity: number): number => Math.sqrt(((-Math.log(similarity) * 2) * areaM) * sigmaSq);
    let label: KeypointErrorLabel;
    let x: number;
    let y: number;
    if (gtV === 0) {
      label = '-';
      x = dx0;
      y = dy0;
    } else if (ks < lowBound) {
      label = 'M';
      x = gtX + radiusAt(lowBound);
      y = gtY;
    } else if (bestRow === 0) {
      if (ks > highBound) {
        label = 'G';
        x = dx0;
        y = dy0;
      } else if (ks < highBound) {
        label = 'J';
        x = gtX + radiusAt(highBound);
        y = gtY;
      } else {
        // ks exactly .85 at the own point falls in no class in the tool (its sums of 0/1 masks give x = y = 0).
        label = '-';
        x = 0;
        y = 0;
      }
    } else {
      // The tool nudges a best similarity of exactly 0 or 1 by eps so the logarithm stays finite.
      const rounded = ks === 0 ? ks + FLOAT64_EPS : ks === 1 ? ks - FLOAT64_EPS : ks;
      label = bestRow === n ? 'I' : 'S';
      x = gtX + radiusAt(rounded);
      y = gtY;
    }
    labels.push(label);
    corrected[k * 3] = x;
    corrected[k * 3 + 1] = y;
    corrected[k * 3 + 2] = detectionKeypoints[k * 3 + 2] ?? 0;
  }
  return { labels, bestSimilarity, correctedKeypoints: corrected };
}
