/**
 * The per-image table the bootstrap resamples: everything the COCO keypoint stats, PCK and the median latency need
 * from each image, computed once by the exact evaluation, so that a resample only re-weights images.
 *
 * Why this is exact: in pycocotools every per-image step (the maxDets cut, OKS, greedy matching, the ignore flags)
 * looks at one image alone; only `accumulate` mixes images, by concatenating their kept detections in ascending
 * image-id order and sorting them by score with a stable mergesort. An image drawn k times therefore contributes its
 * per-image result k times, and the table keeps what accumulate reads: per kept detection its status at every OKS
 * threshold (true positive, false positive, ignored) in the full set's sort order, and per image the count of
 * not-ignored ground truth.
 *
 * Tie order of a resample: the k copies of an image are placed as if they had image ids right after the original's
 * (copy 1, copy 2, … between it and the next image). Detections with equal scores are grouped in "runs" of one image
 * (consecutive in the full set's stable order); a resample repeats each run k times in place, which is exactly the
 * stable order of that duplicated set.
 *
 * Everything here is plain data (typed arrays, numbers, strings): a table can be posted to a worker.
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import { CocoEvalError, evaluateKeypoints, resolveKeypointEvalParams, type KeypointEvalResult } from './cocoEval';
import { groundTruthLayout } from '../layouts';
import { computePck, pckPersonsFromEvaluation, type PckNormalizer, type PckPerson } from './pck';

/** Detection status codes, as accumulate reads them. */
export const STATUS_IGNORED = 0;
export const STATUS_TRUE_POSITIVE = 1;
export const STATUS_FALSE_POSITIVE = 2;

/** The kept detections of one category, in the order pycocotools' accumulate visits them on the full set. */
export interface BootstrapCategoryTable {
  readonly categoryId: number;
  /** Per image (position in the table's `imageIds`): ground-truth persons not ignored in area range 'all'. */
  readonly notIgnoredGtPerImage: Int32Array;
  /** Kept detections of the category over all images (the length of one threshold's row of `status`). */
  readonly detections: number;
  /** Per run: the image (position in `imageIds`) its detections belong to. */
  readonly runImage: Int32Array;
  /** Run r covers detections [runStart[r], runStart[r + 1]) of the sorted order; length runs + 1. */
  readonly runStart: Int32Array;
  /** T × detections, row-major: STATUS_* of each detection (sorted order) at each OKS threshold, area range 'all'. */
  readonly status: Uint8Array;
}

/** One column (a model under one protocol, or an imported predictions file), ready to resample. */
export interface BootstrapColumnTable {
  readonly columnId: string;
  readonly displayName: string;
  /** The resampled images, in the caller's order; every column compared must list the same images in the same order. */
  readonly imageIds: Float64Array;
  /** pycocotools `iouThrs` and `recThrs` the table was built with. */
  readonly oksThresholds: Float64Array;
  readonly recallThresholds: Float64Array;
  /** One entry per ground-truth category, ascending id (pycocotools `catIds`). */
  readonly categories: readonly BootstrapCategoryTable[];
  /** Per image: keypoints PCK scores (labelled keypoints of its scorable persons) and, of those, the correct ones. */
  readonly pckLabelledPerImage: Float64Array;
  readonly pckCorrectPerImage: Float64Array;
  /** PCK's α (fraction of the person size) and normaliser. */
  readonly pckAlpha: number;
  readonly pckNormalizer: PckNormalizer;
  /** Per image: model time of all its inferences, milliseconds; NaN where not timed (e.g. imported predictions). */
  readonly imageLatencyMs: Float64Array;
  /** Ground-truth persons scored by AP (not crowd, labelled keypoints, area range 'all') on these images. */
  readonly labelledPeople: number;
  /** Images with a latency. */
  readonly timedImages: number;
}

export interface BootstrapColumnInput {
  readonly columnId: string;
  readonly displayName: string;
  readonly gt: CocoKeypointsGroundTruth;
  /** The images to resample: ids of `gt` images, no repeats; the same list (and order) for every column compared. */
  readonly imageIds: readonly number[];
  /** COCO keypoint results in pixels; results on other images are left out, as `evaluateColumn` does. */
  readonly results: readonly CocoKeypointResult[];
  /**
   * Per entry of `imageIds`: the model time of all the image's inferences in milliseconds; null (or a non-finite
   * number) where not timed. Omit for imported predictions.
   */
  readonly imageLatencyMs?: readonly (number | null)[];
  readonly pck: { readonly alpha: number; readonly normalizer: PckNormalizer };
}

/** Where `evaluateColumn` restricts too: only the listed images and their annotations. */
function restrictToImages(gt: CocoKeypointsGroundTruth, imageIds: readonly number[]): CocoKeypointsGroundTruth {
  const keep = new Set(imageIds);
  return {
    images: gt.images.filter((image) => keep.has(image.id)),
    annotations: gt.annotations.filter((ann) => keep.has(ann.image_id)),
    categories: gt.categories,
  };
}

