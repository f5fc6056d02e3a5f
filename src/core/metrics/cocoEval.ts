/**
 * Exact re-implementation of pycocotools' `COCOeval(cocoGt, cocoGt.loadRes(results), 'keypoints')`
 * followed by `evaluate()`, `accumulate()` and `summarize()`, with default keypoint parameters.
 *
 * "Exact" means: same detections kept, same OKS values (to the last bit, except that `Math.exp` may differ from
 * the C library's `exp` by one ulp), same matches, same precision/recall arrays and the same 10 summary stats
 * (numpy's pairwise summation is emulated, so they come out bit-identical in practice). Numbers in comments
 * ("README 5") refer to the behaviour list in shared/coco-eval-vectors/README.md, which the tests check.
 *
 * All coordinates are image pixels; areas are square pixels. Nothing here depends on the DOM or Node.
 *
 * Performance: inputs are first flattened into typed arrays and grouped per (category, image) with a counting
 * sort; the OKS, matching and accumulation loops then run without per-element allocation.
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import { formatFixed3LikePython, numpyLinspace, numpyPairwiseSum } from './numpyCompat';
import { COCO_KEYPOINT_SIGMAS, FLOAT64_EPS } from './oks';

/** Raised where pycocotools itself would fail (empty results, unknown image ids, malformed arrays). */
export class CocoEvalError extends Error {
  override name = 'CocoEvalError';
}

/** An object-area range, inclusive at both ends (README 7). */
export interface AreaRange {
  readonly label: string;
  readonly minAreaPx2: number;
  readonly maxAreaPx2: number;
}

/** pycocotools' keypoint area ranges: all = [0, 1e5²], medium = [32², 96²], large = [96², 1e5²]. */
export const COCO_KEYPOINT_AREA_RANGES: readonly AreaRange[] = [
  { label: 'all', minAreaPx2: 0, maxAreaPx2: 1e10 },
  { label: 'medium', minAreaPx2: 32 ** 2, maxAreaPx2: 96 ** 2 },
  { label: 'large', minAreaPx2: 96 ** 2, maxAreaPx2: 1e10 },
];

/**
 * OKS thresholds 0.50:0.05:0.95 as `np.linspace(.5, .95, 10)`; entry 8 is 0.8999999999999999 (README 9).
 * The count is pycocotools' `int(np.round((0.95 - .5) / .05)) + 1`.
 */
export const COCO_OKS_THRESHOLDS: Float64Array = numpyLinspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);

/** Recall thresholds 0:0.01:1 as `np.linspace(0, 1, 101)`; e.g. entry 70 is 0.7000000000000001 (README 9). */
export const COCO_RECALL_THRESHOLDS: Float64Array = numpyLinspace(0, 1, Math.round((1 - 0) / 0.01) + 1);

/** pycocotools' keypoint `maxDets` (a single value: summarize uses only 20, README 12). */
export const COCO_KEYPOINT_MAX_DETECTIONS = 20;

export const KEYPOINT_STATS_NAMES = ['AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75', 'ARm', 'ARl'] as const;
export type KeypointStatName = (typeof KEYPOINT_STATS_NAMES)[number];

/** Evaluation parameters; the defaults are pycocotools' `Params(iouType='keypoints')`. */
export interface KeypointEvalParams {
  /** OKS thresholds (pycocotools `iouThrs`), ascending. */
  readonly oksThresholds: Float64Array;
  /** Recall thresholds (pycocotools `recThrs`), ascending. */
  readonly recallThresholds: Float64Array;
  /** Detections kept per image and category, highest scores first (pycocotools `maxDets[-1]`). */
  readonly maxDetections: number;
  readonly areaRanges: readonly AreaRange[];
  /** Per-keypoint OKS sigmas (pycocotools `kpt_oks_sigmas`); their count K fixes the keypoint array length 3K. */
  readonly sigmas: readonly number[];
}

export interface KeypointEvalOptions {
  readonly oksThresholds?: ArrayLike<number>;
  readonly recallThresholds?: ArrayLike<number>;
  readonly maxDetections?: number;
  readonly areaRanges?: readonly AreaRange[];
  readonly sigmas?: readonly number[];
  /**
   * Keep per-image OKS matrices, matches and per-person OKS (default true). Turning it off only saves memory
   * and time on very large sets; the statistics do not change.
   */
  readonly perImageDetail?: boolean;
}

