/**
 * The keypoint error taxonomy of Ronchi & Perona, "Benchmarking and Error Diagnosis in Multi-Instance Pose
 * Estimation" (ICCV 2017), computed exactly as the authors' coco-analyze tool does (matteorr/coco-analyze, commit
 * 9eb8a0a9, run as shared/coco-analyze-vectors/README.md describes): the per-keypoint classes of every matched
 * detection (good, jitter, inversion, swap, miss), background false positives and false negatives per OKS
 * threshold, the AP gained by fixing each error type on its own, and the cumulative corrections.
 *
 * "Qn" in comments refers to the quirk list in that README; the tool's quirks are kept on purpose, so the numbers
 * equal its reports. The result is plain data for the UI, exports and the CLI. Coordinates are image pixels, areas
 * square pixels. No DOM, tfjs or Node APIs.
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import { groundTruthLayout } from '../layouts';
import { evaluateKeypoints, type AreaRange, type KeypointEvalResult } from './cocoEval';
import {
  classifyKeypoints,
  COCO_ANALYZE_SIGMAS,
  JITTER_SIMILARITY_BOUNDS,
  type KeypointClassification,
  type KeypointErrorLabel,
} from './cocoAnalyzeKeypoints';
import {
  ANALYZE_MAX_DETECTIONS,
  detectionMatches,
  evaluateCorrected,
  matchedAnnotationIds,
  maxOksWithValidGt,
  perThreshold,
  prepareAnalysis,
  reaccumulate,
  softNmsScores,
  type AnalysisLayout,
  type DetectionMatch,
  type PerThreshold,
  type PreparedAnalysis,
} from './cocoAnalyzeSteps';

export { COCO_ANALYZE_SIGMAS, JITTER_SIMILARITY_BOUNDS, classifyKeypoints, type AnalysisLayout };
export type { KeypointClassification, KeypointErrorLabel };

/**
 * The tool's area ranges. Q1: its 'all' starts at 32², not 0, so people and unmatched detections smaller than
 * 1024 px² are ignored everywhere in the analysis. Inclusive at both ends, as pycocotools.
 */
export const COCO_ANALYZE_AREA_RANGES: readonly AreaRange[] = [
  { label: 'all', minAreaPx2: 32 ** 2, maxAreaPx2: 1e5 ** 2 },
  { label: 'medium', minAreaPx2: 32 ** 2, maxAreaPx2: 96 ** 2 },
  { label: 'large', minAreaPx2: 96 ** 2, maxAreaPx2: 1e5 ** 2 },
];

/** Q7: the decimal literals .5, .55, …, .95 (not np.linspace: entry 8 is exactly 0.9 here). */
export const COCO_ANALYZE_OKS_THRESHOLDS: readonly number[] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/** Detections are paired with people at this loose OKS before their keypoints are classified. */
export const COCO_ANALYZE_LOCALIZATION_OKS = 0.1;

/** Keypoint error types, in the order the tool stacks their corrections. */
export const KEYPOINT_ERROR_TYPES = ['miss', 'swap', 'inversion', 'jitter'] as const;
export type KeypointErrorType = (typeof KEYPOINT_ERROR_TYPES)[number];

/** Every error type whose fix the tool measures, in its order. */
export const AP_IMPACT_ERROR_TYPES = [...KEYPOINT_ERROR_TYPES, 'score', 'bckgd_false_pos', 'false_neg'] as const;
export type ApImpactErrorType = (typeof AP_IMPACT_ERROR_TYPES)[number];

/** Rows of the cumulative table: the original detections, then each correction added on top of the previous. */
export const CUMULATIVE_ORDER = ['baseline', ...AP_IMPACT_ERROR_TYPES] as const;
export type CumulativeStep = (typeof CUMULATIVE_ORDER)[number];

const LABEL_OF_TYPE: Record<KeypointErrorType, KeypointErrorLabel> = { miss: 'M', swap: 'S', inversion: 'I', jitter: 'J' };

