/**
 * The building blocks coco-analyze (matteorr/coco-analyze, commit 9eb8a0a9) runs between COCOeval passes:
 * its top-20 prefilter, evaluations of corrected detections with their loadRes areas frozen, re-accumulation with
 * detections or ground truth marked ignored, the optimal-score soft-NMS, and reading per-threshold AP out of
 * precision arrays. "Qn" refers to the quirk list in shared/coco-analyze-vectors/README.md.
 *
 * Everything goes through the exact COCOeval port (cocoEval.ts); nothing here re-implements matching or
 * accumulation.
 */

import type { CocoKeypointAnnotation, CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import {
  accumulateCategory,
  CocoEvalError,
  evaluateKeypoints,
  type AreaRange,
  type KeypointEvalResult,
} from './cocoEval';
import { numpyPairwiseSum } from './numpyCompat';
import { FLOAT64_EPS } from './oks';

/** Detections kept per image by the tool's prefilter and by its COCOeval `maxDets` (Q8). */
export const ANALYZE_MAX_DETECTIONS = 20;

/** The analysed detections and the ground truth indexed the way the analysis needs it. */
/** What the analysis needs of the keypoint layout: names, mirrors and both sigma lists (see KeypointLayout). */
export interface AnalysisLayout {
  readonly keypointNames: readonly string[];
  readonly mirror: readonly number[];
  /** For the OKS matching (pycocotools' values). */
  readonly oksSigmas: readonly number[];
  /** For keypoint similarities, corrections and soft-NMS (coco-analyze's literals where they differ). */
  readonly analysisSigmas?: readonly number[];
}

export interface PreparedAnalysis {
  readonly gt: CocoKeypointsGroundTruth;
  readonly layout: AnalysisLayout;
  /** `layout.analysisSigmas`, or its OKS sigmas. */
  readonly analysisSigmas: readonly number[];
  /** After the prefilter, in loadRes order: images by first appearance in the results, score order within each. */
  readonly detections: readonly CocoKeypointResult[];
  /** Per analysed detection: its index in the caller's results list. */
  readonly resultIndex: readonly number[];
  /** Analysed detections grouped per image (positions into `detections`, loadRes order). */
  readonly imageGroups: readonly (readonly number[])[];
  /** Annotations of each image, file order (all of them: crowd and no-keypoint ones too). */
  readonly annotationsByImage: ReadonlyMap<number, readonly CocoKeypointAnnotation[]>;
  /** Annotation index in `gt.annotations` by annotation id. */
  readonly annotationIndexById: ReadonlyMap<number, number>;
  /** The most detections any image keeps (the tool's `teamMaxDets`). */
  readonly maxDetectionsPerImage: number;
}

/**
 * run_analysis.py's prefilter: results grouped by image in first-appearance order, images missing from the ground
 * truth dropped, each image's detections stable-sorted by score (descending) and cut to 20. Detections of another
 * category than the ground truth's single one are dropped first (the tool analyses `catIds[0]` only).
 */
export function prepareAnalysis(gt: CocoKeypointsGroundTruth, results: readonly CocoKeypointResult[], layout: AnalysisLayout): PreparedAnalysis {
  if (gt.categories.length !== 1) {
    throw new CocoEvalError(
      `coco-analyze analyses one category; the ground truth has ${gt.categories.length}. Give a person-keypoints file.`,
    );
  }
  const categoryId = gt.categories[0]!.id;
  const imageIds = new Set(gt.images.map((image) => image.id));
  const byImage = new Map<number, number[]>();
  results.forEach((result, i) => {
    if (result.category_id !== categoryId) return;
    let list = byImage.get(result.image_id);
    if (!list) byImage.set(result.image_id, (list = []));
    list.push(i);
  });
  const detections: CocoKeypointResult[] = [];
  const resultIndex: number[] = [];
  const imageGroups: number[][] = [];
  let maxDetectionsPerImage = 0;
  for (const [imageId, indices] of byImage) {
    if (!imageIds.has(imageId)) continue;
    // Array.prototype.sort is stable, as Python's sorted().
    const kept = [...indices].sort((a, b) => results[b]!.score - results[a]!.score).slice(0, ANALYZE_MAX_DETECTIONS);
    const group: number[] = [];
    for (const i of kept) {
      group.push(detections.length);
      detections.push(results[i]!);
      resultIndex.push(i);
    }
    imageGroups.push(group);
    maxDetectionsPerImage = Math.max(maxDetectionsPerImage, group.length);
  }
  if (detections.length === 0) {
    throw new CocoEvalError('no detection lies on an image of the ground truth: there is nothing to analyse');
  }
  const annotationsByImage = new Map<number, CocoKeypointAnnotation[]>();
  const annotationIndexById = new Map<number, number>();
  gt.annotations.forEach((ann, i) => {
    let list = annotationsByImage.get(ann.image_id);
    if (!list) annotationsByImage.set(ann.image_id, (list = []));
    list.push(ann);
    if (!annotationIndexById.has(ann.id)) annotationIndexById.set(ann.id, i);
  });
  const analysisSigmas = layout.analysisSigmas ?? layout.oksSigmas;
  return { gt, layout, analysisSigmas, detections, resultIndex, imageGroups, annotationsByImage, annotationIndexById, maxDetectionsPerImage };
}

/**
 * One COCOeval pass over the analysed detections with replaced keypoints and scores. The tool edits keypoints and
 * scores in place after loadRes, so each detection keeps the area loadRes gave it (Q4): that area is passed as a
 * bbox of `area × 1`, which the evaluation's loadRes step turns back into exactly that area (coco-eval README 2).
 * Without `perImageDetail` only precision and recall come back (faster; the numbers are the same).
 */
export function evaluateCorrected(
  prepared: PreparedAnalysis,
  keypoints: readonly (readonly number[])[],
  scores: ArrayLike<number>,
  areasPx2: ArrayLike<number>,
  areaRanges: readonly AreaRange[],
  oksThresholds: readonly number[],
  perImageDetail = true,
): KeypointEvalResult {
  const results: CocoKeypointResult[] = prepared.detections.map((det, i) => ({
    image_id: det.image_id,
    category_id: det.category_id,
    keypoints: keypoints[i]!,
    score: scores[i]!,
    bbox: [0, 0, areasPx2[i]!, 1],
  }));
  return evaluateKeypoints(prepared.gt, results, {
    sigmas: prepared.layout.oksSigmas,
    oksThresholds,
    areaRanges,
    maxDetections: ANALYZE_MAX_DETECTIONS,
    perImageDetail,
  });
}

/** A detection's match in one evaluation (one area range, one threshold). */
export interface DetectionMatch {
  /** Index into `gt.annotations`. */
  readonly annotationIndex: number;
  /** OKS of the pair. */
  readonly oks: number;
  /** The match went to a ground truth ignored in this range (crowd, no keypoints, area outside). */
  readonly ignored: boolean;
}

/** Per analysed detection (position in `prepared.detections`) its match at threshold `t` in area `a`, or null. */
export function detectionMatches(evaluation: KeypointEvalResult, a: number, t: number, detectionCount: number): (DetectionMatch | null)[] {
  const out: (DetectionMatch | null)[] = new Array<DetectionMatch | null>(detectionCount).fill(null);
  for (const image of evaluation.perImage) {
    const D = image.detectionIndices.length;
    const G = image.gtIds.length;
    const area = image.areas[a]!;
    for (let d = 0; d < D; d++) {
      const id = area.dtMatches[t * D + d]!;
      if (id === 0) continue; // the tool reads a matched id of 0 as "unmatched", as pycocotools does
      const column = image.gtIds.indexOf(id);
      out[image.detectionIndices[d]!] = {
        annotationIndex: image.gtAnnotationIndices[column]!,
        oks: image.oks[d * G + column]!,
        ignored: area.dtIgnore[t * D + d] === 1,
      };
    }
  }
  return out;
}

/** Annotation ids matched by some detection at threshold `t` in area `a` (crowd regions count once). */
export function matchedAnnotationIds(evaluation: KeypointEvalResult, a: number, t: number): Set<number> {
  const out = new Set<number>();
  for (const image of evaluation.perImage) {
    const area = image.areas[a]!;
    const G = area.gtIds.length;
    for (let j = 0; j < G; j++) if (area.gtMatches[t * G + j] !== 0) out.add(area.gtIds[j]!);
  }
  return out;
}

/**
 * Per analysed detection the highest OKS it reaches with a ground truth not ignored in area `a` (0 without one):
 * the modified COCOeval's `dtIousMax`, the tool's "optimal score" before soft-NMS (Q5).
 */
export function maxOksWithValidGt(evaluation: KeypointEvalResult, a: number, detectionCount: number): Float64Array {
  const out = new Float64Array(detectionCount);
  for (const image of evaluation.perImage) {
    const D = image.detectionIndices.length;
    const G = image.gtIds.length;
    const area = image.areas[a]!;
    const columns: number[] = [];
    for (let j = 0; j < G; j++) if (area.gtIgnore[j] === 0) columns.push(area.gtOrder[j]!);
    if (columns.length === 0) continue;
    for (let d = 0; d < D; d++) {
      let max = Number.NEGATIVE_INFINITY;
      for (const column of columns) max = Math.max(max, image.oks[d * G + column]!);
      out[image.detectionIndices[d]!] = max;
    }
  }
  return out;
}

/** Precision [T][R] and recall [T] of one area range after re-accumulation. */
export interface AccumulatedRange {
  /** Row-major T × R, -1 where the range has no not-ignored ground truth. */
  readonly precision: Float64Array;
  readonly recall: Float64Array;
}

/**
 * pycocotools `accumulate` over the matches of area `a`, after the edits the tool makes to `evalImgs` (Q6):
 * detections for which `ignoreDetection(t, position)` holds get dtIgnore at threshold t, and ground truth whose
 * annotation id is in `ignoredGt` gets gtIgnore (leaving the recall denominator).
 */
export function reaccumulate(
  evaluation: KeypointEvalResult,
  a: number,
  ignoreDetection?: (t: number, position: number) => boolean,
  ignoredGt?: ReadonlySet<number>,
): AccumulatedRange {
  const T = evaluation.params.oksThresholds.length;
  const R = evaluation.params.recallThresholds.length;
  let N = 0;
  for (const image of evaluation.perImage) N += image.detectionIndices.length;
  const scores = new Float64Array(N);
  const status = new Uint8Array(T * N); // 1 TP, 2 FP, 0 ignored, as accumulateCategory reads it
  let notIgnoredGt = 0;
  let n = 0;
  for (const image of evaluation.perImage) {
    const D = image.detectionIndices.length;
    const area = image.areas[a]!;
    for (let j = 0; j < area.gtIds.length; j++) {
      if (area.gtIgnore[j] === 0 && !ignoredGt?.has(area.gtIds[j]!)) notIgnoredGt++;
    }
    for (let d = 0; d < D; d++) {
      scores[n + d] = image.detectionScores[d]!;
      for (let t = 0; t < T; t++) {
        const ignored = area.dtIgnore[t * D + d] === 1 || (ignoreDetection?.(t, image.detectionIndices[d]!) ?? false);
        status[t * N + n + d] = ignored ? 0 : area.dtMatches[t * D + d] !== 0 ? 1 : 2;
      }
    }
    n += D;
  }
  const precision = new Float64Array(T * R).fill(-1);
  const recall = new Float64Array(T).fill(-1);
  if (evaluation.perImage.length > 0) {
    accumulateCategory({
      categoryPos: 0,
      numCategories: 1,
      areaCount: 1,
      params: evaluation.params,
      scores,
      status,
      notIgnoredGtCount: Float64Array.of(notIgnoredGt),
      precision,
      scoresOut: new Float64Array(T * R),
      recall,
    });
  }
  return { precision, recall };
}

/** AP and recall per OKS threshold (ascending), the tool's `auc` and `recall` summaries. */
export interface PerThreshold {
  /** Mean precision over the recall thresholds at each OKS threshold; -1 where the range has no ground truth. */
  readonly ap: number[];
  readonly recall: number[];
}

/**
 * The tool's `_summarize`: for each threshold the mean (numpy pairwise) of the precision entries > -1, or -1 (Q7).
 * `precision` is laid out [T][R][A] (one category), `recall` [T][A].
 */
export function perThreshold(precision: Float64Array, recall: Float64Array, T: number, R: number, A: number, a: number): PerThreshold {
  const ap: number[] = [];
  const rc: number[] = [];
  const values = new Float64Array(R);
  for (let t = 0; t < T; t++) {
    let count = 0;
    for (let r = 0; r < R; r++) {
      const v = precision[(t * R + r) * A + a]!;
      if (v > -1) values[count++] = v;
    }
    ap.push(count === 0 ? -1 : numpyPairwiseSum(values, 0, count) / count);
    const value = recall[t * A + a]!;
    rc.push(value > -1 ? value : -1);
  }
  return { ap, recall: rc };
}

/** `(max x − min x) · (max y − min y)` over all K points, (0, 0) ones included, px² (the tool's soft-NMS area). */
function keypointExtentPx2(keypoints: readonly number[], K: number): number {
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) {
    const x = keypoints[k * 3]!;
    const y = keypoints[k * 3 + 1]!;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return (maxX - minX) * (maxY - minY);
}

/**
 * The tool's `_soft_nms` (Q5): per image, starting from `startScores` (the max OKS with valid ground truth),
 * repeatedly take the highest-scored remaining detection and scale every other remaining one by
 * `exp(-oks² / 0.5)`, where oks is detection-vs-detection over all K points with the mean of the two keypoint
 * extents as area. Ties keep loadRes order (Python's stable sort).
 */
export function softNmsScores(
  imageGroups: readonly (readonly number[])[],
  keypoints: readonly (readonly number[])[],
  startScores: Float64Array,
  sigmas: readonly number[],
): Float64Array {
  const K = sigmas.length;
  const variances = sigmas.map((s) => s * 2 * (s * 2));
  const scores = Float64Array.from(startScores);
  const terms = new Float64Array(K);
  for (const group of imageGroups) {
    const remaining = [...group];
    while (remaining.length > 0) {
      remaining.sort((p, q) => (scores[q]! > scores[p]! ? 1 : scores[q]! < scores[p]! ? -1 : 0));
      const top = remaining.shift()!;
      const topKeypoints = keypoints[top]!;
      const topArea = keypointExtentPx2(topKeypoints, K);
      for (const other of remaining) {
        const otherKeypoints = keypoints[other]!;
        const scale = 0.5 * (topArea + keypointExtentPx2(otherKeypoints, K)) + FLOAT64_EPS;
        for (let k = 0; k < K; k++) {
          const dx = otherKeypoints[k * 3]! - topKeypoints[k * 3]!;
          const dy = otherKeypoints[k * 3 + 1]! - topKeypoints[k * 3 + 1]!;
          terms[k] = Math.exp(-((dx * dx + dy * dy) / variances[k]! / scale / 2));
        }
        const oks = numpyPairwiseSum(terms) / K;
        scores[other] = scores[other]! * Math.exp(-((oks * oks) / 0.5)); // 0.5: the soft-NMS paper's σ
      }
    }
  }
  return scores;
}