/** Matches of one image for one area range: pycocotools' `evalImgs` entry, as typed arrays. */
export interface ImageAreaMatches {
  readonly areaLabel: string;
  /**
   * Positions into the image's ground truth (`ImageEvaluation.gtAnnotationIndices`) in pycocotools'
   * matching order: not-ignored first, file order within each group (stable sort, README 6).
   */
  readonly gtOrder: Int32Array;
  /** Annotation ids in `gtOrder` order (pycocotools `gtIds`). */
  readonly gtIds: Float64Array;
  /** 1 where the ground truth is ignored in this range (crowd, no keypoints, or area outside; README 3). */
  readonly gtIgnore: Uint8Array;
  /** T×D row-major (T thresholds, D detections in score order): matched annotation id, 0 if none. */
  readonly dtMatches: Float64Array;
  /** T×G row-major in `gtOrder` order: the matched detection's id, 0 if none. */
  readonly gtMatches: Float64Array;
  /** T×D row-major: 1 where the detection counts neither as TP nor FP. */
  readonly dtIgnore: Uint8Array;
}

/** The OKS of one ground-truth person, for sorting images and people worst-first in the UI. */
export interface PersonOks {
  /** Index into `gt.annotations`. */
  readonly annotationIndex: number;
  readonly annotationId: number;
  /**
   * OKS of the detection that the evaluation matched to this person at the loosest OKS threshold (0.5 by
   * default) in the first area range ('all'); 0 when no detection was matched.
   */
  readonly oks: number;
  /** Index into the results list of that detection, or -1. */
  readonly detectionIndex: number;
  /** Highest OKS of any kept detection of the image with this person, matched or not (0 without detections). */
  readonly maxOks: number;
}

/** Everything computed for one (image, category) that has ground truth or detections. */
export interface ImageEvaluation {
  readonly imageId: number;
  readonly categoryId: number;
  /** Indices into `gt.annotations` of this image's annotations, in file order (the OKS matrix columns). */
  readonly gtAnnotationIndices: Int32Array;
  /** Annotation ids, file order. */
  readonly gtIds: Float64Array;
  /** Indices into the results list, sorted by score descending (stable) and cut to `maxDetections`. */
  readonly detectionIndices: Int32Array;
  /** Detection ids as pycocotools numbers them: 1-based position in the results list. */
  readonly detectionIds: Float64Array;
  readonly detectionScores: Float64Array;
  /** Detections of this image and category before the `maxDetections` cut. */
  readonly detectionCountBeforeCut: number;
  /** D×G row-major OKS (rows = kept detections in score order, columns = ground truth in file order); empty if D or G is 0. */
  readonly oks: Float64Array;
  /** One entry per area range, in `params.areaRanges` order. */
  readonly areas: readonly ImageAreaMatches[];
  /** One entry per ground-truth person not ignored in the first area range, file order. */
  readonly persons: readonly PersonOks[];
  /** Mean of `persons[].oks`; null when the image has no such person. */
  readonly meanPersonOks: number | null;
  /** Detections that are false positives at the loosest threshold in the first area range. */
  readonly falsePositives: number;
}

export interface KeypointEvalResult {
  /** `[AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl]`; -1 where a range has no ground truth (README 10). */
  readonly stats: readonly number[];
  readonly statsNames: readonly KeypointStatName[];
  /** The 10 lines pycocotools' `summarize()` prints. */
  readonly summaryLines: readonly string[];
  readonly params: KeypointEvalParams;
  /** Evaluated image ids, ascending (pycocotools `params.imgIds`). */
  readonly imageIds: Float64Array;
  /** Evaluated category ids, ascending. */
  readonly categoryIds: Float64Array;
  /**
   * pycocotools `eval['precision']` in numpy C order with shape `precisionShape` = [T, R, K, A]
   * (the trailing maxDets axis, of length 1, dropped); -1 where not computed.
   */
  readonly precision: Float64Array;
  readonly precisionShape: readonly [number, number, number, number];
  /** pycocotools `eval['scores']`, same layout as `precision`. */
  readonly scores: Float64Array;
  /** pycocotools `eval['recall']`, shape [T, K, A]. */
  readonly recall: Float64Array;
  readonly recallShape: readonly [number, number, number];
  /** Per result (index into the results list): the area loadRes assigned, px² (README 1 and 2). */
  readonly detectionAreasPx2: Float64Array;
  /** True when `results[0]` carried a non-empty bbox, so areas came from bboxes (README 2). */
  readonly areasFromBboxes: boolean;
  /** Images (per category) with ground truth or detections, by category then image id; empty without perImageDetail. */
  readonly perImage: readonly ImageEvaluation[];
}

/** The default (pycocotools) keypoint parameters, with `options` overriding single fields. */
export function resolveKeypointEvalParams(options: KeypointEvalOptions = {}): KeypointEvalParams {
  const maxDetections = options.maxDetections ?? COCO_KEYPOINT_MAX_DETECTIONS;
  if (!Number.isInteger(maxDetections) || maxDetections < 1) {
    throw new CocoEvalError(`maxDetections must be a whole number ≥ 1, got ${maxDetections}`);
  }
  return {
    oksThresholds: Float64Array.from(options.oksThresholds ?? COCO_OKS_THRESHOLDS),
    recallThresholds: Float64Array.from(options.recallThresholds ?? COCO_RECALL_THRESHOLDS),
    maxDetections,
    areaRanges: options.areaRanges ?? COCO_KEYPOINT_AREA_RANGES,
    sigmas: options.sigmas ?? COCO_KEYPOINT_SIGMAS,
  };
}

