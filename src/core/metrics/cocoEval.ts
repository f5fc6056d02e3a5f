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
 * sort; the OKS, matching and accumulation loops then run in preallocated buffers, and per-image results are views
 * into shared slabs. 5,000 images × 20 detections take about half a second in Node (scripts/bench-eval.ts).
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import { formatFixed3LikePython, numpyLinspace, numpyPairwiseSum } from './numpyCompat';
import { groundTruthLayout } from '../layouts';
import { COCO_KEYPOINT_SIGMAS, FLOAT64_EPS } from './oks';

// Module-local copies: some module loaders (tsx, vitest) turn imported bindings into getters, which the hot loops
// would otherwise call millions of times.
const EPS = FLOAT64_EPS;
const pairwiseSum = numpyPairwiseSum;

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

/**
 * Everything computed for one (image, category) that has ground truth or detections. The typed arrays here are
 * views that share larger ArrayBuffers with other images' arrays: read them, but do not transfer or reuse `.buffer`.
 */
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

/** Sorted unique ids, as `np.unique` gives them (pycocotools' `params.imgIds` / `catIds`). */
function sortedUnique(ids: Iterable<number>): Float64Array {
  return Float64Array.from(new Set(ids)).sort();
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
  order.subarray(start, start + count).sort((a, b) => {
    const sa = score[a]!;
    const sb = score[b]!;
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  });
}

/**
 * pycocotools' loadRes area when `results[0]` has a non-empty `bbox` (README 2): every area is `bbox w × h`.
 */
function bboxAreas(results: readonly CocoKeypointResult[], areas: Float64Array): void {
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    const bbox = result.bbox;
    if (!bbox || bbox.length < 4) {
      throw new CocoEvalError(
        `results[0] has a bbox, so pycocotools' loadRes takes every area from the bbox, but results[${i}] ` +
          `(image ${result.image_id}) has ${bbox ? 'an empty one' : 'none'}: pycocotools fails on this list. ` +
          'Give every detection a bbox, or none.',
      );
    }
    areas[i] = bbox[2]! * bbox[3]!;
  }
}

/**
 * pycocotools' default loadRes area (README 1): `(max x - min x) * (max y - min y)` over all keypoints, including
 * unlabelled (0, 0) ones. When `flatOut` is given the keypoints are also copied there (one pass over the input).
 */
