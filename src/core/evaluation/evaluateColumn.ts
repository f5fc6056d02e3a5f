/**
 * Scores one column of the comparison (a model, or an imported predictions file) against COCO ground truth:
 * the 10 COCO keypoint stats (exact pycocotools), PCK, per-keypoint rates and per-image OKS. Pure: shared by
 * the CLI and the browser UI. Coordinates are original-image pixels; latencies are milliseconds.
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import {
  COCO_KEYPOINT_AREA_RANGES,
  KEYPOINT_STATS_NAMES,
  evaluateKeypoints,
  type ImageEvaluation,
  type KeypointStatName,
} from '../metrics/cocoEval';
import { DEFAULT_PCK_ALPHAS, computeNme, computePck, pckAuc, pckCurve, pckPersonsFromEvaluation, type PckPerson } from '../metrics/pck';
import { groundTruthLayout, type KeypointLayout } from '../layouts';
import type { EvaluationProtocol } from './protocol';

/** PCK@α settings: α is a fraction of the person size; see `PckNormalizer` in core/metrics/pck.ts. */
export interface PckSettings {
  alpha: number;
  normalizer: 'bbox' | 'torso';
}

export const DEFAULT_PCK_SETTINGS: PckSettings = { alpha: 0.2, normalizer: 'bbox' };

/** OKS of one ground-truth person in one image. */
export interface PersonResult {
  annotationId: number;
  /**
   * OKS of the detection the COCO evaluation matched to this person (at OKS 0.5, area range 'all'), in [0.5, 1];
   * null when no detection was matched (the person was missed).
   */
  oks: number | null;
  /** Highest OKS of any kept detection of the image with this person, matched or not (0 without detections). */
  maxOks: number;
}

export interface ImageResult {
  imageId: number;
  /** The ground truth's `file_name` ('' when it has none). */
  fileName: string;
  /** Mean OKS over the image's scorable persons, a missed person counting as 0; null when it has none. */
  meanOks: number | null;
  /** Scorable persons (not crowd, labelled keypoints), annotation file order. */
  persons: PersonResult[];
  /** Detections of this column on this image. */
  detections: number;
  /** Of those (the 20 best kept), the ones matched to no person at OKS 0.5 (area range 'all'). */
  falsePositives: number;
}

export type StatName = KeypointStatName;

export interface ModelMetrics {
  columnId: string;
  displayName: string;
  protocol: EvaluationProtocol;
  /** Images scored: the given `imageIdsEvaluated` that are images of the ground truth. */
  imagesEvaluated: number;
  /** Images of the ground truth. */
  imagesTotal: number;
  /** Detections scored (results on evaluated images). */
  detections: number;
  /** Results left out because their image was not among the evaluated ones (or not in the ground truth). */
  resultsOutsideEvaluatedImages: number;
  /**
   * pycocotools' 10 keypoint stats, fractions in [0, 1]; -1 where an area range has no ground-truth person
   * (pycocotools' convention, e.g. APm on images with only large people).
   */
  stats: Record<StatName, number>;
  pck: {
    /** Fraction of the person size. */
    alpha: number;
    normalizer: 'bbox' | 'torso';
    /** Fraction of labelled keypoints within α × size; null when no keypoint could be scored. */
    value: number | null;
    /** Scorable persons left out of PCK: no normaliser (no torso pair / empty bbox) or no labelled keypoint. */
    personsSkipped: number;
    personsEvaluated: number;
    /** Mean of distance / person size over predicted labelled keypoints; null when there are none. */
    meanNormalisedError: number | null;
  };
  /** PCK at α = 0, 0.01, …, 0.5 with the same normaliser. */
  pckCurve: {
    alphas: number[];
    values: (number | null)[];
    /** Area under the curve over its α range, normalised to [0, 1] (pckAuc); null when a point is null. */
    auc: number | null;
  };
  /**
   * Normalised mean error (inter-ocular, faces) for layouts that define a reference pair; null otherwise. Persons
   * are paired as for PCK; undetected ones are counted in `personsMissed`, not averaged in.
   */
  nme: { value: number | null; reference: readonly [string, string]; personsEvaluated: number; personsMissed: number } | null;
  /** The 17 COCO keypoints in order: PCK@α per keypoint and mean distance / size (null when never labelled/predicted). */
  perKeypoint: { name: string; detectionRate: number | null; meanNormalisedError: number | null }[];
  /**
   * Model time per image: every inference the image needed (one for a whole image, one per person crop),
   * median over the images, milliseconds; null when none were given (e.g. imported predictions).
   */
  medianImageLatencyMs: number | null;
  /**
   * Model time of one inference (one whole image or one crop): per image its time ÷ its inferences, median over the
   * images, milliseconds (equal to the per-image figure under whole image); null as above.
   */
  medianInferenceLatencyMs: number | null;
  /** Inferences timed (images under whole image, crops under person crops). */
  inferences: number;
  /**
   * Inputs the model returned nothing for: evaluated images without a single detection, and under person
   * crops (`oneResultPerCrop`) the scorable persons whose crop gave no pose (null otherwise). A two-stage
   * model whose person detector found nobody in a crop shows up here, apart from its keypoint errors.
   */
  withoutPose: { images: number; crops: number | null; cropsTotal: number | null };
  /** Every evaluated image, worst first (the order of `sortImagesWorstFirst`). */
  perImage: ImageResult[];
}