/**
 * Sorted unique ids, as `np.unique` gives them.
 */
function sortedUnique(ids: Iterable<number>): Float64Array {
  const sorted = Float64Array.from(new Set(ids)).sort();
  return sorted;
}

/**
 * Re-orders `order[start .. start+count)` by `score[order[i]]` descending; ties keep their current order (numpy's
 * stable mergesort on `-score`, README 5 and 8). Precondition: that range currently holds ascending values (file
 * order, or 0..N-1), so ties can be broken by value.
 */
function stableSortByScoreDesc(order: Int32Array, start: number, count: number, score: Float64Array): void {
  if (count <= 48) {
    // Insertion sort: stable, allocation-free, fastest for the usual handful of detections per image.
    for (let i = start + 1; i < start + count; i++) {
      const item = order[i]!;
      const s = score[item]!;
      let j = i - 1;
      while (j >= start && score[order[j]!]! < s) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = item;
    }
    return;
  }
  order.subarray(start, start + count).sort((a, b) => score[b]! - score[a]! || a - b);
}

/**
 * pycocotools' loadRes area for each result (README 1, 2): by default the extent of all K keypoints,
 * including unlabelled (0, 0) ones; but if `results[0]` has a non-empty `bbox`, every area is `bbox w × h`.
 */
function detectionAreas(results: readonly CocoKeypointResult[]): { areas: Float64Array; fromBboxes: boolean } {
  const areas = new Float64Array(results.length);
  const fromBboxes = (results[0]?.bbox?.length ?? 0) > 0;
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    if (fromBboxes) {
      const bbox = result.bbox;
      if (!bbox || bbox.length < 4) {
        throw new CocoEvalError(
          `results[0] has a bbox, so pycocotools' loadRes takes every area from the bbox, but results[${i}] ` +
            `(image ${result.image_id}) has ${bbox ? 'an empty one' : 'none'}: pycocotools fails on this list. ` +
            'Give every detection a bbox, or none.',
        );
      }
      areas[i] = bbox[2]! * bbox[3]!;
      continue;
    }
    const kp = result.keypoints;
    if (kp.length < 3) throw new CocoEvalError(`results[${i}] (image ${result.image_id}) has no keypoints`);
    let minX = kp[0]!;
    let maxX = minX;
    let minY = kp[1]!;
    let maxY = minY;
    for (let j = 3; j + 1 < kp.length; j += 3) {
      const x = kp[j]!;
      const y = kp[j + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    areas[i] = (maxX - minX) * (maxY - minY);
  }
  return { areas, fromBboxes };
}

/**
 * Evaluates keypoint detections against ground truth exactly like pycocotools'
 * `COCOeval(gt, gt.loadRes(results), 'keypoints')` with `evaluate(); accumulate(); summarize()`.
 *
 * @param gt ground truth (see parseGroundTruth); coordinates in image pixels, `area` in px²
 * @param results detections; detection ids are their 1-based positions in this list, as in loadRes
 * @param options parameter overrides; the defaults are pycocotools' keypoint defaults
 * @throws CocoEvalError where pycocotools fails: empty `results` (README 2), a result whose `image_id` is not
 *   an image of `gt` (loadRes assert), keypoint arrays whose length is not 3 × sigmas, or a bbox branch
 *   (README 2) with a detection lacking a bbox
 */
export function evaluateKeypoints(
  gt: CocoKeypointsGroundTruth,
  results: readonly CocoKeypointResult[],
  options: KeypointEvalOptions = {},
): KeypointEvalResult {
  const params = resolveKeypointEvalParams(options);
  const keepDetail = options.perImageDetail ?? true;
  const numKeypoints = params.sigmas.length;
  const stride = numKeypoints * 3;
  const thresholds = params.oksThresholds;
  const T = thresholds.length;
  const R = params.recallThresholds.length;
  const A = params.areaRanges.length;
  const maxDet = params.maxDetections;

  // --- loadRes checks (README 2) ---
  if (results.length === 0) {
    throw new CocoEvalError(
      'the results list is empty: pycocotools cannot evaluate it (loadRes reads results[0]); give at least one detection',
    );
  }
  const imageIds = sortedUnique(gt.images.map((image) => image.id));
  const imagePos = new Map<number, number>();
  imageIds.forEach((id, i) => imagePos.set(id, i));
  const unknownImageIds = new Set<number>();
  for (const result of results) if (!imagePos.has(result.image_id)) unknownImageIds.add(result.image_id);
  if (unknownImageIds.size > 0) {
    const shown = [...unknownImageIds].slice(0, 5).join(', ');
    throw new CocoEvalError(
      `results refer to ${unknownImageIds.size} image id(s) that are not in the ground truth (${shown}` +
        `${unknownImageIds.size > 5 ? ', ...' : ''}); pycocotools refuses such results ("Results do not correspond to current coco set")`,
    );
  }
  const { areas: dtAreas, fromBboxes } = detectionAreas(results);

  const categoryIds = sortedUnique(gt.categories.map((category) => category.id));
  const categoryPos = new Map<number, number>();
  categoryIds.forEach((id, i) => categoryPos.set(id, i));
  const numImages = imageIds.length;
  const numCategories = categoryIds.length;
  const numGroups = numImages * numCategories;

  // --- Flatten ground truth; only annotations of known images and categories take part (pycocotools' getAnnIds). ---
  const annotations = gt.annotations;
  const gtGroupCount = new Int32Array(numGroups + 1);
  const gtGroupOf = new Int32Array(annotations.length).fill(-1);
  for (let i = 0; i < annotations.length; i++) {
    const ann = annotations[i]!;
    const ip = imagePos.get(ann.image_id);
    const cp = categoryPos.get(ann.category_id);
    if (ip === undefined || cp === undefined) continue;
    if (ann.keypoints.length !== stride) {
      throw new CocoEvalError(
        `annotations[${i}] (id ${ann.id}) has ${ann.keypoints.length} keypoint numbers, expected ${stride} (3 × ${numKeypoints} sigmas)`,
      );
    }
    const group = cp * numImages + ip;
    gtGroupOf[i] = group;
    gtGroupCount[group + 1]!++;
  }
  const gtGroupStart = prefixSum(gtGroupCount);
  const gtByGroup = fillGroups(gtGroupOf, gtGroupStart);

  // --- Group detections the same way, file order within a group. ---
  const dtGroupCount = new Int32Array(numGroups + 1);
  const dtGroupOf = new Int32Array(results.length).fill(-1);
  const dtScore = new Float64Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    dtScore[i] = result.score;
    const cp = categoryPos.get(result.category_id);
    if (cp === undefined) continue; // pycocotools evaluates only the ground truth's categories
    if (result.keypoints.length !== stride) {
      throw new CocoEvalError(
        `results[${i}] (image ${result.image_id}) has ${result.keypoints.length} keypoint numbers, expected ${stride} (3 × ${numKeypoints} sigmas)`,
      );
    }
    const group = cp * numImages + imagePos.get(result.image_id)!;
    dtGroupOf[i] = group;
    dtGroupCount[group + 1]!++;
  }
  const dtGroupStart = prefixSum(dtGroupCount);
  const dtByGroup = fillGroups(dtGroupOf, dtGroupStart);

  // Keypoints flattened into typed arrays so the OKS loop reads contiguous memory.
  const dtKeypoints = new Float64Array(results.length * stride);
  for (let i = 0; i < results.length; i++) {
    if (dtGroupOf[i]! < 0) continue;
    const kp = results[i]!.keypoints;
    for (let j = 0; j < stride; j++) dtKeypoints[i * stride + j] = kp[j]!;
  }
  const variances = new Float64Array(numKeypoints);
  for (let k = 0; k < numKeypoints; k++) {
    const twoSigma = params.sigmas[k]! * 2;
    variances[k] = twoSigma * twoSigma; // numpy: (sigmas * 2) ** 2
  }

  // --- Output arrays (README 10: -1 where nothing is computed). ---
  const precision = new Float64Array(T * R * numCategories * A).fill(-1);
  const scoresOut = new Float64Array(T * R * numCategories * A).fill(-1);
  const recall = new Float64Array(T * numCategories * A).fill(-1);
  const perImage: ImageEvaluation[] = [];

  // Scratch buffers reused across images.
  const maxGtPerImage = maxGroupSize(gtGroupStart);
  const maxDtPerImage = Math.min(maxGroupSize(dtGroupStart), maxDet);
  const expTerms = new Float64Array(numKeypoints);
  const gtIgnoreBase = new Uint8Array(maxGtPerImage);
  const gtIgnoreByFile = new Uint8Array(maxGtPerImage);
  const orderScratch = new Int32Array(maxGtPerImage);
  const ignoreOrdered = new Uint8Array(maxGtPerImage);
  const crowdOrdered = new Uint8Array(maxGtPerImage);
  const gtMatchDt = new Float64Array(T * maxGtPerImage);
  const dtMatchGtPos = new Int32Array(T * maxDtPerImage);
  const dtIgnoreScratch = new Uint8Array(T * maxDtPerImage);
  const oksScratch = new Float64Array(maxDtPerImage * maxGtPerImage);
  const dtOrder = Int32Array.from(dtByGroup);
  const loosestT = indexOfMin(thresholds);

  for (let cp = 0; cp < numCategories; cp++) {
    // Per area range, every kept detection of this category in ascending image order (README 8):
    // 1 = true positive, 2 = false positive, 0 = ignored, for each threshold.
    let catDetCount = 0;
    for (let ip = 0; ip < numImages; ip++) {
      const g = cp * numImages + ip;
      catDetCount += Math.min(dtGroupStart[g + 1]! - dtGroupStart[g]!, maxDet);
    }
    const catScores = new Float64Array(catDetCount);
    const catStatus = new Uint8Array(A * T * catDetCount);
    const notIgnoredGtCount = new Float64Array(A);
    let anyImage = false;
    let catCursor = 0;

    for (let ip = 0; ip < numImages; ip++) {
      const group = cp * numImages + ip;
      const gtStart = gtGroupStart[group]!;
      const G = gtGroupStart[group + 1]! - gtStart;
      const dtStart = dtGroupStart[group]!;
      const dtCountAll = dtGroupStart[group + 1]! - dtStart;
      if (G === 0 && dtCountAll === 0) continue; // pycocotools: evaluateImg returns None (README 8)
      anyImage = true;

      // README 5: stable sort by score, then keep the first maxDet before anything else.
      stableSortByScoreDesc(dtOrder, dtStart, dtCountAll, dtScore);
      const D = Math.min(dtCountAll, maxDet);

      // --- OKS matrix D×G, columns in file order (pycocotools computeOks). ---
      for (let gj = 0; gj < G; gj++) {
        const annIndex = gtByGroup[gtStart + gj]!;
        const ann = annotations[annIndex]!;
        const gk = ann.keypoints;
        const areaDenominator = ann.area + FLOAT64_EPS;
        let labelled = 0;
        for (let k = 0; k < numKeypoints; k++) if (gk[k * 3 + 2]! > 0) labelled++;
        gtIgnoreBase[gj] = ann.iscrowd || ann.num_keypoints === 0 ? 1 : 0; // README 3
        if (labelled > 0) {
          for (let d = 0; d < D; d++) {
            const base = dtOrder[dtStart + d]! * stride;
            let n = 0;
            for (let k = 0; k < numKeypoints; k++) {
              if (!(gk[k * 3 + 2]! > 0)) continue;
              const dx = dtKeypoints[base + k * 3]! - gk[k * 3]!;
              const dy = dtKeypoints[base + k * 3 + 1]! - gk[k * 3 + 1]!;
              // Same operation order as pycocotools: (dx² + dy²) / vars / (area + eps) / 2.
              const e = (dx * dx + dy * dy) / variances[k]! / areaDenominator / 2;
              expTerms[n++] = Math.exp(-e);
            }
            oksScratch[d * G + gj] = numpyPairwiseSum(expTerms, 0, n) / n;
          }
        } else {
          // README 4: no labelled keypoint: distance to the bbox grown by its own w/h on every side, all K points.
          const [bx, by, bw, bh] = ann.bbox;
          const x0 = bx - bw;
          const x1 = bx + bw * 2;
          const y0 = by - bh;
          const y1 = by + bh * 2;
          for (let d = 0; d < D; d++) {
            const base = dtOrder[dtStart + d]! * stride;
            for (let k = 0; k < numKeypoints; k++) {
              const xd = dtKeypoints[base + k * 3]!;
              const yd = dtKeypoints[base + k * 3 + 1]!;
              const dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
              const dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
              const e = (dx * dx + dy * dy) / variances[k]! / areaDenominator / 2;
              expTerms[k] = Math.exp(-e);
            }
            oksScratch[d * G + gj] = numpyPairwiseSum(expTerms, 0, numKeypoints) / numKeypoints;
          }
        }
      }

      for (let d = 0; d < D; d++) catScores[catCursor + d] = dtScore[dtOrder[dtStart + d]!]!;

      const areaDetails: ImageAreaMatches[] = [];
      let personMatchDet: Int32Array | null = null; // per file-order GT, at the loosest threshold, first range
      let firstRangeFalsePositives = 0;
      const firstRangeIgnored = new Uint8Array(keepDetail ? G : 0);

      for (let a = 0; a < A; a++) {
        const range = params.areaRanges[a]!;
        // README 3: ignore = crowd / no keypoints / area outside the (inclusive, README 7) range.
        // Matching order: not-ignored first, file order within each group (stable argsort, README 6).
        let w = 0;
        for (let gj = 0; gj < G; gj++) {
          const area = annotations[gtByGroup[gtStart + gj]!]!.area;
          const ignored = gtIgnoreBase[gj]! === 1 || area < range.minAreaPx2 || area > range.maxAreaPx2;
          gtIgnoreByFile[gj] = ignored ? 1 : 0;
          if (!ignored) orderScratch[w++] = gj;
        }
        const notIgnored = w;
        notIgnoredGtCount[a]! += notIgnored;
        for (let gj = 0; gj < G; gj++) if (gtIgnoreByFile[gj] === 1) orderScratch[w++] = gj;
        for (let j = 0; j < G; j++) {
          ignoreOrdered[j] = j >= notIgnored ? 1 : 0;
          crowdOrdered[j] = annotations[gtByGroup[gtStart + orderScratch[j]!]!]!.iscrowd;
        }
        gtMatchDt.fill(0, 0, T * G);
        dtMatchGtPos.fill(-1, 0, T * D);
        dtIgnoreScratch.fill(0, 0, T * D);

        // README 6: greedy matching per threshold, detections in score order.
        for (let t = 0; t < T; t++) {
          const threshold = Math.min(thresholds[t]!, 1 - 1e-10);
          const gtRow = t * G;
          for (let d = 0; d < D; d++) {
            let best = threshold;
            let m = -1;
            const oksRow = d * G;
            for (let j = 0; j < G; j++) {
              if (gtMatchDt[gtRow + j]! > 0 && crowdOrdered[j] === 0) continue;
              if (m > -1 && ignoreOrdered[m] === 0 && ignoreOrdered[j] === 1) break;
              const value = oksScratch[oksRow + orderScratch[j]!]!;
              if (value < best) continue;
              best = value;
              m = j;
            }
            if (m === -1) continue;
            dtIgnoreScratch[t * D + d] = ignoreOrdered[m]!;
            dtMatchGtPos[t * D + d] = m;
            gtMatchDt[gtRow + m] = dtOrder[dtStart + d]! + 1;
          }
        }

        // Unmatched detections outside the area range are ignored (README 6). pycocotools tests "unmatched" as
        // "matched annotation id == 0", so a match to an annotation whose id is 0 also counts as unmatched here
        // and in accumulate; that quirk is kept.
        for (let t = 0; t < T; t++) {
          for (let d = 0; d < D; d++) {
            const m = dtMatchGtPos[t * D + d]!;
            const matchedId = m < 0 ? 0 : annotations[gtByGroup[gtStart + orderScratch[m]!]!]!.id;
            const dtArea = dtAreas[dtOrder[dtStart + d]!]!;
            if (matchedId === 0 && (dtArea < range.minAreaPx2 || dtArea > range.maxAreaPx2)) {
              dtIgnoreScratch[t * D + d] = 1;
            }
            const ignored = dtIgnoreScratch[t * D + d] === 1;
            catStatus[(a * T + t) * catDetCount + catCursor + d] = ignored ? 0 : matchedId !== 0 ? 1 : 2;
          }
        }

        if (!keepDetail) continue;
        const gtIds = new Float64Array(G);
        const gtOrder = new Int32Array(G);
        for (let j = 0; j < G; j++) {
          gtOrder[j] = orderScratch[j]!;
          gtIds[j] = annotations[gtByGroup[gtStart + orderScratch[j]!]!]!.id;
        }
        const dtMatches = new Float64Array(T * D);
        for (let i = 0; i < T * D; i++) {
          const m = dtMatchGtPos[i]!;
          if (m >= 0) dtMatches[i] = gtIds[m]!;
        }
        areaDetails.push({
          areaLabel: range.label,
          gtOrder,
          gtIds,
          gtIgnore: ignoreOrdered.slice(0, G),
          dtMatches,
          gtMatches: gtMatchDt.slice(0, T * G),
          dtIgnore: dtIgnoreScratch.slice(0, T * D),
        });
        if (a === 0) {
          personMatchDet = new Int32Array(G).fill(-1);
          for (let j = 0; j < G; j++) {
            const gj = orderScratch[j]!;
            firstRangeIgnored[gj] = ignoreOrdered[j]!;
            const dtId = gtMatchDt[loosestT * G + j]!;
            if (dtId > 0) personMatchDet[gj] = dtId - 1;
          }
          for (let d = 0; d < D; d++) {
            const i = loosestT * D + d;
            if (dtIgnoreScratch[i] === 0 && (dtMatchGtPos[i]! < 0 || dtMatches[i] === 0)) firstRangeFalsePositives++;
          }
        }
      }

      if (keepDetail) {
        const gtAnnotationIndices = gtByGroup.slice(gtStart, gtStart + G);
        const detectionIndices = dtOrder.slice(dtStart, dtStart + D);
        const detectionIds = new Float64Array(D);
        for (let d = 0; d < D; d++) detectionIds[d] = detectionIndices[d]! + 1;
        const oks = oksScratch.slice(0, D * G);
        const persons: PersonOks[] = [];
        let oksSum = 0;
        for (let gj = 0; gj < G; gj++) {
          if (firstRangeIgnored[gj] === 1) continue;
          const detectionIndex = personMatchDet ? personMatchDet[gj]! : -1;
          let matchedOks = 0;
          let maxOks = 0;
          for (let d = 0; d < D; d++) {
            const value = oks[d * G + gj]!;
            if (value > maxOks) maxOks = value;
            if (detectionIndices[d] === detectionIndex) matchedOks = value;
          }
          oksSum += matchedOks;
          const annIndex = gtAnnotationIndices[gj]!;
          persons.push({
            annotationIndex: annIndex,
            annotationId: annotations[annIndex]!.id,
            oks: matchedOks,
            detectionIndex,
            maxOks,
          });
        }
        perImage.push({
          imageId: imageIds[ip]!,
          categoryId: categoryIds[cp]!,
          gtAnnotationIndices,
          gtIds: Float64Array.from(gtAnnotationIndices, (i) => annotations[i]!.id),
          detectionIndices,
          detectionIds,
          detectionScores: Float64Array.from(detectionIndices, (i) => dtScore[i]!),
          detectionCountBeforeCut: dtCountAll,
          oks,
          areas: areaDetails,
          persons,
          meanPersonOks: persons.length > 0 ? oksSum / persons.length : null,
          falsePositives: firstRangeFalsePositives,
        });
      }
      catCursor += D;
    }

    if (!anyImage) continue; // README 10: nothing to accumulate, stays -1
    accumulateCategory({
      categoryPos: cp,
      numCategories,
      areaCount: A,
      params,
      scores: catScores,
      status: catStatus,
      notIgnoredGtCount,
      precision,
      scoresOut,
      recall,
    });
  }

  const precisionShape = [T, R, numCategories, A] as const;
  const recallShape = [T, numCategories, A] as const;
  const stats = summarizeKeypoints(params, precision, precisionShape, recall, recallShape);
  return {
    stats,
    statsNames: KEYPOINT_STATS_NAMES,
    summaryLines: summaryLines(params, stats),
    params,
    imageIds,
    categoryIds,
    precision,
    precisionShape,
    scores: scoresOut,
    recall,
    recallShape,
    detectionAreasPx2: dtAreas,
    areasFromBboxes: fromBboxes,
    perImage,
  };
}

