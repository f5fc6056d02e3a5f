/** `keypoint-bench score`: the COCO keypoint stats (pycocotools' summary) and PCK of an existing results file. */

import { evaluateColumn, type ModelMetrics } from '../core/evaluation/evaluateColumn';
import { cocoSummaryLines } from '../core/evaluation/summary';
import type { ScoreArgs } from './args';
import { loadGroundTruth, loadResults } from './inputs';
import { formatStat, type CliIo } from './terminal';

/** What `score --json` prints. */
export interface ScoreJson {
  gt: string;
  results: string;
  images: number;
  detections: number;
  /** pycocotools' 10 stats by name; -1 where an area range has no ground-truth person. */
  stats: ModelMetrics['stats'];
  /** The same, as pycocotools' summarize() prints them. */
  summaryLines: string[];
  pck: ModelMetrics['pck'];
  perKeypoint: ModelMetrics['perKeypoint'];
}

export async function runScore(args: ScoreArgs, io: CliIo): Promise<ScoreJson> {
  const warn = (line: string) => io.stderr(`warning: ${line}\n`);
  const gt = await loadGroundTruth(args.gtPath, warn);
  const results = await loadResults(args.resultsPath, gt, warn);
  if (results.length === 0) warn('no detections to score: every stat is 0 (-1 for area ranges without persons)');
  // Every ground-truth image is scored, as pycocotools does.
  const metrics = evaluateColumn({
    columnId: 'results',
    displayName: args.resultsPath,
    protocol: 'whole',
    gt,
    imageIdsEvaluated: gt.images.map((image) => image.id),
    results,
    latenciesMs: [],
    pck: args.pck,
  });
  const out: ScoreJson = {
    gt: args.gtPath,
    results: args.resultsPath,
    images: metrics.imagesEvaluated,
    detections: metrics.detections,
    stats: metrics.stats,
    summaryLines: cocoSummaryLines(metrics.stats),
    pck: metrics.pck,
    perKeypoint: metrics.perKeypoint,
  };
  if (args.json) {
    io.stdout(JSON.stringify(out, null, 2) + '\n');
  } else {
    const { pck } = metrics;
    io.stdout(
      `${out.summaryLines.join('\n')}\n` +
        ` PCK@${pck.alpha} (${pck.normalizer}) = ${formatStat(pck.value)}  ` +
        `(${pck.personsEvaluated} persons scored, ${pck.personsSkipped} skipped; ${out.detections} detections on ${out.images} images)\n`,
    );
  }
  return out;
}