/** What one image cost a model: all its inferences (the whole image, or each person crop). */
export interface ImageLatency {
  imageMs: number;
  inferences: number;
}

export interface EvaluateColumnInput {
  columnId: string;
  displayName: string;
  protocol: EvaluationProtocol;
  gt: CocoKeypointsGroundTruth;
  /** Images this column has processed; only they are scored (see `restrictGroundTruth`). */
  imageIdsEvaluated: readonly number[];
  /** COCO keypoint results, pixels. Results on other images are left out (and counted). */
  results: readonly CocoKeypointResult[];
  /** Per image: model time of all its inferences, milliseconds, and their number (empty for imported predictions). */
  latencies: readonly ImageLatency[];
  pck: PckSettings;
  /**
   * The results came from the person-crops protocol: one run per scorable ground-truth person, at most one
   * result each (so crops without a pose can be counted).
   */
  oneResultPerCrop?: boolean;
}

/**
 * The ground truth cut down to `imageIds` (and their annotations). The evaluation runs on this, so images a
 * column has not processed (yet) do not count its persons as misses.
 */
export function restrictGroundTruth(gt: CocoKeypointsGroundTruth, imageIds: readonly number[]): CocoKeypointsGroundTruth {
  const keep = new Set(imageIds);
  return {
    images: gt.images.filter((image) => keep.has(image.id)),
    annotations: gt.annotations.filter((ann) => keep.has(ann.image_id)),
    categories: gt.categories,
  };
}

/** Median, or null for an empty list; the mean of the middle two for an even count. Non-finite values are ignored. */
export function median(values: readonly number[]): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** pycocotools ignores crowd regions and persons without labelled keypoints (README 3 of the eval vectors). */
function isScorable(ann: { iscrowd: number; num_keypoints: number }): boolean {
  return ann.iscrowd === 0 && ann.num_keypoints !== 0;
}

/**
 * Scores one column on the images it has results for.
 *
 * The ground truth is first restricted to `imageIdsEvaluated` (images and their annotations), then
 * `evaluateKeypoints` (exact pycocotools) runs on it with the column's results on those images.
 *
 * Never throws for an empty results list, where pycocotools itself would crash (`loadRes` reads `results[0]`):
 * every stat is then 0 for an area range that has ground-truth persons (nothing found: precision and recall 0,
 * which is what pycocotools' accumulate gives for zero detections) and -1 for a range without any, as usual.
 * PCK then counts every labelled keypoint as missed.
 *
 * @throws CocoEvalError where pycocotools itself fails on a non-empty list: keypoint arrays whose length is not
 *   3 × the category's keypoint count, or `results[0]` with a bbox while another result has none (README 2 of the
 *   evaluation vectors). Results that went through `parseResults` with this ground truth only risk the latter.
 */