/**
 * pycocotools `accumulate` for one category: precision envelope, recall and the precision sampled at each recall
 * threshold, for every area range and OKS threshold (README 8).
 */
function accumulateCategory(input: {
  categoryPos: number;
  numCategories: number;
  areaCount: number;
  params: KeypointEvalParams;
  /** Kept detections of the category, concatenated in ascending image order. */
  scores: Float64Array;
  /** [area][threshold][detection]: 1 TP, 2 FP, 0 ignored. */
  status: Uint8Array;
  notIgnoredGtCount: Float64Array;
  precision: Float64Array;
  scoresOut: Float64Array;
  recall: Float64Array;
}): void {
  const { categoryPos: k, numCategories, areaCount: A, params, scores, status, notIgnoredGtCount } = input;
  const T = params.oksThresholds.length;
  const R = params.recallThresholds.length;
  const N = scores.length;
  // README 8: stable sort by score descending across images (ties: image order, then file order).
  const order = new Int32Array(N);
  for (let i = 0; i < N; i++) order[i] = i;
  stableSortByScoreDesc(order, 0, N, scores);
  const recallCurve = new Float64Array(N);
  const precisionCurve = new Float64Array(N);
  for (let a = 0; a < A; a++) {
    const npig = notIgnoredGtCount[a]!;
    if (npig === 0) continue; // README 10: no ground truth in this range, stays -1
    for (let t = 0; t < T; t++) {
      const offset = (a * T + t) * N;
      let tp = 0;
      let fp = 0;
      for (let n = 0; n < N; n++) {
        const s = status[offset + order[n]!]!;
        if (s === 1) tp++;
        else if (s === 2) fp++;
        recallCurve[n] = tp / npig;
        precisionCurve[n] = tp / (fp + tp + FLOAT64_EPS);
      }
      input.recall[(t * numCategories + k) * A + a] = N > 0 ? recallCurve[N - 1]! : 0;
      // Precision envelope: non-increasing from the right.
      for (let n = N - 1; n > 0; n--) {
        if (precisionCurve[n]! > precisionCurve[n - 1]!) precisionCurve[n - 1] = precisionCurve[n]!;
      }
      // For each recall threshold the first index with recall >= threshold (np.searchsorted, side 'left');
      // thresholds beyond the final recall keep 0 (pycocotools' swallowed IndexError).
      let n = 0;
      for (let r = 0; r < R; r++) {
        const rThreshold = params.recallThresholds[r]!;
        while (n < N && recallCurve[n]! < rThreshold) n++;
        const at = ((t * R + r) * numCategories + k) * A + a;
        input.precision[at] = n < N ? precisionCurve[n]! : 0;
        input.scoresOut[at] = n < N ? scores[order[n]!]! : 0;
      }
    }
  }
}

