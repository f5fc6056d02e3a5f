/**
 * PCK (Percentage of Correct Keypoints): the fraction of labelled ground-truth keypoints whose predicted point
 * lies within α × the person's size. Coordinates are image pixels; α is a fraction of the person size (unitless).
 *
 * Unlike OKS/AP, PCK says nothing about false positives: it scores already-paired (ground truth, prediction)
 * persons. {@link pckPersonsFromEvaluation} pairs them the way the COCO evaluation matched them.
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import type { KeypointEvalResult } from './cocoEval';

/**
 * The person size that α multiplies:
 * - `'bbox'`: max(width, height) of the ground-truth bbox, in pixels. The longer side is used rather than the
 *   diagonal or √area because it does not depend on the pose's aspect ratio (a lying person gets the same scale as
 *   a standing one) and, unlike √area, stays meaningful for thin boxes. COCO's GT bbox is the box of the person's
 *   segmentation, not of the keypoints, so it also covers unlabelled body parts.
 * - `'torso'`: distance between the left shoulder and the right hip, falling back to right shoulder – left hip;
 *   both points of a pair must be labelled (v > 0). Persons with neither pair are skipped and counted.
 */
export type PckNormalizer = 'bbox' | 'torso';

/** One ground-truth person with its prediction, in the same keypoint order. */
export interface PckPerson {
  /** COCO flat `[x, y, v, ...]` (3K numbers), pixels; keypoints with v = 0 are not scored. */
  readonly gtKeypoints: readonly number[];
  /** `[x, y, width, height]` pixels; required for the `'bbox'` normaliser. */
  readonly gtBbox?: readonly number[];
  /**
   * Predicted `[x, y]` pixels per keypoint; a null/absent/non-finite point, or a null list (person not
   * detected), makes every affected labelled keypoint incorrect.
   */
  readonly predicted: readonly (readonly [number, number] | null | undefined)[] | null;
}

export interface PckKeypointStats {
  readonly name: string;
  /** Labelled ground-truth occurrences of this keypoint among the evaluated persons. */
  readonly labelled: number;
  /** Of those, predicted within α × size. */
  readonly correct: number;
  /** correct / labelled (the per-keypoint detection rate); null when never labelled. */
  readonly detectionRate: number | null;
  /** Mean of distance / size over labelled occurrences that have a prediction; null when there are none. */
  readonly meanNormalizedError: number | null;
  /** Labelled occurrences without a usable prediction (counted as incorrect, left out of the mean error). */
  readonly missing: number;
}

export interface PckResult {
  readonly alpha: number;
  readonly normalizer: PckNormalizer;
  /** correct / labelled over all evaluated persons; null when nothing was labelled. */
  readonly pck: number | null;
  readonly labelled: number;
  readonly correct: number;
  /** Mean distance / size over all labelled keypoints with a prediction; null when there are none. */
  readonly meanNormalizedError: number | null;
  readonly personsEvaluated: number;
  /** Persons skipped because the normaliser is undefined (no torso pair, or an empty/missing bbox). */
  readonly personsSkippedNoNormalizer: number;
  /** Persons skipped because no keypoint is labelled. */
  readonly personsSkippedNoLabels: number;
  readonly perKeypoint: readonly PckKeypointStats[];
}

export interface PckCurve {
  readonly normalizer: PckNormalizer;
  readonly alphas: readonly number[];
  /** PCK at each α (null when nothing was labelled). */
  readonly pck: readonly (number | null)[];
  /** [keypoint][α] detection rate (null when the keypoint was never labelled). */
  readonly perKeypoint: readonly (readonly (number | null)[])[];
  readonly keypointNames: readonly string[];
  readonly personsEvaluated: number;
  readonly personsSkippedNoNormalizer: number;
  readonly personsSkippedNoLabels: number;
}

/** α = 0, 0.01, …, 0.5 (51 values, each i / 100). */
export const DEFAULT_PCK_ALPHAS: readonly number[] = Array.from({ length: 51 }, (_, i) => i / 100);

/**
 * The person size in pixels used by PCK, or null when it is undefined for this person.
 * @param gtKeypoints COCO flat keypoints (3K), pixels
 * @param gtBbox `[x, y, w, h]` pixels
 * @param keypointNames names in keypoint order (for locating shoulders and hips)
 */