export function evaluateColumn(input: EvaluateColumnInput): ModelMetrics {
  const { gt, pck: pckSettings } = input;
  const gtImageIds = new Set(gt.images.map((image) => image.id));
  const evaluatedIds = [...new Set(input.imageIdsEvaluated)].filter((id) => gtImageIds.has(id));
  const restricted = restrictGroundTruth(gt, evaluatedIds);
  const evaluatedSet = new Set(evaluatedIds);
  const results = input.results.filter((r) => evaluatedSet.has(r.image_id));

  let stats: number[];
  let imageEvaluations: readonly ImageEvaluation[] = [];
  let pckPersons: PckPerson[];
  if (results.length > 0) {
    const evaluation = evaluateKeypoints(restricted, results);
    stats = [...evaluation.stats];
    imageEvaluations = evaluation.perImage;
    pckPersons = pckPersonsFromEvaluation(restricted, results, evaluation);
  } else {
    stats = emptyResultsStats(restricted);
    const firstRange = COCO_KEYPOINT_AREA_RANGES[0]!;
    pckPersons = restricted.annotations
      .filter((ann) => isScorable(ann) && ann.area >= firstRange.minAreaPx2 && ann.area <= firstRange.maxAreaPx2)
      .map((ann) => ({ gtKeypoints: ann.keypoints, gtBbox: ann.bbox, predicted: null }));
  }

  const { keypointNames } = groundTruthLayout(gt).layout;
  const pck = computePck(pckPersons, { ...pckSettings, keypointNames });
  const curve = pckCurve(pckPersons, pckSettings.normalizer, DEFAULT_PCK_ALPHAS, keypointNames);
  return {
    columnId: input.columnId,
    displayName: input.displayName,
    protocol: input.protocol,
    imagesEvaluated: evaluatedIds.length,
    imagesTotal: gt.images.length,
    detections: results.length,
    resultsOutsideEvaluatedImages: input.results.length - results.length,
    stats: Object.fromEntries(KEYPOINT_STATS_NAMES.map((name, i) => [name, stats[i] ?? -1])) as Record<StatName, number>,
    pck: {
      alpha: pckSettings.alpha,
      normalizer: pckSettings.normalizer,
      value: pck.pck,
      personsSkipped: pck.personsSkippedNoNormalizer + pck.personsSkippedNoLabels,
      personsEvaluated: pck.personsEvaluated,
      meanNormalisedError: pck.meanNormalizedError,
    },
    pckCurve: { alphas: [...curve.alphas], values: [...curve.pck], auc: pckAuc(curve.alphas, curve.pck) },
    nme: nmeOf(pckPersons, groundTruthLayout(gt).layout),
    perKeypoint: keypointNames.map((name, k) => ({
      name,
      detectionRate: pck.perKeypoint[k]?.detectionRate ?? null,
      meanNormalisedError: pck.perKeypoint[k]?.meanNormalizedError ?? null,
    })),
    ...latencySummary(input.latencies),
    withoutPose: withoutPose(restricted, evaluatedIds, results, input.oneResultPerCrop === true),
    perImage: perImageResults(restricted, evaluatedIds, results, imageEvaluations),
  };
}

function nmeOf(persons: readonly PckPerson[], layout: KeypointLayout): ModelMetrics['nme'] {
  if (!layout.nmeReferencePair) return null;
  const result = computeNme(persons, layout.keypointNames, layout.nmeReferencePair);
  return { value: result.nme, reference: layout.nmeReferencePair, personsEvaluated: result.personsEvaluated, personsMissed: result.personsMissed };
}

/** "3/41 crops" under person crops (ground-truth persons whose crop gave no pose), else "2 images"; one text for every report. */
export function withoutPoseText(withoutPose: ModelMetrics['withoutPose']): string {
  if (withoutPose.crops !== null) return `${withoutPose.crops}/${withoutPose.cropsTotal} crops`;
  return `${withoutPose.images} image${withoutPose.images === 1 ? '' : 's'}`;
}

function latencySummary(latencies: readonly ImageLatency[]): Pick<ModelMetrics, 'medianImageLatencyMs' | 'medianInferenceLatencyMs' | 'inferences'> {
  const timed = latencies.filter((l) => Number.isFinite(l.imageMs) && l.inferences > 0);
  const inferences = timed.reduce((n, l) => n + l.inferences, 0);
  return {
    medianImageLatencyMs: median(timed.map((l) => l.imageMs)),
    medianInferenceLatencyMs: median(timed.map((l) => l.imageMs / l.inferences)),
    inferences,
  };
}

