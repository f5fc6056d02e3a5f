/**
 * The coco-analyze error taxonomy (Ronchi & Perona, ICCV 2017) per column, summarised for people: keypoint classes,
 * background errors, the AP each error type would gain if fixed, and the per-keypoint breakdown. One summary for the
 * app (analysis worker), its exports and the CLI (errors.json, the `errors` block of `score --json`).
 *
 * The AP gain per error type is summarised as the tool's own bar chart summarises it (analysisAPI/errorsAPImpact.py,
 * ap_improv_areas_all): the mean over its 10 OKS thresholds .50:.95 of the gain at each threshold, area 'all', with
 * the standard deviation across thresholds (numpy's default, ddof 0) as its error bar. The gain at OKS .50 and .75 is
 * shown beside it, since a mean over thresholds hides that jitter matters only at the strict ones.
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../coco/cocoTypes';
import {
  AP_IMPACT_ERROR_TYPES,
  analyzeKeypointErrors,
  type ApImpactErrorType,
  type CocoAnalyzeResult,
  type KeypointErrorCounts,
} from '../metrics/cocoAnalyze';
import { CocoEvalError } from '../metrics/cocoEval';

/** Version of the errors.json layout (and of the `errors` block of `score --json`). */
export const ERRORS_JSON_FORMAT_VERSION = 1;
export const ERRORS_JSON_FILE_NAME = 'errors.json';

/** The keypoint classes in the order the tool prints them (localizationErrors.py). */
export const KEYPOINT_CLASSES = ['good', 'jitter', 'inversion', 'swap', 'miss'] as const;
export type KeypointClass = (typeof KEYPOINT_CLASSES)[number];
export const CLASS_LABELS: Record<KeypointClass, string> = { good: 'Good', jitter: 'Jitter', inversion: 'Inversion', swap: 'Swap', miss: 'Miss' };
export const ERROR_LABELS: Record<ApImpactErrorType, string> = {
  miss: 'miss',
  swap: 'swap',
  inversion: 'inversion',
  jitter: 'jitter',
  score: 'score',
  bckgd_false_pos: 'background FP',
  false_neg: 'false negative',
};


/** The AP gain of fixing one error type, area 'all'. */
export interface ApGainSummary {
  errorType: ApImpactErrorType;
  /** Mean over the OKS thresholds where the baseline AP is defined (the tool's bar); null when none is. */
  meanOverThresholds: number | null;
  /** Standard deviation across those thresholds (ddof 0, the tool's error bar). */
  stdOverThresholds: number | null;
  /** Gain at each of the 10 OKS thresholds .50:.95; null where the baseline AP is undefined (-1). */
  perThreshold: (number | null)[];
}

export interface PerKeypointRow {
  keypoint: string;
  /** Labelled keypoints of the analysed matches (the five counts together). */
  labelled: number;
  counts: KeypointErrorCounts;
}

export interface ColumnErrors {
  columnId: string;
  displayName: string;
  /** Why the analysis could not run (as the tool could not: e.g. no detection on a ground-truth image); else null. */
  unavailable: string | null;
  analysis: {
    detections: number;
    /** Detections matched to a person at OKS 0.1 (ignored persons too). */
    matchedDetections: number;
    /** Of those, the ones whose person has labelled keypoints: their keypoints are classified. */
    analysedDetections: number;
    /** Labelled keypoints of those persons: the five class counts add up to this. */
    labelledKeypoints: number;
    counts: KeypointErrorCounts;
    perKeypoint: PerKeypointRow[];
    background: CocoAnalyzeResult['background'];
    apGain: ApGainSummary[];
    /** AP per OKS threshold, area 'all', of the original detections and after each fix (the tool's ap_impact.ap). */
    apPerThreshold: Record<'baseline' | ApImpactErrorType, readonly number[]>;
    /** The tool's evaluate() stats (its area range 'all' starts at 32² px, so they can differ from pycocotools'). */
    evaluateStats: readonly number[];
    oksThresholds: readonly number[];
  } | null;
}

export interface ErrorsJson {
  formatVersion: number;
  /** How the numbers were made, in one sentence. */
  method: string;
  columns: ColumnErrors[];
}