function keypointExtentArea(keypoints: readonly number[], flatOut?: Float64Array, flatOffset = 0): number {
  const n = keypoints.length;
  if (n < 2) return Number.NaN;
  let minX = keypoints[0]!;
  let maxX = minX;
  let minY = keypoints[1]!;
  let maxY = minY;
  for (let j = 0; j + 1 < n; j += 3) {
    const x = keypoints[j]!;
    const y = keypoints[j + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (flatOut) {
      flatOut[flatOffset + j] = x;
      flatOut[flatOffset + j + 1] = y;
      flatOut[flatOffset + j + 2] = keypoints[j + 2] ?? 0;
    }
  }
  return (maxX - minX) * (maxY - minY);
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
  // Sigmas: the ground truth's layout's (COCO's person sigmas for the person category), unless given.
  const params = resolveKeypointEvalParams({ ...options, sigmas: options.sigmas ?? groundTruthLayout(gt).layout.oksSigmas });
  const keepDetail = options.perImageDetail ?? true;
  const numKeypoints = params.sigmas.length;
  const stride = numKeypoints * 3;
  const T = params.oksThresholds.length;
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
  // README 2: results[0] alone decides whether areas come from bboxes or from keypoint extents.
  const fromBboxes = (results[0]?.bbox?.length ?? 0) > 0;
  const dtAreas = new Float64Array(results.length);
  if (fromBboxes) bboxAreas(results, dtAreas);

  const categoryIds = sortedUnique(gt.categories.map((category) => category.id));
  const categoryPos = new Map<number, number>();
  categoryIds.forEach((id, i) => categoryPos.set(id, i));
  const numImages = imageIds.length;
  const numCategories = categoryIds.length;
  const numGroups = numImages * numCategories;

  // --- Ground truth grouped per (category, image), file order within a group; only annotations of known images
  // and categories take part (pycocotools' getAnnIds). Fields are copied into typed arrays for the hot loops. ---
  const annotations = gt.annotations;
  const nAnn = annotations.length;
  const gtGroupCount = new Int32Array(numGroups + 1);
  const gtGroupOf = new Int32Array(nAnn).fill(-1);
  const flat: FlatInputs = {
    stride,
    numKeypoints,
    gtKeypoints: new Float64Array(nAnn * stride),
    gtBbox: new Float64Array(nAnn * 4),
    gtArea: new Float64Array(nAnn),
    gtId: new Float64Array(nAnn),
    gtCrowd: new Uint8Array(nAnn),
    gtIgnoreBase: new Uint8Array(nAnn),
    dtKeypoints: new Float64Array(results.length * stride),
    dtArea: dtAreas,
    dtScore: new Float64Array(results.length),
    variances: new Float64Array(numKeypoints),
  };
  for (let i = 0; i < nAnn; i++) {
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
    for (let j = 0; j < stride; j++) flat.gtKeypoints[i * stride + j] = ann.keypoints[j]!;
    for (let j = 0; j < 4; j++) flat.gtBbox[i * 4 + j] = ann.bbox[j]!;
    flat.gtArea[i] = ann.area;
    flat.gtId[i] = ann.id;
    flat.gtCrowd[i] = ann.iscrowd ? 1 : 0;
    flat.gtIgnoreBase[i] = ann.iscrowd || ann.num_keypoints === 0 ? 1 : 0; // README 3
  }
  const gtGroupStart = prefixSum(gtGroupCount);
  const gtByGroup = fillGroups(gtGroupOf, gtGroupStart);

  // --- Detections grouped the same way, file order within a group. ---
  const dtGroupCount = new Int32Array(numGroups + 1);
  const dtGroupOf = new Int32Array(results.length).fill(-1);
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    flat.dtScore[i] = result.score;
    const cp = categoryPos.get(result.category_id);
    if (cp === undefined) {
      // pycocotools evaluates only the ground truth's categories (the area is still reported).
      if (!fromBboxes) dtAreas[i] = keypointExtentArea(result.keypoints);
      continue;
    }
    if (result.keypoints.length !== stride) {
      throw new CocoEvalError(
        `results[${i}] (image ${result.image_id}) has ${result.keypoints.length} keypoint numbers, expected ${stride} (3 × ${numKeypoints} sigmas)`,
      );
    }
    const group = cp * numImages + imagePos.get(result.image_id)!;
    dtGroupOf[i] = group;
    dtGroupCount[group + 1]!++;
    const extent = keypointExtentArea(result.keypoints, flat.dtKeypoints, i * stride);
    if (!fromBboxes) dtAreas[i] = extent;
  }
  const dtGroupStart = prefixSum(dtGroupCount);
  // Per group: detection indices, re-sorted by score below.
  const dtOrder = fillGroups(dtGroupOf, dtGroupStart);
  for (let k = 0; k < numKeypoints; k++) {
    const twoSigma = params.sigmas[k]! * 2;
    flat.variances[k] = twoSigma * twoSigma; // numpy: (sigmas * 2) ** 2
  }

  // --- Output arrays (README 10: -1 where nothing is computed). ---
  const precision = new Float64Array(T * R * numCategories * A).fill(-1);
  const scoresOut = new Float64Array(T * R * numCategories * A).fill(-1);
  const recall = new Float64Array(T * numCategories * A).fill(-1);
  const perImage: ImageEvaluation[] = [];
  const matcher = new ImageMatcher(
    flat,
    params,
    maxGroupSize(gtGroupStart),
    Math.min(maxGroupSize(dtGroupStart), maxDet),
  );
  const loosestT = indexOfMin(params.oksThresholds);
  const slab = new ArraySlab();

  for (let cp = 0; cp < numCategories; cp++) {
    // Every kept detection of this category, concatenated in ascending image order (README 8), with its status
    // per area range and threshold: 1 = true positive, 2 = false positive, 0 = ignored.
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
      stableSortByScoreDesc(dtOrder, dtStart, dtCountAll, flat.dtScore);
      const D = Math.min(dtCountAll, maxDet);
      const gtIndices = gtByGroup.subarray(gtStart, gtStart + G);
      const dtIndices = dtOrder.subarray(dtStart, dtStart + D);
      matcher.computeOks(gtIndices, dtIndices);
      for (let d = 0; d < D; d++) catScores[catCursor + d] = flat.dtScore[dtIndices[d]!]!;

      const areaDetails: ImageAreaMatches[] = [];
      let personMatchDet: Int32Array | null = null; // per file-order GT: results index matched at loosestT, range 0
      let personIgnored: Uint8Array | null = null;
      let falsePositives = 0;
      for (let a = 0; a < A; a++) {
        notIgnoredGtCount[a]! += matcher.matchRange(a, gtIndices, dtIndices, catStatus, a * T * catDetCount + catCursor, catDetCount);
        if (!keepDetail) continue;
        const detail = matcher.snapshot(a, gtIndices, slab);
        areaDetails.push(detail);
        if (a === 0) {
          personMatchDet = slab.i32(G).fill(-1);
          personIgnored = slab.u8(G);
          for (let j = 0; j < G; j++) {
            const gj = detail.gtOrder[j]!;
            personIgnored[gj] = detail.gtIgnore[j]!;
            const dtId = detail.gtMatches[loosestT * G + j]!;
            if (dtId > 0) personMatchDet[gj] = dtId - 1;
          }
          for (let d = 0; d < D; d++) {
            const i = loosestT * D + d;
            if (detail.dtIgnore[i] === 0 && detail.dtMatches[i] === 0) falsePositives++;
          }
        }
      }

      if (keepDetail) {
        const gtAnnotationIndices = slab.copy(gtIndices, G);
        const detectionIndices = slab.copy(dtIndices, D);
        const oks = slab.copy(matcher.oks, D * G);
        const gtIds = slab.f64(G);
        for (let gj = 0; gj < G; gj++) gtIds[gj] = flat.gtId[gtAnnotationIndices[gj]!]!;
        const detectionIds = slab.f64(D);
        const detectionScores = slab.f64(D);
        for (let d = 0; d < D; d++) {
          detectionIds[d] = detectionIndices[d]! + 1;
          detectionScores[d] = flat.dtScore[detectionIndices[d]!]!;
        }
        const persons: PersonOks[] = [];
        let oksSum = 0;
        for (let gj = 0; gj < G; gj++) {
          if (personIgnored?.[gj] !== 0) continue;
          const detectionIndex = personMatchDet?.[gj] ?? -1;
          let matchedOks = 0;
          let maxOks = 0;
          for (let d = 0; d < D; d++) {
            const value = oks[d * G + gj]!;
            if (value > maxOks) maxOks = value;
            if (detectionIndices[d] === detectionIndex) matchedOks = value;
          }
          oksSum += matchedOks;
          const annotationIndex = gtAnnotationIndices[gj]!;
          persons.push({ annotationIndex, annotationId: flat.gtId[annotationIndex]!, oks: matchedOks, detectionIndex, maxOks });
        }
        perImage.push({
          imageId: imageIds[ip]!,
          categoryId: categoryIds[cp]!,
          gtAnnotationIndices,
          gtIds,
          detectionIndices,
          detectionIds,
          detectionScores,
          detectionCountBeforeCut: dtCountAll,
          oks,
          areas: areaDetails,
          persons,
          meanPersonOks: persons.length > 0 ? oksSum / persons.length : null,
          falsePositives,
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
 * Hands out typed-array views into large shared ArrayBuffers. The per-image detail needs about 30 small arrays per
 * image; giving each its own buffer made allocation and garbage collection a large share of the run time.
 */
class ArraySlab {
  private buffer = new ArrayBuffer(0);
  private offset = 0;

  constructor(private readonly chunkBytes = 1 << 20) {}

  private take(bytes: number): number {
    const aligned = (bytes + 7) & ~7;
    if (this.offset + aligned > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(this.chunkBytes, aligned));
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += aligned;
    return at;
  }

  f64(length: number): Float64Array {
    const at = this.take(length * 8); // before reading this.buffer: take() may replace it
    return new Float64Array(this.buffer, at, length);
  }

  i32(length: number): Int32Array {
    const at = this.take(length * 4); // before reading this.buffer: take() may replace it
    return new Int32Array(this.buffer, at, length);
  }

  u8(length: number): Uint8Array {
    const at = this.take(length);
    return new Uint8Array(this.buffer, at, length);
  }

  /** Copy of `source[0 .. length)` (the buffer of the returned view may already hold other views). */
  copy<A extends Float64Array | Int32Array | Uint8Array>(source: A, length: number): A {
    const out = (
      source instanceof Float64Array ? this.f64(length) : source instanceof Int32Array ? this.i32(length) : this.u8(length)
    ) as A;
    out.set(source.subarray(0, length));
    return out;
  }
}

/** Inputs copied into typed arrays, indexed by annotation index (gt) or results index (dt). */
interface FlatInputs {
  readonly stride: number;
  readonly numKeypoints: number;
  readonly gtKeypoints: Float64Array;
  readonly gtBbox: Float64Array;
  readonly gtArea: Float64Array;
  readonly gtId: Float64Array;
  readonly gtCrowd: Uint8Array;
  /** crowd or num_keypoints == 0 (README 3). */
  readonly gtIgnoreBase: Uint8Array;
  readonly dtKeypoints: Float64Array;
  readonly dtArea: Float64Array;
  readonly dtScore: Float64Array;
  /** (2σ)² per keypoint. */
  readonly variances: Float64Array;
}

/**
 * pycocotools `computeOks` and `evaluateImg` for one image at a time, in preallocated buffers sized for the
 * largest image, so the loops allocate nothing.
 */
class ImageMatcher {
  /** D×G OKS of the current image, rows = detections in score order, columns = ground truth in file order. */
  readonly oks: Float64Array;
  /** Per detection of the current image: its highest OKS with any ground truth (-1 without ground truth). */
  private readonly dtMaxOks: Float64Array;
  private readonly expTerms: Float64Array;
  private readonly labelled: Int32Array;
  private readonly gtOrder: Int32Array;
  private readonly gtIgnore: Uint8Array;
  private readonly gtCrowd: Uint8Array;
  private readonly gtMatches: Float64Array;
  private readonly dtMatchPos: Int32Array;
  private readonly dtIgnore: Uint8Array;
  private readonly thresholds: Float64Array;
  private G = 0;
  private D = 0;

  constructor(
    private readonly flat: FlatInputs,
    private readonly params: KeypointEvalParams,
    maxGt: number,
    maxDt: number,
  ) {
    const T = params.oksThresholds.length;
    this.oks = new Float64Array(maxGt * maxDt);
    this.dtMaxOks = new Float64Array(maxDt);
    this.expTerms = new Float64Array(flat.numKeypoints);
    this.labelled = new Int32Array(flat.numKeypoints);
    this.gtOrder = new Int32Array(maxGt);
    this.gtIgnore = new Uint8Array(maxGt);
    this.gtCrowd = new Uint8Array(maxGt);
    this.gtMatches = new Float64Array(T * maxGt);
    this.dtMatchPos = new Int32Array(T * maxDt);
    this.dtIgnore = new Uint8Array(T * maxDt);
    // README 6: pycocotools compares against min(threshold, 1 - 1e-10).
    this.thresholds = params.oksThresholds.map((t) => Math.min(t, 1 - 1e-10));
  }

  /** OKS matrix of one image (README 4), same operation order as pycocotools. */
  computeOks(gtIndices: Int32Array, dtIndices: Int32Array): void {
    const { stride, numKeypoints, gtKeypoints, gtBbox, gtArea, dtKeypoints, variances } = this.flat;
    const { oks, expTerms, labelled } = this;
    const G = gtIndices.length;
    const D = dtIndices.length;
    this.G = G;
    this.D = D;
    for (let gj = 0; gj < G; gj++) {
      const gi = gtIndices[gj]!;
      const gBase = gi * stride;
      const areaDenominator = gtArea[gi]! + EPS;
      let nLabelled = 0;
      for (let k = 0; k < numKeypoints; k++) if (gtKeypoints[gBase + k * 3 + 2]! > 0) labelled[nLabelled++] = k;
      if (nLabelled > 0) {
        for (let d = 0; d < D; d++) {
          const dBase = dtIndices[d]! * stride;
          for (let i = 0; i < nLabelled; i++) {
            const k3 = labelled[i]! * 3;
            const dx = dtKeypoints[dBase + k3]! - gtKeypoints[gBase + k3]!;
            const dy = dtKeypoints[dBase + k3 + 1]! - gtKeypoints[gBase + k3 + 1]!;
            // (dx² + dy²) / vars / (area + eps) / 2 in pycocotools' order; × 0.5 is bit-identical to / 2.
            expTerms[i] = Math.exp(-((dx * dx + dy * dy) / variances[labelled[i]!]! / areaDenominator) * 0.5);
          }
          oks[d * G + gj] = pairwiseSum(expTerms, 0, nLabelled) / nLabelled;
        }
      } else {
        // No labelled keypoint: distance to the bbox grown by its own w/h on every side, over all K points.
        const bx = gtBbox[gi * 4]!;
        const by = gtBbox[gi * 4 + 1]!;
        const bw = gtBbox[gi * 4 + 2]!;
        const bh = gtBbox[gi * 4 + 3]!;
        const x0 = bx - bw;
        const x1 = bx + bw * 2;
        const y0 = by - bh;
        const y1 = by + bh * 2;
        for (let d = 0; d < D; d++) {
          const dBase = dtIndices[d]! * stride;
          for (let k = 0; k < numKeypoints; k++) {
            const xd = dtKeypoints[dBase + k * 3]!;
            const yd = dtKeypoints[dBase + k * 3 + 1]!;
            const dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
            const dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
            expTerms[k] = Math.exp(-((dx * dx + dy * dy) / variances[k]! / areaDenominator) * 0.5);
          }
          oks[d * G + gj] = pairwiseSum(expTerms, 0, numKeypoints) / numKeypoints;
        }
      }
    }
    for (let d = 0; d < D; d++) {
      let max = -1;
      for (let gj = 0; gj < G; gj++) max = Math.max(max, oks[d * G + gj]!);
      this.dtMaxOks[d] = max;
    }
  }

  /**
   * pycocotools `evaluateImg` for area range `a` on the image whose OKS was computed last. Writes the status of
   * each detection per threshold into `status[offset + t * tStride + d]` and returns the count of not-ignored GT.
   */
  matchRange(
    a: number,
    gtIndices: Int32Array,
    dtIndices: Int32Array,
    status: Uint8Array,
    offset: number,
    tStride: number,
  ): number {
    const { gtArea, gtCrowd: crowdByAnn, gtIgnoreBase, gtId, dtArea } = this.flat;
    const { oks, dtMaxOks, gtOrder, gtIgnore, gtCrowd, gtMatches, dtMatchPos, dtIgnore, thresholds, G, D } = this;
    const range = this.params.areaRanges[a]!;
    const minArea = range.minAreaPx2;
    const maxArea = range.maxAreaPx2;
    const T = thresholds.length;

    // README 3 and 7: ignore = crowd / no keypoints / area outside the inclusive range. Matching order: not-ignored
    // first, file order within each group (stable argsort, README 6).
    let w = 0;
    for (let gj = 0; gj < G; gj++) {
      const gi = gtIndices[gj]!;
      const area = gtArea[gi]!;
      if (!(gtIgnoreBase[gi] === 1 || area < minArea || area > maxArea)) gtOrder[w++] = gj;
    }
    const notIgnored = w;
    for (let gj = 0; gj < G; gj++) {
      const gi = gtIndices[gj]!;
      const area = gtArea[gi]!;
      if (gtIgnoreBase[gi] === 1 || area < minArea || area > maxArea) gtOrder[w++] = gj;
    }
    for (let j = 0; j < G; j++) {
      gtIgnore[j] = j >= notIgnored ? 1 : 0;
      gtCrowd[j] = crowdByAnn[gtIndices[gtOrder[j]!]!]!;
    }
    gtMatches.fill(0, 0, T * G);
    dtMatchPos.fill(-1, 0, T * D);
    dtIgnore.fill(0, 0, T * D);

    // README 6: greedy matching per threshold, detections in score order; the last GT with the best OKS >= the
    // threshold wins; crowd GT stay available; once a not-ignored candidate exists, ignored GT are not considered.
    for (let t = 0; t < T; t++) {
      const threshold = thresholds[t]!;
      const gtRow = t * G;
      for (let d = 0; d < D; d++) {
        // Shortcut with the same outcome: no ground truth reaches the threshold, so the scan below would find none.
        if (dtMaxOks[d]! < threshold) continue;
        let best = threshold;
        let m = -1;
        const oksRow = d * G;
        for (let j = 0; j < G; j++) {
          if (gtMatches[gtRow + j]! > 0 && gtCrowd[j] === 0) continue;
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[j] === 1) break;
          const value = oks[oksRow + gtOrder[j]!]!;
          if (value < best) continue;
          best = value;
          m = j;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m]!;
        dtMatchPos[t * D + d] = m;
        gtMatches[gtRow + m] = dtIndices[d]! + 1;
      }
    }

    // Unmatched detections outside the area range are ignored (README 6). pycocotools tests "unmatched" as
    // "matched annotation id == 0", so a match to an annotation whose id is 0 counts as unmatched here and in
    // accumulate; the quirk is kept.
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        const i = t * D + d;
        const m = dtMatchPos[i]!;
        const matchedId = m < 0 ? 0 : gtId[gtIndices[gtOrder[m]!]!]!;
        const area = dtArea[dtIndices[d]!]!;
        if (matchedId === 0 && (area < minArea || area > maxArea)) dtIgnore[i] = 1;
        status[offset + t * tStride + d] = dtIgnore[i] === 1 ? 0 : matchedId !== 0 ? 1 : 2;
      }
    }
    return notIgnored;
  }

  /** Copies of the last `matchRange` result, in pycocotools' evalImgs layout. */
  snapshot(a: number, gtIndices: Int32Array, slab: ArraySlab): ImageAreaMatches {
    const { G, D } = this;
    const T = this.thresholds.length;
    const gtOrder = slab.copy(this.gtOrder, G);
    const gtIds = slab.f64(G);
    for (let j = 0; j < G; j++) gtIds[j] = this.flat.gtId[gtIndices[gtOrder[j]!]!]!;
    const dtMatches = slab.f64(T * D);
    for (let i = 0; i < T * D; i++) {
      const m = this.dtMatchPos[i]!;
      dtMatches[i] = m >= 0 ? gtIds[m]! : 0;
    }
    return {
      areaLabel: this.params.areaRanges[a]!.label,
      gtOrder,
      gtIds,
      gtIgnore: slab.copy(this.gtIgnore, G),
      dtMatches,
      gtMatches: slab.copy(this.gtMatches, T * G),
      dtIgnore: slab.copy(this.dtIgnore, T * D),
    };
  }
}

/**
 * pycocotools `accumulate` for one category: precision envelope, recall and the precision sampled at each recall
 * threshold, for every area range and OKS threshold (README 8). Exported for cocoAnalyze, which re-accumulates
 * matches after marking detections or ground truth as ignored.
 */
export function accumulateCategory(input: {
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
        precisionCurve[n] = tp / (fp + tp + EPS);
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

/**
 * The lines pycocotools prints in `summarize()` for keypoints, from the 10 stats (in
 * KEYPOINT_STATS_NAMES order) and the thresholds / detection cap they were computed with.
 */
export function summaryLines(params: Pick<KeypointEvalParams, 'oksThresholds' | 'maxDetections'>, stats: readonly number[]): string[] {
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