/** The fixed parameters the analysis ran with (the tool's defaults), for display next to its numbers. */
export interface CocoAnalyzeParams {
  readonly areaRanges: readonly AreaRange[];
  readonly oksThresholds: readonly number[];
  readonly localizationOks: number;
  /** [miss below, good above] keypoint similarity. */
  readonly jitterSimilarityBounds: readonly [number, number];
  readonly maxDetections: number;
  readonly sigmas: readonly number[];
  /** COCO-17 names, the order of every per-keypoint array. */
  readonly keypointNames: readonly string[];
}

/** Keypoint counts per class. */
export interface KeypointErrorCounts {
  readonly good: number;
  readonly jitter: number;
  readonly inversion: number;
  readonly swap: number;
  readonly miss: number;
}

/** Per class, one count per keypoint (COCO-17 order). */
export interface PerKeypointErrorCounts {
  readonly good: readonly number[];
  readonly jitter: readonly number[];
  readonly inversion: readonly number[];
  readonly swap: readonly number[];
  readonly miss: readonly number[];
}

/** One detection matched (at OKS 0.1) to a person with labelled keypoints, and its keypoints' classes. */
export interface DetectionErrors {
  /** Index into the caller's results list. */
  readonly resultIndex: number;
  readonly imageId: number;
  readonly gtAnnotationId: number;
  /** Index into `gt.annotations`. */
  readonly gtAnnotationIndex: number;
  /** OKS of the detection with that person. */
  readonly oks: number;
  /** The person is ignored in the 'all' range (crowd, or area outside [32², 1e10]); the detection is still analysed (Q2). */
  readonly gtIgnored: boolean;
  /** 17 labels, COCO-17 order: G good, J jitter, I inversion, S swap, M miss, '-' unlabelled in the person. */
  readonly labels: readonly KeypointErrorLabel[];
  /** Best keypoint similarity per keypoint (see KeypointClassification). */
  readonly bestSimilarity: readonly number[];
  /** The keypoints with every error moved as the tool moves it to measure a fix (Q4), flat [x, y, v] × 17. */
  readonly correctedKeypoints: readonly number[];
}

/** The localisation-error breakdown (the tool's localizationErrors, area 'all'). */
export interface LocalizationErrors {
  readonly areaRange: AreaRange;
  /** Detections matched at OKS 0.1, ignored people included. */
  readonly matchedCount: number;
  /** Results indices (ascending) of matches whose person has num_keypoints 0: counted as matches, not analysed (Q2). */
  readonly skippedNoKeypointMatches: readonly number[];
  /** Matched detections whose person has labelled keypoints. */
  readonly analysedCount: number;
  /** Sum of the analysed people's num_keypoints (= the five counts together). */
  readonly totalKeypoints: number;
  readonly counts: KeypointErrorCounts;
  readonly perKeypoint: PerKeypointErrorCounts;
  /** One entry per analysed detection, by ascending results index. */
  readonly detections: readonly DetectionErrors[];
}

/** Background errors per OKS threshold (the tool's backgroundFalsePos/NegErrors, area 'all'). */
export interface BackgroundErrors {
  readonly oksThresholds: readonly number[];
  /** Per threshold: detections matched to any person (ignored ones too). */
  readonly matchedDetections: readonly number[];
  /** Per threshold: detections matched to nobody (background false positives). */
  readonly falsePositives: readonly number[];
  /** Per threshold: annotations matched by some detection. */
  readonly matchedGroundTruth: readonly number[];
  /** Per threshold: annotations matched by none (any annotation, crowd and no-keypoint ones too). */
  readonly falseNegatives: readonly number[];
  /** Results indices of the detections unmatched at every threshold, ascending. */
  readonly falsePositivesAtAllThresholds: readonly number[];
  /** Annotation ids unmatched at every threshold, ascending. */
  readonly falseNegativesAtAllThresholds: readonly number[];
  /** How many of those have num_keypoints > 0. */
  readonly falseNegativesWithKeypointsAtAllThresholds: number;
  readonly groundTruthCount: number;
}