export function pckPersonSizePx(
  gtKeypoints: readonly number[],
  gtBbox: readonly number[] | undefined,
  normalizer: PckNormalizer,
  keypointNames: readonly string[],
): number | null {
  if (normalizer === 'bbox') {
    if (!gtBbox || gtBbox.length < 4) return null;
    const size = Math.max(gtBbox[2]!, gtBbox[3]!);
    return Number.isFinite(size) && size > 0 ? size : null;
  }
  for (const [a, b] of [
    ['left_shoulder', 'right_hip'],
    ['right_shoulder', 'left_hip'],
  ] as const) {
    const size = labelledDistance(gtKeypoints, keypointNames.indexOf(a), keypointNames.indexOf(b));
    if (size !== null && size > 0) return size;
  }
  return null;
}

function labelledDistance(kp: readonly number[], i: number, j: number): number | null {
  if (i < 0 || j < 0) return null;
  if (!((kp[i * 3 + 2] ?? 0) > 0) || !((kp[j * 3 + 2] ?? 0) > 0)) return null;
  return Math.hypot(kp[i * 3]! - kp[j * 3]!, kp[i * 3 + 1]! - kp[j * 3 + 1]!);
}

/** Normalised errors of every labelled keypoint of every usable person (Infinity = no prediction). */
interface NormalizedErrors {
  readonly keypointIndex: Int32Array;
  readonly error: Float64Array;
  readonly personsEvaluated: number;
  readonly personsSkippedNoNormalizer: number;
  readonly personsSkippedNoLabels: number;
}

function normalizedErrors(
  persons: readonly PckPerson[],
  normalizer: PckNormalizer,
  keypointNames: readonly string[],
): NormalizedErrors {
  const keypointIndex: number[] = [];
  const error: number[] = [];
  let personsEvaluated = 0;
  let personsSkippedNoNormalizer = 0;
  let personsSkippedNoLabels = 0;
  for (const person of persons) {
    const kp = person.gtKeypoints;
    const count = Math.floor(kp.length / 3);
    let labelled = 0;
    for (let k = 0; k < count; k++) if ((kp[k * 3 + 2] ?? 0) > 0) labelled++;
    if (labelled === 0) {
      personsSkippedNoLabels++;
      continue;
    }
    const size = pckPersonSizePx(kp, person.gtBbox, normalizer, keypointNames);
    if (size === null) {
      personsSkippedNoNormalizer++;
      continue;
    }
    personsEvaluated++;
    for (let k = 0; k < count; k++) {
      if (!((kp[k * 3 + 2] ?? 0) > 0)) continue;
      const point = person.predicted?.[k];
      const distance =
        point && Number.isFinite(point[0]) && Number.isFinite(point[1])
          ? Math.hypot(point[0] - kp[k * 3]!, point[1] - kp[k * 3 + 1]!)
          : Number.POSITIVE_INFINITY;
      keypointIndex.push(k);
      error.push(distance / size);
    }
  }
  return {
    keypointIndex: Int32Array.from(keypointIndex),
    error: Float64Array.from(error),
    personsEvaluated,
    personsSkippedNoNormalizer,
    personsSkippedNoLabels,
  };
}

function checkAlpha(alpha: number): void {
  if (!Number.isFinite(alpha) || alpha < 0) throw new RangeError(`PCK alpha must be a finite number ≥ 0, got ${alpha}`);
}

/**
 * PCK@α: a labelled keypoint is correct when distance(prediction, ground truth) / size ≤ α (so a perfect
 * prediction counts even at α = 0), size being {@link pckPersonSizePx}.
 *
 * @param persons ground-truth persons with their predictions, pixels
 * @param options `alpha` (fraction of the person size, ≥ 0), `normalizer`, and the keypoint names of the layout
 */
