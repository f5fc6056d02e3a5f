/** Messages between the page and the analysis worker (analysisWorker.ts): bootstrap intervals off the page's thread. */
import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import type { ColumnErrors } from '../core/evaluation/errorSummary';
import type { BootstrapReport } from '../core/metrics/bootstrap';
import type { PckNormalizer } from '../core/metrics/pck';

export interface BootstrapColumnRequest {
  columnId: string;
  displayName: string;
  /** COCO results on the request's images. */
  results: readonly CocoKeypointResult[];
  /** Per image of the request (same order): model time of all its inferences, ms; null where not timed, or no list (imported predictions). */
  imageLatencyMs: readonly (number | null)[] | null;
}

export interface BootstrapRequest {
  /** The ground truth of the resampled images only (the page cuts it down: a 100 MB file is not cloned). */
  gt: CocoKeypointsGroundTruth;
  /** The images every column is scored on, resampled together so that differences between columns are paired. */
  imageIds: readonly number[];
  columns: readonly BootstrapColumnRequest[];
  pck: { alpha: number; normalizer: PckNormalizer };
  resamples: number;
  seed: number;
  /** Also the coco-analyze error taxonomy of every column on the same images. */
  errorAnalysis?: boolean;
}

export type BootstrapPhase = 'preparing' | 'resampling' | 'errors';

/** One detection's keypoint classes (17 letters, COCO-17 order: G J I S M, '-' unlabelled) and its OKS with its person. */
export interface DetectionLabels {
  labels: string;
  oks: number;
}

/** Per image, what went wrong for one column: its analysed detections, and its background false positives. */
export interface ImageErrors {
  gtImageId: number;
  detections: DetectionLabels[];
  /** Detections matched to nobody at any OKS threshold .50:.95 (background false positives, coco-analyze's set). */
  backgroundFalsePositives: number;
}

export interface ColumnErrorAnalysis {
  summary: ColumnErrors;
  /** Images with at least one analysed detection or false positive, in ground-truth order. */
  images: ImageErrors[];
}

/** What an analysis job gives: the intervals, and the taxonomy when asked for. */
export interface AnalysisReport {
  bootstrap: BootstrapReport;
  errors: ColumnErrorAnalysis[] | null;
}

export type ToAnalysisWorker = { type: 'bootstrap'; id: number; request: BootstrapRequest } | { type: 'cancel'; id: number };

export type FromAnalysisWorker =
  | { type: 'progress'; id: number; phase: BootstrapPhase; done: number; total: number }
  | { type: 'done'; id: number; report: AnalysisReport }
  | { type: 'failed'; id: number; message: string };