/** Values per area label ('all', 'medium', 'large'), one per OKS threshold (ascending). */
export type ByArea = Readonly<Record<string, readonly number[]>>;

/** AP after fixing one error type at a time (the tool's errorsAPImpact). */
export interface ApImpact {
  /** AP per OKS threshold: 'baseline' = original detections, then one entry per fixed error type. */
  readonly ap: Readonly<Record<'baseline' | ApImpactErrorType, ByArea>>;
  readonly recall: Readonly<Record<'baseline' | ApImpactErrorType, ByArea>>;
  /**
   * ap[type] − ap.baseline; for false_neg, ap.false_neg − ap.bckgd_false_pos (its fix is applied on top of the
   * background FP fix).
   */
  readonly improvement: Readonly<Record<ApImpactErrorType, ByArea>>;
}

/** AP and recall after stacking the corrections in CUMULATIVE_ORDER (the tool's demo `analyze(); summarize()`). */
export interface CumulativeCorrections {
  readonly order: readonly CumulativeStep[];
  readonly ap: Readonly<Record<CumulativeStep, ByArea>>;
  readonly recall: Readonly<Record<CumulativeStep, ByArea>>;
}

export interface CocoAnalyzeResult {
  readonly params: CocoAnalyzeParams;
  /** Detections in the results list. */
  readonly resultCount: number;
  /** Detections left after the prefilter (images of the ground truth, top 20 each). */
  readonly analysedDetectionCount: number;
  readonly imagesWithDetections: number;
  /** The most detections one image keeps (the tool's teamMaxDets). */
  readonly maxDetectionsPerImage: number;
  /** The tool's `evaluate()`: COCOeval's 10 keypoint stats with its own area ranges (Q1) and thresholds. */
  readonly evaluateStats: readonly number[];
  readonly localization: LocalizationErrors;
  readonly background: BackgroundErrors;
  readonly apImpact: ApImpact;
  readonly cumulative: CumulativeCorrections;
}

/** Matches at OKS 0.1 of one area range and the classification of each analysable one. */
interface RangeClassification {
  readonly matches: readonly (DetectionMatch | null)[];
  /** Per detection position: its classes, or null (unmatched, or matched to a person without keypoints). */
  readonly classes: readonly (KeypointClassification | null)[];
}

/**
 * Runs coco-analyze's keypoint analysis on a results list, exactly as the tool's run_analysis.py with its
 * defaults (see the README named above for the call sequence).
 *
 * @param gt COCO person-keypoints ground truth (one category)
 * @param results the detections; every results index in the output refers to this list
 * @throws CocoEvalError when the ground truth has more than one category, or no detection lies on one of its
 *   images (the tool cannot run then either)
 */