function prefixSum(counts: Int32Array): Int32Array {
  for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
  return counts;
}

/** Members of each group in input order, laid out by `start` (a counting sort). */
function fillGroups(groupOf: Int32Array, start: Int32Array): Int32Array {
  const out = new Int32Array(start[start.length - 1]!);
  const cursor = start.slice(0, start.length - 1);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i]!;
    if (g >= 0) out[cursor[g]!++] = i;
  }
  return out;
}

function maxGroupSize(start: Int32Array): number {
  let max = 0;
  for (let i = 0; i + 1 < start.length; i++) max = Math.max(max, start[i + 1]! - start[i]!);
  return max;
}

function indexOfMin(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return best;
}

/**
 * pycocotools `_summarizeKps`: the mean (numpy pairwise, README 11) of the entries > -1 of a precision or recall
 * slice; -1 when there are none (README 10). A threshold is selected by exact equality, as `np.where(iouThr == iouThrs)`.
 */
function summarizeKeypoints(
  params: KeypointEvalParams,
  precision: Float64Array,
  precisionShape: readonly [number, number, number, number],
  recall: Float64Array,
  recallShape: readonly [number, number, number],
): number[] {
  const [T, R, K, A] = precisionShape;
  const areaIndex = (label: string): number => params.areaRanges.findIndex((range) => range.label === label);
  const thresholdIndices = (oks: number | null): number[] => {
    const out: number[] = [];
    for (let t = 0; t < T; t++) if (oks === null || params.oksThresholds[t] === oks) out.push(t);
    return out;
  };
  const meanOrMinusOne = (values: number[]): number =>
    values.length === 0 ? -1 : numpyPairwiseSum(values) / values.length;

  const ap = (oks: number | null, label: string): number => {
    const a = areaIndex(label);
    if (a < 0) return -1;
    const values: number[] = [];
    // C order of s[t, r, k, a]: t, then r, then k.
    for (const t of thresholdIndices(oks)) {
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K; k++) {
          const v = precision[((t * R + r) * K + k) * A + a]!;
          if (v > -1) values.push(v);
        }
      }
    }
    return meanOrMinusOne(values);
  };
  const ar = (oks: number | null, label: string): number => {
    const a = areaIndex(label);
    if (a < 0) return -1;
    const [, Kr, Ar] = recallShape;
    const values: number[] = [];
    for (const t of thresholdIndices(oks)) {
      for (let k = 0; k < Kr; k++) {
        const v = recall[(t * Kr + k) * Ar + a]!;
        if (v > -1) values.push(v);
      }
    }
    return meanOrMinusOne(values);
  };
  return [
    ap(null, 'all'),
    ap(0.5, 'all'),
    ap(0.75, 'all'),
    ap(null, 'medium'),
    ap(null, 'large'),
    ar(null, 'all'),
    ar(0.5, 'all'),
    ar(0.75, 'all'),
    ar(null, 'medium'),
    ar(null, 'large'),
  ];
}

