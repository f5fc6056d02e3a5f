import { COCO_KEYPOINT_MAX_DETECTIONS, COCO_OKS_THRESHOLDS, KEYPOINT_STATS_NAMES, summaryLines } from '../metrics/cocoEval';
import type { StatName } from './evaluateColumn';

/**
 * The 10 lines pycocotools' `summarize()` prints for keypoints with its default parameters, from the stats of
 * a `ModelMetrics` (so also for the empty-results case, which `evaluateKeypoints` cannot evaluate).
 * For a run of `evaluateKeypoints` itself, its `summaryLines` are the same text.
 */
export function cocoSummaryLines(stats: Readonly<Record<StatName, number>>): string[] {
  return summaryLines(
    { oksThresholds: COCO_OKS_THRESHOLDS, maxDetections: COCO_KEYPOINT_MAX_DETECTIONS },
    KEYPOINT_STATS_NAMES.map((name) => stats[name]),
  );
}