export function analyzeKeypointErrors(
  gt: CocoKeypointsGroundTruth,
  results: readonly CocoKeypointResult[],
  layout: AnalysisLayout = groundTruthLayout(gt).layout,
): CocoAnalyzeResult {
  const prepared = prepareAnalysis(gt, results, layout);
  const nDets = prepared.detections.length;
  const areaRanges = COCO_ANALYZE_AREA_RANGES;
  const thresholds = COCO_ANALYZE_OKS_THRESHOLDS;
  const A = areaRanges.length;
  const T = thresholds.length;
  const labels = areaRanges.map((range) => range.label);
  const lastArea = A - 1;

  // The plain evaluation: the tool's evaluate() stats, the baseline, the loadRes areas every later pass keeps (Q4),
  // the max OKS for the uncorrected score fix and the uncorrected background matches. One pass per range gives the
  // same matches as one pass over all ranges, as each range is matched on its own.
  const base = evaluateKeypoints(gt, prepared.detections, {
    sigmas: layout.oksSigmas,
    oksThresholds: thresholds,
    areaRanges,
    maxDetections: ANALYZE_MAX_DETECTIONS,
  });
  const areasPx2 = base.detectionAreasPx2.slice(0, nDets);
  const originalKeypoints = prepared.detections.map((det) => det.keypoints);
  const originalScores = Float64Array.from(prepared.detections, (det) => det.score);
  const R = base.params.recallThresholds.length;
  const fromEvaluation = (evaluation: KeypointEvalResult, a: number): PerThreshold =>
    perThreshold(evaluation.precision, evaluation.recall, T, R, evaluation.params.areaRanges.length, a);
  /** One range's pass; `detail` only where matches are read afterwards (max OKS, background sets). */
  const evaluateRange = (a: number, keypoints: readonly (readonly number[])[], scores: ArrayLike<number>, detail = false): KeypointEvalResult =>
    evaluateCorrected(prepared, keypoints, scores, areasPx2, [areaRanges[a]!], thresholds, detail);

  // --- Keypoint classes per area range (the matched person may differ between ranges: ignore flags do). ---
  const locEvaluation = evaluateCorrected(prepared, originalKeypoints, originalScores, areasPx2, areaRanges, [COCO_ANALYZE_LOCALIZATION_OKS]);
  const classified: RangeClassification[] = areaRanges.map((_, a) => classifyRange(prepared, detectionMatches(locEvaluation, a, 0, nDets)));

  /** Detections with the keypoints flagged with any of `types` (in area `a`) moved to their corrected place. */
  const correctedKeypoints = (a: number, types: readonly KeypointErrorType[]): (readonly number[])[] => {
    const wanted = new Set(types.map((type) => LABEL_OF_TYPE[type]));
    return originalKeypoints.map((keypoints, position) => {
      const classes = classified[a]!.classes[position];
      if (!classes) return keypoints;
      const out = [...keypoints];
      classes.labels.forEach((label, k) => {
        if (!wanted.has(label)) return;
        out[k * 3] = classes.correctedKeypoints[k * 3]!;
        out[k * 3 + 1] = classes.correctedKeypoints[k * 3 + 1]!;
      });
      return out;
    });
  };

  // --- AP impact: each error type fixed on its own, per area range. ---
  const apImpactAp: Record<string, Record<string, number[]>> = {};
  const apImpactRecall: Record<string, Record<string, number[]>> = {};
  const put = (table: Record<string, Record<string, number[]>>, key: string, a: number, values: number[]): void => {
    (table[key] ??= {})[labels[a]!] = values;
  };
  for (let a = 0; a < A; a++) {
    const baseline = fromEvaluation(base, a);
    put(apImpactAp, 'baseline', a, baseline.ap);
    put(apImpactRecall, 'baseline', a, baseline.recall);
  }
  for (const type of KEYPOINT_ERROR_TYPES) {
    for (let a = 0; a < A; a++) {
      const fixed = fromEvaluation(evaluateRange(a, correctedKeypoints(a, [type]), originalScores), 0);
      put(apImpactAp, type, a, fixed.ap);
      put(apImpactRecall, type, a, fixed.recall);
    }
  }
  // Score fix without keypoint corrections: the max OKS from the plain evaluation, soft-NMS on the original points.
  for (let a = 0; a < A; a++) {
    const optimal = softNmsScores(prepared.imageGroups, originalKeypoints, maxOksWithValidGt(base, a, nDets), prepared.analysisSigmas);
    const fixed = fromEvaluation(evaluateRange(a, originalKeypoints, optimal), 0);
    put(apImpactAp, 'score', a, fixed.ap);
    put(apImpactRecall, 'score', a, fixed.recall);
  }
  for (let a = 0; a < A; a++) {
    const fix = backgroundFix(base, a, gt);
    put(apImpactAp, 'bckgd_false_pos', a, fix.falsePositive.ap);
    put(apImpactRecall, 'bckgd_false_pos', a, fix.falsePositive.recall);
    put(apImpactAp, 'false_neg', a, fix.falseNegative.ap);
    put(apImpactRecall, 'false_neg', a, fix.falseNegative.recall);
  }
  // The background report (the tool's backgroundFalsePos/NegErrors) is the same uncorrected pass, range 'all'.
  const background = backgroundSummary(base, 0, gt, prepared);
  const improvement: Record<string, Record<string, number[]>> = {};
  for (const type of AP_IMPACT_ERROR_TYPES) {
    const reference = type === 'false_neg' ? 'bckgd_false_pos' : 'baseline';
    for (let a = 0; a < A; a++) {
      const fixedAp = apImpactAp[type]![labels[a]!]!;
      const referenceAp = apImpactAp[reference]![labels[a]!]!;
      put(improvement, type, a, fixedAp.map((value, t) => value - referenceAp[t]!));
    }
  }

  // --- Cumulative: keypoint fixes stacked, then the score fix on the corrected points, then background. ---
  const cumulativeAp: Record<string, Record<string, number[]>> = { baseline: apImpactAp['baseline']! };
  const cumulativeRecall: Record<string, Record<string, number[]>> = { baseline: apImpactRecall['baseline']! };
  const maxOksCorrected: Float64Array[] = [];
  for (let a = 0; a < A; a++) {
    let lastEvaluation: KeypointEvalResult | null = null;
    KEYPOINT_ERROR_TYPES.forEach((type, i) => {
      const last = i === KEYPOINT_ERROR_TYPES.length - 1;
      lastEvaluation = evaluateRange(a, correctedKeypoints(a, KEYPOINT_ERROR_TYPES.slice(0, i + 1)), originalScores, last);
      const fixed = fromEvaluation(lastEvaluation, 0);
      put(cumulativeAp, type, a, fixed.ap);
      put(cumulativeRecall, type, a, fixed.recall);
    });
    // With every keypoint error fixed, this pass is also the tool's optimal-score evaluation of range a.
    maxOksCorrected.push(maxOksWithValidGt(lastEvaluation!, 0, nDets));
  }
  // Q5: soft-NMS reads the detections as the last range's corrections left them, for every range.
  const softNmsKeypoints = correctedKeypoints(lastArea, KEYPOINT_ERROR_TYPES);
  for (let a = 0; a < A; a++) {
    const optimal = softNmsScores(prepared.imageGroups, softNmsKeypoints, maxOksCorrected[a]!, prepared.analysisSigmas);
    const evaluation = evaluateRange(a, correctedKeypoints(a, KEYPOINT_ERROR_TYPES), optimal, true);
    const scored = fromEvaluation(evaluation, 0);
    put(cumulativeAp, 'score', a, scored.ap);
    put(cumulativeRecall, 'score', a, scored.recall);
    const fix = backgroundFix(evaluation, 0, gt);
    put(cumulativeAp, 'bckgd_false_pos', a, fix.falsePositive.ap);
    put(cumulativeRecall, 'bckgd_false_pos', a, fix.falsePositive.recall);
    put(cumulativeAp, 'false_neg', a, fix.falseNegative.ap);
    put(cumulativeRecall, 'false_neg', a, fix.falseNegative.recall);
  }

  return {
    params: {
      areaRanges,
      oksThresholds: thresholds,
      localizationOks: COCO_ANALYZE_LOCALIZATION_OKS,
      jitterSimilarityBounds: JITTER_SIMILARITY_BOUNDS,
      maxDetections: ANALYZE_MAX_DETECTIONS,
      sigmas: prepared.analysisSigmas,
      keypointNames: layout.keypointNames,
    },
    resultCount: results.length,
    analysedDetectionCount: nDets,
    imagesWithDetections: prepared.imageGroups.length,
    maxDetectionsPerImage: prepared.maxDetectionsPerImage,
    evaluateStats: base.stats,
    localization: localizationSummary(prepared, classified[0]!, areaRanges[0]!),
    background,
    apImpact: {
      ap: complete(apImpactAp, CUMULATIVE_ORDER),
      recall: complete(apImpactRecall, CUMULATIVE_ORDER),
      improvement: complete(improvement, AP_IMPACT_ERROR_TYPES),
    },
    cumulative: {
      order: CUMULATIVE_ORDER,
      ap: complete(cumulativeAp, CUMULATIVE_ORDER),
      recall: complete(cumulativeRecall, CUMULATIVE_ORDER),
    },
  };
}