function checkImageIds(gt: CocoKeypointsGroundTruth, imageIds: readonly number[]): Map<number, number> {
  const known = new Set(gt.images.map((image) => image.id));
  const position = new Map<number, number>();
  imageIds.forEach((id, i) => {
    if (!known.has(id)) throw new RangeError(`image id ${id} is not an image of the ground truth`);
    if (position.has(id)) throw new RangeError(`image id ${id} is listed twice: resampling needs each image once`);
    position.set(id, i);
  });
  return position;
}

function latencyColumn(imageIds: readonly number[], latencies: readonly (number | null)[] | undefined): Float64Array {
  const out = new Float64Array(imageIds.length).fill(Number.NaN);
  if (!latencies) return out;
  if (latencies.length !== imageIds.length) {
    throw new RangeError(`imageLatencyMs has ${latencies.length} entries for ${imageIds.length} images`);
  }
  latencies.forEach((ms, i) => {
    if (ms !== null && Number.isFinite(ms)) out[i] = ms;
  });
  return out;
}

/**
 * Scores a column on `input.imageIds` with the exact evaluation (`evaluateKeypoints`, pycocotools' defaults; PCK as
 * `evaluateColumn` pairs persons) and keeps the per-image results the bootstrap re-weights.
 *
 * An empty results list is scored as `evaluateColumn` scores it: every scorable person missed (pycocotools itself
 * cannot run on it).
 * @throws RangeError for an image id not in `gt` or listed twice, or latencies not aligned with the images;
 *   CocoEvalError where `evaluateKeypoints` throws
 */
export function prepareBootstrapColumn(input: BootstrapColumnInput): BootstrapColumnTable {
  const position = checkImageIds(input.gt, input.imageIds);
  const gt = restrictToImages(input.gt, input.imageIds);
  const results = input.results.filter((r) => position.has(r.image_id));
  const latency = latencyColumn(input.imageIds, input.imageLatencyMs);
  if (results.length === 0) return tableWithoutDetections(input, gt, position, latency);
  const evaluation = evaluateKeypoints(gt, results);
  return bootstrapTableFromEvaluation({
    columnId: input.columnId,
    displayName: input.displayName,
    gt,
    results,
    evaluation,
    imageIds: input.imageIds,
    imageLatencyMs: latency,
    pck: input.pck,
  });
}

/**
 * The table from an evaluation already run (with `perImageDetail`, the default) on `gt` and `results`, resampling
 * `imageIds` (which must cover every image the evaluation saw with ground truth or detections).
 */
export function bootstrapTableFromEvaluation(input: {
  columnId: string;
  displayName: string;
  gt: CocoKeypointsGroundTruth;
  results: readonly CocoKeypointResult[];
  evaluation: KeypointEvalResult;
  imageIds: readonly number[];
  /** Aligned with imageIds, NaN where not timed. */
  imageLatencyMs: Float64Array;
  pck: { readonly alpha: number; readonly normalizer: PckNormalizer };
}): BootstrapColumnTable {
  const { evaluation, gt, results } = input;
  const n = input.imageIds.length;
  const position = new Map<number, number>();
  input.imageIds.forEach((id, i) => position.set(id, i));
  const params = evaluation.params;
  const areaAll = params.areaRanges.findIndex((range) => range.label === 'all');
  if (areaAll < 0) throw new CocoEvalError("the evaluation has no area range 'all': AP and AR are undefined");
  const T = params.oksThresholds.length;

  const categories: BootstrapCategoryTable[] = [];
  for (const categoryId of evaluation.categoryIds) {
    const entries = evaluation.perImage
      .filter((e) => e.categoryId === categoryId)
      .sort((a, b) => a.imageId - b.imageId); // accumulate's concatenation order (README 8)
    const notIgnoredGtPerImage = new Int32Array(n);
    let total = 0;
    for (const e of entries) total += e.detectionScores.length;
    // The concatenation: per detection its score, image position, and status per threshold.
    const scores = new Float64Array(total);
    const imageOf = new Int32Array(total);
    const statusConcat = new Uint8Array(T * total);
    let cursor = 0;
    for (const e of entries) {
      const p = position.get(e.imageId);
      if (p === undefined) throw new RangeError(`the evaluation scored image ${e.imageId}, which imageIds does not list`);
      const area = e.areas[areaAll]!;
      let notIgnored = 0;
      for (let g = 0; g < area.gtIgnore.length; g++) if (area.gtIgnore[g] === 0) notIgnored++;
      notIgnoredGtPerImage[p] = notIgnored;
      const D = e.detectionScores.length;
      for (let d = 0; d < D; d++) {
        scores[cursor + d] = e.detectionScores[d]!;
        imageOf[cursor + d] = p;
        for (let t = 0; t < T; t++) {
          const i = t * D + d;
          // Same rule as cocoEval's matchRange / accumulate: ignored, else matched annotation id ≠ 0 is a TP.
          statusConcat[t * total + cursor + d] =
            area.dtIgnore[i] === 1 ? STATUS_IGNORED : area.dtMatches[i] !== 0 ? STATUS_TRUE_POSITIVE : STATUS_FALSE_POSITIVE;
        }
      }
      cursor += D;
    }
    // Stable sort by score, descending, as numpy's mergesort on -score (README 8).
    const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    const status = new Uint8Array(T * total);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < total; j++) status[t * total + j] = statusConcat[t * total + order[j]!]!;
    }
    const runImage: number[] = [];
    const runStart: number[] = [];
    for (let j = 0; j < total; j++) {
      const i = order[j]!;
      const previous = j > 0 ? order[j - 1]! : -1;
      if (j === 0 || scores[i] !== scores[previous] || imageOf[i] !== imageOf[previous]) {
        runImage.push(imageOf[i]!);
        runStart.push(j);
      }
    }
    runStart.push(total);
    categories.push({
      categoryId,
      notIgnoredGtPerImage,
      detections: total,
      runImage: Int32Array.from(runImage),
      runStart: Int32Array.from(runStart),
      status,
    });
  }

  // PCK per image, with the persons `pckPersonsFromEvaluation` pairs (matched at the loosest threshold, range 0).
  const personsPerImage: PckPerson[][] = Array.from({ length: n }, () => []);
  pckPersonsFromEvaluation(gt, results, evaluation, (person, imageId) => personsPerImage[position.get(imageId)!]!.push(person));
  return finishTable(input, categories, params.oksThresholds, params.recallThresholds, personsPerImage, groundTruthLayout(gt).layout.keypointNames);
}