export function computePck(
  persons: readonly PckPerson[],
  options: { alpha: number; normalizer: PckNormalizer; keypointNames: readonly string[] },
): PckResult {
  checkAlpha(options.alpha);
  const names = options.keypointNames;
  const errors = normalizedErrors(persons, options.normalizer, names);
  const labelled = new Float64Array(names.length);
  const correct = new Float64Array(names.length);
  const missing = new Float64Array(names.length);
  const errorSum = new Float64Array(names.length);
  let totalErrorSum = 0;
  let totalPredicted = 0;
  for (let i = 0; i < errors.error.length; i++) {
    const k = errors.keypointIndex[i]!;
    const e = errors.error[i]!;
    if (k >= names.length) continue;
    labelled[k]!++;
    if (e <= options.alpha) correct[k]!++;
    if (e === Number.POSITIVE_INFINITY) {
      missing[k]!++;
    } else {
      errorSum[k]! += e;
      totalErrorSum += e;
      totalPredicted++;
    }
  }
  const perKeypoint = names.map((name, k): PckKeypointStats => {
    const predicted = labelled[k]! - missing[k]!;
    return {
      name,
      labelled: labelled[k]!,
      correct: correct[k]!,
      detectionRate: labelled[k]! > 0 ? correct[k]! / labelled[k]! : null,
      meanNormalizedError: predicted > 0 ? errorSum[k]! / predicted : null,
      missing: missing[k]!,
    };
  });
  const totalLabelled = perKeypoint.reduce((sum, s) => sum + s.labelled, 0);
  const totalCorrect = perKeypoint.reduce((sum, s) => sum + s.correct, 0);
  return {
    alpha: options.alpha,
    normalizer: options.normalizer,
    pck: totalLabelled > 0 ? totalCorrect / totalLabelled : null,
    labelled: totalLabelled,
    correct: totalCorrect,
    meanNormalizedError: totalPredicted > 0 ? totalErrorSum / totalPredicted : null,
    personsEvaluated: errors.personsEvaluated,
    personsSkippedNoNormalizer: errors.personsSkippedNoNormalizer,
    personsSkippedNoLabels: errors.personsSkippedNoLabels,
    perKeypoint,
  };
}

/**
 * PCK as a function of α (same rule as {@link computePck}); distances are computed once for all α.
 * @param alphas fractions of the person size, each ≥ 0; default 0 to 0.5 in steps of 0.01
 */
export function pckCurve(
  persons: readonly PckPerson[],
  normalizer: PckNormalizer,
  alphas: readonly number[],
  keypointNames: readonly string[],
): PckCurve {
  alphas.forEach(checkAlpha);
  const errors = normalizedErrors(persons, normalizer, keypointNames);
  const K = keypointNames.length;
  const labelled = new Float64Array(K);
  for (let i = 0; i < errors.keypointIndex.length; i++) {
    const k = errors.keypointIndex[i]!;
    if (k < K) labelled[k]!++;
  }
  const totalLabelled = labelled.reduce((sum, n) => sum + n, 0);
  const pck: (number | null)[] = [];
  const perKeypoint: (number | null)[][] = keypointNames.map(() => []);
  const correct = new Float64Array(K);
  for (const alpha of alphas) {
    correct.fill(0);
    for (let i = 0; i < errors.error.length; i++) {
      const k = errors.keypointIndex[i]!;
      if (k < K && errors.error[i]! <= alpha) correct[k]!++;
    }
    const totalCorrect = correct.reduce((sum, n) => sum + n, 0);
    pck.push(totalLabelled > 0 ? totalCorrect / totalLabelled : null);
    for (let k = 0; k < K; k++) perKeypoint[k]!.push(labelled[k]! > 0 ? correct[k]! / labelled[k]! : null);
  }
  return {
    normalizer,
    alphas: [...alphas],
    pck,
    perKeypoint,
    keypointNames,
    personsEvaluated: errors.personsEvaluated,
    personsSkippedNoNormalizer: errors.personsSkippedNoNormalizer,
    personsSkippedNoLabels: errors.personsSkippedNoLabels,
  };
}

/**
 * PCK inputs paired the way the COCO evaluation matched them: every ground-truth person not ignored in the first
 * area range, with the detection matched to it at the loosest OKS threshold (null when unmatched: all its labelled
 * keypoints then count as incorrect). Needs an evaluation run with `perImageDetail` (the default). `onPerson`
 * receives each one with its image id (the bootstrap groups them per image); they are also returned in order.
 */