/** The table with exactly `keys`, each of which must have been filled. */
function complete<K extends string>(table: Readonly<Record<string, ByArea>>, keys: readonly K[]): Record<K, ByArea> {
  const out = {} as Record<K, ByArea>;
  for (const key of keys) {
    const entry = table[key];
    if (!entry) throw new Error(`cocoAnalyze: no values for '${key}'`);
    out[key] = entry;
  }
  return out;
}

/** Classifies every detection matched to a person with labelled keypoints (Q2: nk0 matches are skipped). */
function classifyRange(prepared: PreparedAnalysis, matches: readonly (DetectionMatch | null)[]): RangeClassification {
  const classes = matches.map((match, position) => {
    if (!match) return null;
    const person = prepared.gt.annotations[match.annotationIndex]!;
    if (person.num_keypoints === 0) return null;
    const imageAnnotations = prepared.annotationsByImage.get(person.image_id) ?? [person];
    return classifyKeypoints(prepared.detections[position]!.keypoints, person, imageAnnotations, prepared.analysisSigmas, prepared.layout.mirror);
  });
  return { matches, classes };
}

function localizationSummary(prepared: PreparedAnalysis, range: RangeClassification, areaRange: AreaRange): LocalizationErrors {
  const K = prepared.layout.keypointNames.length;
  const perKeypoint = {
    good: new Array<number>(K).fill(0),
    jitter: new Array<number>(K).fill(0),
    inversion: new Array<number>(K).fill(0),
    swap: new Array<number>(K).fill(0),
    miss: new Array<number>(K).fill(0),
  };
  const byLabel: Partial<Record<KeypointErrorLabel, number[]>> = {
    G: perKeypoint.good,
    J: perKeypoint.jitter,
    I: perKeypoint.inversion,
    S: perKeypoint.swap,
    M: perKeypoint.miss,
  };
  const detections: DetectionErrors[] = [];
  const skipped: number[] = [];
  let matchedCount = 0;
  let totalKeypoints = 0;
  range.matches.forEach((match, position) => {
    if (!match) return;
    matchedCount++;
    const classes = range.classes[position];
    if (!classes) {
      skipped.push(prepared.resultIndex[position]!);
      return;
    }
    const person = prepared.gt.annotations[match.annotationIndex]!;
    totalKeypoints += person.num_keypoints;
    classes.labels.forEach((label, k) => {
      const counts = byLabel[label];
      if (counts) counts[k]!++;
    });
    detections.push({
      resultIndex: prepared.resultIndex[position]!,
      imageId: person.image_id,
      gtAnnotationId: person.id,
      gtAnnotationIndex: match.annotationIndex,
      oks: match.oks,
      gtIgnored: match.ignored,
      labels: classes.labels,
      bestSimilarity: classes.bestSimilarity,
      correctedKeypoints: classes.correctedKeypoints,
    });
  });
  // The tool's report lists detections (and skipped ones) by ascending results index.
  detections.sort((x, y) => x.resultIndex - y.resultIndex);
  skipped.sort((x, y) => x - y);
  const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);
  return {
    areaRange,
    matchedCount,
    skippedNoKeypointMatches: skipped,
    analysedCount: detections.length,
    totalKeypoints,
    counts: {
      good: sum(perKeypoint.good),
      jitter: sum(perKeypoint.jitter),
      inversion: sum(perKeypoint.inversion),
      swap: sum(perKeypoint.swap),
      miss: sum(perKeypoint.miss),
    },
    perKeypoint,
    detections,
  };
}