function finishTable(
  input: { columnId: string; displayName: string; imageIds: readonly number[]; imageLatencyMs: Float64Array; pck: { alpha: number; normalizer: PckNormalizer } },
  categories: BootstrapCategoryTable[],
  oksThresholds: Float64Array,
  recallThresholds: Float64Array,
  personsPerImage: readonly PckPerson[][],
  keypointNames: readonly string[],
): BootstrapColumnTable {
  const n = input.imageIds.length;
  const pckLabelledPerImage = new Float64Array(n);
  const pckCorrectPerImage = new Float64Array(n);
  personsPerImage.forEach((persons, p) => {
    if (persons.length === 0) return;
    const pck = computePck(persons, { alpha: input.pck.alpha, normalizer: input.pck.normalizer, keypointNames });
    pckLabelledPerImage[p] = pck.labelled;
    pckCorrectPerImage[p] = pck.correct;
  });
  let labelledPeople = 0;
  for (const category of categories) for (const count of category.notIgnoredGtPerImage) labelledPeople += count;
  let timedImages = 0;
  for (const ms of input.imageLatencyMs) if (!Number.isNaN(ms)) timedImages++;
  return {
    columnId: input.columnId,
    displayName: input.displayName,
    imageIds: Float64Array.from(input.imageIds),
    oksThresholds: Float64Array.from(oksThresholds),
    recallThresholds: Float64Array.from(recallThresholds),
    categories,
    pckLabelledPerImage,
    pckCorrectPerImage,
    pckAlpha: input.pck.alpha,
    pckNormalizer: input.pck.normalizer,
    imageLatencyMs: input.imageLatencyMs,
    labelledPeople,
    timedImages,
  };
}

/**
 * No detection at all: every scorable person is missed (AP and AR 0 where there are persons), as `evaluateColumn`
 * scores an empty list.
 */
function tableWithoutDetections(
  input: BootstrapColumnInput,
  gt: CocoKeypointsGroundTruth,
  position: Map<number, number>,
  latency: Float64Array,
): BootstrapColumnTable {
  const params = resolveKeypointEvalParams();
  const all = params.areaRanges.find((range) => range.label === 'all')!;
  const firstRange = params.areaRanges[0]!;
  const n = input.imageIds.length;
  const categoryIds = [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const T = params.oksThresholds.length;
  const categories = categoryIds.map((categoryId): BootstrapCategoryTable => {
    const notIgnoredGtPerImage = new Int32Array(n);
    for (const ann of gt.annotations) {
      const scorable = ann.iscrowd === 0 && ann.num_keypoints !== 0 && ann.area >= all.minAreaPx2 && ann.area <= all.maxAreaPx2;
      if (ann.category_id === categoryId && scorable) notIgnoredGtPerImage[position.get(ann.image_id)!]!++;
    }
    return { categoryId, notIgnoredGtPerImage, detections: 0, runImage: new Int32Array(0), runStart: new Int32Array(1), status: new Uint8Array(T * 0) };
  });
  const personsPerImage: PckPerson[][] = Array.from({ length: n }, () => []);
  for (const ann of gt.annotations) {
    const scorable = ann.iscrowd === 0 && ann.num_keypoints !== 0 && ann.area >= firstRange.minAreaPx2 && ann.area <= firstRange.maxAreaPx2;
    if (scorable) personsPerImage[position.get(ann.image_id)!]!.push({ gtKeypoints: ann.keypoints, gtBbox: ann.bbox, predicted: null });
  }
  return finishTable(
    { columnId: input.columnId, displayName: input.displayName, imageIds: input.imageIds, imageLatencyMs: latency, pck: input.pck },
    categories,
    params.oksThresholds,
    params.recallThresholds,
    personsPerImage,
    groundTruthLayout(gt).layout.keypointNames,
  );
}