export const ERRORS_METHOD =
  "coco-analyze (Ronchi & Perona, ICCV 2017; matteorr/coco-analyze defaults): detections matched to persons at OKS 0.1; keypoints of persons with labels classed Good (similarity > 0.85), Jitter (0.5–0.85), Inversion (nearer its own left/right mirror), Swap (nearer another person's keypoint), Miss (< 0.5); the tool's area range 'all' is [32², 1e10] px², so smaller persons and detections are left out; AP gain = AP with that error type fixed minus AP as is, area 'all', mean ± std over OKS .50:.95 as the tool's bar chart (false negatives on top of the background-FP fix).";

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function apGainSummary(result: CocoAnalyzeResult, errorType: ApImpactErrorType): ApGainSummary {
  const gains = result.apImpact.improvement[errorType]['all'] ?? [];
  // The two APs the gain is the difference of: the fixed one, and the baseline (for false negatives, the AP with
  // background false positives fixed, as the tool stacks that fix under it).
  const fixed = result.apImpact.ap[errorType]['all'] ?? [];
  const reference = result.apImpact.ap[errorType === 'false_neg' ? 'bckgd_false_pos' : 'baseline']['all'] ?? [];
  // An AP of -1 (no person left in the range at that threshold: every one ignored or none there) is pycocotools'
  // "undefined"; a difference with it is no gain. Seen with the false-negative fix, which ignores every missed person:
  // where all are missed, its AP is -1 and the raw difference −1.2.
  const perThreshold = gains.map((gain, t) => ((fixed[t] ?? -1) < 0 || (reference[t] ?? -1) < 0 ? null : gain));
  const defined = perThreshold.filter((g): g is number => g !== null);
  if (defined.length === 0) return { errorType, meanOverThresholds: null, stdOverThresholds: null, perThreshold };
  const m = mean(defined);
  return { errorType, meanOverThresholds: m, stdOverThresholds: Math.sqrt(mean(defined.map((g) => (g - m) ** 2))), perThreshold };
}

/** The taxonomy of one column; an analysis the tool would refuse (CocoEvalError) comes back as `unavailable`. */
export function columnErrors(columnId: string, displayName: string, gt: CocoKeypointsGroundTruth, results: readonly CocoKeypointResult[]): ColumnErrors {
  return columnErrorsWithDetail(columnId, displayName, gt, results).summary;
}

/** columnErrors, and the tool's full result it summarises (null where it could not run). */
export function columnErrorsWithDetail(
  columnId: string,
  displayName: string,
  gt: CocoKeypointsGroundTruth,
  results: readonly CocoKeypointResult[],
): { summary: ColumnErrors; result: CocoAnalyzeResult | null } {
  let result: CocoAnalyzeResult;
  try {
    result = analyzeKeypointErrors(gt, results);
  } catch (error) {
    if (error instanceof CocoEvalError) return { summary: { columnId, displayName, unavailable: error.message, analysis: null }, result: null };
    throw error;
  }
  return { summary: summarise(columnId, displayName, result), result };
}

function summarise(columnId: string, displayName: string, result: CocoAnalyzeResult): ColumnErrors {
  const { localization } = result;
  const perKeypoint = result.params.keypointNames.map((keypoint, k): PerKeypointRow => {
    const counts = Object.fromEntries(KEYPOINT_CLASSES.map((c) => [c, localization.perKeypoint[c][k] ?? 0])) as unknown as KeypointErrorCounts;
    return { keypoint, labelled: KEYPOINT_CLASSES.reduce((sum, c) => sum + counts[c], 0), counts };
  });
  const apPerThreshold = Object.fromEntries(
    (['baseline', ...AP_IMPACT_ERROR_TYPES] as const).map((type) => [type, result.apImpact.ap[type]['all'] ?? []]),
  ) as Record<'baseline' | ApImpactErrorType, readonly number[]>;
  return {
    columnId,
    displayName,
    unavailable: null,
    analysis: {
      detections: result.analysedDetectionCount,
      matchedDetections: localization.matchedCount,
      analysedDetections: localization.analysedCount,
      labelledKeypoints: localization.totalKeypoints,
      counts: localization.counts,
      perKeypoint,
      background: result.background,
      apGain: AP_IMPACT_ERROR_TYPES.map((type) => apGainSummary(result, type)),
      apPerThreshold,
      evaluateStats: result.evaluateStats,
      oksThresholds: result.params.oksThresholds,
    },
  };
}

export function errorsJson(columns: ColumnErrors[]): ErrorsJson {
  return { formatVersion: ERRORS_JSON_FORMAT_VERSION, method: ERRORS_METHOD, columns };
}
