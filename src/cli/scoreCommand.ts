/** `keypoint-bench score`: the COCO keypoint stats (pycocotools' summary) and PCK of an existing results file. */

import { basename } from 'node:path';
import { evaluateColumn, type ModelMetrics } from '../core/evaluation/evaluateColumn';
import { buildProvenance, provenanceLines, type Provenance } from '../core/evaluation/provenance';
import { cocoSummaryLines } from '../core/evaluation/summary';
import type { ScoreArgs } from './args';
import { fileSha256, gitCommit } from './provenanceInputs';
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
  /** Ground truth (with its sha256), what was scored, app version and date; no models ran, so no backend. */
  provenance: Provenance;
}

export async function runScore(args: ScoreArgs, io: CliIo, options: { now?: () => Date; appVersion?: string } = {}): Promise<ScoreJson> {
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
    latencies: [],
    pck: args.pck,
  });
  const provenance = buildProvenance({
    appVersion: options.appVersion ?? gitCommit(),
    date: options.now?.() ?? new Date(),
    groundTruth: { fileName: basename(args.gtPath), sha256: await fileSha256(args.gtPath) },
    metrics: [metrics],
    models: [],
    importedPredictions: [{ columnId: metrics.columnId, label: args.resultsPath, fileName: basename(args.resultsPath) }],
    backend: null,
    threads: null,
    protocol: metrics.protocol,
    confidenceThreshold: null,
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
    provenance,
  };
  if (args.json) {
    io.stdout(JSON.stringify(out, null, 2) + '\n');
  } else {
    const { pck } = metrics;
    io.stdout(
      `${out.summaryLines.join('\n')}\n` +
        ` PCK@${pck.alpha} (${pck.normalizer}) = ${formatStat(pck.value)}  ` +
        `(${pck.personsEvaluated} persons scored, ${pck.personsSkipped} skipped; ${out.detections} detections on ${out.images} images)\n` +
        `\nProvenance:\n${provenanceLines(provenance).map((line) => `  ${line}\n`).join('')}`,
    );
  }
  return out;
}