function withoutPose(
  gt: CocoKeypointsGroundTruth,
  evaluatedIds: readonly number[],
  results: readonly CocoKeypointResult[],
  oneResultPerCrop: boolean,
): ModelMetrics['withoutPose'] {
  const imagesWithResults = new Set(results.map((r) => r.image_id));
  const images = evaluatedIds.filter((id) => !imagesWithResults.has(id)).length;
  if (!oneResultPerCrop) return { images, crops: null, cropsTotal: null };
  const cropsTotal = gt.annotations.filter(isScorable).length;
  return { images, crops: Math.max(0, cropsTotal - results.length), cropsTotal };
}

/**
 * The 10 stats for zero detections, as pycocotools' accumulate would give them if loadRes accepted an empty
 * list: 0 where the area range holds a not-ignored ground-truth person, -1 where it holds none.
 */
function emptyResultsStats(gt: CocoKeypointsGroundTruth): number[] {
  const hasPersons = (label: string): boolean => {
    const range = COCO_KEYPOINT_AREA_RANGES.find((r) => r.label === label);
    return !!range && gt.annotations.some((ann) => isScorable(ann) && ann.area >= range.minAreaPx2 && ann.area <= range.maxAreaPx2);
  };
  const ranges = ['all', 'all', 'all', 'medium', 'large'];
  const half = ranges.map((label) => (hasPersons(label) ? 0 : -1));
  return [...half, ...half];
}

function perImageResults(
  gt: CocoKeypointsGroundTruth,
  evaluatedIds: readonly number[],
  results: readonly CocoKeypointResult[],
  imageEvaluations: readonly ImageEvaluation[],
): ImageResult[] {
  const byImage = new Map<number, ImageEvaluation[]>();
  for (const evaluation of imageEvaluations) {
    const list = byImage.get(evaluation.imageId) ?? [];
    list.push(evaluation);
    byImage.set(evaluation.imageId, list);
  }
  const firstRange = COCO_KEYPOINT_AREA_RANGES[0]!;
  const scorableByImage = new Map<number, PersonResult[]>();
  for (const ann of gt.annotations) {
    if (!isScorable(ann) || ann.area < firstRange.minAreaPx2 || ann.area > firstRange.maxAreaPx2) continue;
    const list = scorableByImage.get(ann.image_id) ?? [];
    list.push({ annotationId: ann.id, oks: null, maxOks: 0 });
    scorableByImage.set(ann.image_id, list);
  }
  const detectionsByImage = new Map<number, number>();
  for (const r of results) detectionsByImage.set(r.image_id, (detectionsByImage.get(r.image_id) ?? 0) + 1);
  const fileNames = new Map(gt.images.map((image) => [image.id, image.file_name ?? '']));

  const out = evaluatedIds.map((imageId): ImageResult => {
    const evaluations = byImage.get(imageId);
    let persons: PersonResult[];
    let falsePositives = 0;
    if (evaluations) {
      persons = evaluations.flatMap((e) =>
        e.persons.map((p) => ({ annotationId: p.annotationId, oks: p.detectionIndex >= 0 ? p.oks : null, maxOks: p.maxOks })),
      );
      falsePositives = evaluations.reduce((sum, e) => sum + e.falsePositives, 0);
    } else {
      // No detection on this image (or no results at all): every scorable person is missed.
      persons = scorableByImage.get(imageId) ?? [];
    }
    const meanOks = persons.length > 0 ? persons.reduce((sum, p) => sum + (p.oks ?? 0), 0) / persons.length : null;
    return {
      imageId,
      fileName: fileNames.get(imageId) ?? '',
      meanOks,
      persons,
      detections: detectionsByImage.get(imageId) ?? 0,
      falsePositives,
    };
  });
  // Same order as sortImagesWorstFirst: lowest mean OKS first (no scorable person last), more false positives
  // first, then ascending image id.
  return out.sort((a, b) => {
    const am = a.meanOks ?? Number.POSITIVE_INFINITY;
    const bm = b.meanOks ?? Number.POSITIVE_INFINITY;
    if (am !== bm) return am - bm;
    if (a.falsePositives !== b.falsePositives) return b.falsePositives - a.falsePositives;
    return a.imageId - b.imageId;
  });
}