export function pckPersonsFromEvaluation(
  gt: CocoKeypointsGroundTruth,
  results: readonly CocoKeypointResult[],
  evaluation: KeypointEvalResult,
  onPerson?: (person: PckPerson, imageId: number) => void,
): PckPerson[] {
  const out: PckPerson[] = [];
  for (const image of evaluation.perImage) {
    for (const person of image.persons) {
      const ann = gt.annotations[person.annotationIndex];
      if (!ann) continue;
      const detection = person.detectionIndex >= 0 ? results[person.detectionIndex] : undefined;
      let predicted: [number, number][] | null = null;
      if (detection) {
        predicted = [];
        for (let k = 0; k + 1 < detection.keypoints.length; k += 3) {
          predicted.push([detection.keypoints[k]!, detection.keypoints[k + 1]!]);
        }
      }
      const paired = { gtKeypoints: ann.keypoints, gtBbox: ann.bbox, predicted };
      out.push(paired);
      onPerson?.(paired, image.imageId);
    }
  }
  return out;
}

/**
 * Area under the PCK curve, normalised by the α range: the trapezoidal rule over the curve's points divided by
 * (last α − first α), so a model correct at every α scores 1. Null when any point is null (nothing labelled) or the
 * curve has fewer than two points. The usual single-number summary of a PCK curve (e.g. AUC of PCK over 0–0.5).
 */
export function pckAuc(alphas: readonly number[], values: readonly (number | null)[]): number | null {
  if (alphas.length < 2 || alphas.length !== values.length || values.some((v) => v === null)) return null;
  let area = 0;
  for (let i = 1; i < alphas.length; i++) area += ((values[i - 1]! + values[i]!) / 2) * (alphas[i]! - alphas[i - 1]!);
  const span = alphas[alphas.length - 1]! - alphas[0]!;
  return span > 0 ? area / span : null;
}

/**
 * Normalised mean error, as face-alignment benchmarks report it (300W, WFLW): per person, the mean distance between
 * predicted and labelled keypoints divided by the distance between two reference keypoints of the ground truth
 * (inter-ocular: the outer eye corners), then the mean over persons. A person whose reference pair is not labelled,
 * or who has no labelled keypoint, is skipped; an undetected person counts with every keypoint missed, which NME
 * cannot express, so it is counted apart (`personsMissed`) instead of inventing a distance.
 */
export function computeNme(
  persons: readonly PckPerson[],
  keypointNames: readonly string[],
  referencePair: readonly [string, string],
): { nme: number | null; personsEvaluated: number; personsMissed: number; personsSkipped: number } {
  const a = keypointNames.indexOf(referencePair[0]);
  const b = keypointNames.indexOf(referencePair[1]);
  if (a < 0 || b < 0) throw new RangeError(`NME reference keypoints ${referencePair.join(', ')} are not in the layout`);
  let sum = 0;
  let personsEvaluated = 0;
  let personsMissed = 0;
  let personsSkipped = 0;
  for (const person of persons) {
    const kp = person.gtKeypoints;
    const labelled = (k: number) => (kp[k * 3 + 2] ?? 0) > 0;
    if (!labelled(a) || !labelled(b)) {
      personsSkipped++;
      continue;
    }
    const referencePx = Math.hypot(kp[a * 3]! - kp[b * 3]!, kp[a * 3 + 1]! - kp[b * 3 + 1]!);
    if (!(referencePx > 0)) {
      personsSkipped++;
      continue;
    }
    if (!person.predicted) {
      personsMissed++;
      continue;
    }
    let errorSum = 0;
    let count = 0;
    for (let k = 0; k < keypointNames.length; k++) {
      if (!labelled(k)) continue;
      const p = person.predicted[k];
      if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
      errorSum += Math.hypot(p[0] - kp[k * 3]!, p[1] - kp[k * 3 + 1]!);
      count++;
    }
    if (count === 0) {
      personsMissed++;
      continue;
    }
    sum += errorSum / count / referencePx;
    personsEvaluated++;
  }
  return { nme: personsEvaluated > 0 ? sum / personsEvaluated : null, personsEvaluated, personsMissed, personsSkipped };
}