/** Per threshold: positions of detections matched to nobody, and ids of annotations matched by nobody. */
function unmatchedPerThreshold(evaluation: KeypointEvalResult, a: number, gt: CocoKeypointsGroundTruth): { falsePositives: Set<number>[]; falseNegatives: Set<number>[] } {
  const T = evaluation.params.oksThresholds.length;
  const falsePositives: Set<number>[] = [];
  const falseNegatives: Set<number>[] = [];
  for (let t = 0; t < T; t++) {
    const fp = new Set<number>();
    for (const image of evaluation.perImage) {
      const D = image.detectionIndices.length;
      const area = image.areas[a]!;
      for (let d = 0; d < D; d++) if (area.dtMatches[t * D + d] === 0) fp.add(image.detectionIndices[d]!);
    }
    falsePositives.push(fp);
    const matched = matchedAnnotationIds(evaluation, a, t);
    falseNegatives.push(new Set(gt.annotations.filter((ann) => !matched.has(ann.id)).map((ann) => ann.id)));
  }
  return { falsePositives, falseNegatives };
}

/**
 * The tool's background fixes for area `a` of `evaluation` (Q6): unmatched detections become ignored at each
 * threshold (the FP fix); then, on top of that, unmatched annotations become ignored, accumulating over the
 * thresholds up to t and never reset.
 *
 * The tool files its false-negative rows in ascending threshold order but labels them in descending order, so its
 * reported false_neg value for threshold t is the one computed at the mirrored threshold; that is reproduced here.
 */