/** The lines pycocotools prints in `summarize()` for keypoints. */
function summaryLines(params: KeypointEvalParams, stats: readonly number[]): string[] {
  const first = params.oksThresholds[0] ?? Number.NaN;
  const last = params.oksThresholds[params.oksThresholds.length - 1] ?? Number.NaN;
  const rows: [ap: boolean, oks: number | null, area: string][] = [
    [true, null, 'all'],
    [true, 0.5, 'all'],
    [true, 0.75, 'all'],
    [true, null, 'medium'],
    [true, null, 'large'],
    [false, null, 'all'],
    [false, 0.5, 'all'],
    [false, 0.75, 'all'],
    [false, null, 'medium'],
    [false, null, 'large'],
  ];
  return rows.map(([ap, oks, area], i) => {
    const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = ap ? '(AP)' : '(AR)';
    const iou = (oks === null ? `${first.toFixed(2)}:${last.toFixed(2)}` : oks.toFixed(2)).padEnd(9);
    const maxDets = String(params.maxDetections).padStart(3);
    return ` ${title} ${type} @[ IoU=${iou} | area=${area.padStart(6)} | maxDets=${maxDets} ] = ${formatFixed3LikePython(stats[i]!)}`;
  });
}

/**
 * Images worst first for review: lowest `meanPersonOks` first (images without a scorable person last), then more
 * false positives first, then ascending image id. Returns a new array.
 */
export function sortImagesWorstFirst(images: readonly ImageEvaluation[]): ImageEvaluation[] {
  return [...images].sort((a, b) => {
    const am = a.meanPersonOks ?? Number.POSITIVE_INFINITY;
    const bm = b.meanPersonOks ?? Number.POSITIVE_INFINITY;
    if (am !== bm) return am - bm;
    if (a.falsePositives !== b.falsePositives) return b.falsePositives - a.falsePositives;
    return a.imageId - b.imageId || a.categoryId - b.categoryId;
  });
}
