import { COCO_KEYPOINT_MAX_DETECTIONS, COCO_OKS_THRESHOLDS, KEYPOINT_STATS_NAMES } from '../metrics/cocoEval';
import { formatFixed3LikePython } from '../metrics/numpyCompat';
import type { StatName } from './evaluateColumn';

const ROWS: readonly [ap: boolean, oks: number | null, area: string][] = [
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

/**
 * The 10 lines pycocotools' `summarize()` prints for keypoints with its default parameters, from the stats of
 * a `ModelMetrics` (so also for the empty-results case, which `evaluateKeypoints` cannot evaluate).
 * For a run of `evaluateKeypoints` itself, its `summaryLines` are the same text.
 */
export function cocoSummaryLines(stats: Readonly<Record<StatName, number>>): string[] {
  const first = COCO_OKS_THRESHOLDS[0]!;
  const last = COCO_OKS_THRESHOLDS[COCO_OKS_THRESHOLDS.length - 1]!;
  return ROWS.map(([ap, oks, area], i) => {
    const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = ap ? '(AP)' : '(AR)';
    const iou = (oks === null ? `${first.toFixed(2)}:${last.toFixed(2)}` : oks.toFixed(2)).padEnd(9);
    const maxDets = String(COCO_KEYPOINT_MAX_DETECTIONS).padStart(3);
    const value = stats[KEYPOINT_STATS_NAMES[i]!];
    return ` ${title} ${type} @[ IoU=${iou} | area=${area.padStart(6)} | maxDets=${maxDets} ] = ${formatFixed3LikePython(value)}`;
  });
}