function backgroundFix(evaluation: KeypointEvalResult, a: number, gt: CocoKeypointsGroundTruth): { falsePositive: PerThreshold; falseNegative: PerThreshold } {
  const T = evaluation.params.oksThresholds.length;
  const R = evaluation.params.recallThresholds.length;
  const { falsePositives, falseNegatives } = unmatchedPerThreshold(evaluation, a, gt);
  const ignoreFp = (t: number, position: number): boolean => falsePositives[t]!.has(position);
  const fpFixed = reaccumulate(evaluation, a, ignoreFp);
  const falsePositive = perThreshold(fpFixed.precision, fpFixed.recall, T, R, 1, 0);
  const ignoredGt = new Set<number>();
  const fnAp: number[] = [];
  const fnRecall: number[] = [];
  for (let t = 0; t < T; t++) {
    for (const id of falseNegatives[t]!) ignoredGt.add(id);
    const range = reaccumulate(evaluation, a, ignoreFp, ignoredGt);
    const fixed = perThreshold(range.precision, range.recall, T, R, 1, 0);
    fnAp.push(fixed.ap[t]!);
    fnRecall.push(fixed.recall[t]!);
  }
  return { falsePositive, falseNegative: { ap: fnAp.reverse(), recall: fnRecall.reverse() } };
}

function backgroundSummary(evaluation: KeypointEvalResult, a: number, gt: CocoKeypointsGroundTruth, prepared: PreparedAnalysis): BackgroundErrors {
  const { falsePositives, falseNegatives } = unmatchedPerThreshold(evaluation, a, gt);
  const nDets = prepared.detections.length;
  const nGt = gt.annotations.length;
  const fpAll = [...falsePositives[0]!].filter((p) => falsePositives.every((set) => set.has(p)));
  const fnAll = [...falseNegatives[0]!].filter((id) => falseNegatives.every((set) => set.has(id)));
  const withKeypoints = fnAll.filter((id) => (gt.annotations[prepared.annotationIndexById.get(id)!]?.num_keypoints ?? 0) > 0);
  return {
    oksThresholds: [...evaluation.params.oksThresholds],
    matchedDetections: falsePositives.map((set) => nDets - set.size),
    falsePositives: falsePositives.map((set) => set.size),
    matchedGroundTruth: falseNegatives.map((set) => nGt - set.size),
    falseNegatives: falseNegatives.map((set) => set.size),
    falsePositivesAtAllThresholds: fpAll.map((p) => prepared.resultIndex[p]!).sort((x, y) => x - y),
    falseNegativesAtAllThresholds: fnAll.sort((x, y) => x - y),
    falseNegativesWithKeypointsAtAllThresholds: withKeypoints.length,
    groundTruthCount: nGt,
  };
}
