/** `keypoint-bench score`: the COCO keypoint stats (pycocotools' summary) and PCK of an existing results file. */

import { groundTruthLayout } from '../core/layouts';
import { basename } from 'node:path';
import { evaluateColumn, type ModelMetrics } from '../core/evaluation/evaluateColumn';
import { buildProvenance, provenanceLines, type Provenance } from '../core/evaluation/provenance';
import { cocoSummaryLines } from '../core/evaluation/summary';
import type { ScoreArgs } from './args';
import { columnErrors, errorsJson, errorsText, type ErrorsJson } from './errorTaxonomy';
import { computeIntervals, intervalProgressText, intervalsJson, intervalsText, type IntervalsJson } from './intervals';
import { fileSha256, gitCommit } from './provenanceInputs';
import { loadGroundTruth, loadResults, withSigmasOption } from './inputs';
import { Progress, formatStat, type CliIo } from './terminal';

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
  /** 95% bootstrap intervals over the images (and the verdict on them when targets are given); null with --bootstrap 0. */
  intervals: IntervalsJson | null;
  /** The coco-analyze error taxonomy of the results; null with --no-errors. */
  errors: ErrorsJson | null;
}

export async function runScore(args: ScoreArgs, io: CliIo, options: { now?: () => Date; appVersion?: string } = {}): Promise<ScoreJson> {
  const warn = (line: string) => io.stderr(`warning: ${line}\n`);
  const gt = await withSigmasOption(await loadGroundTruth(args.gtPath, warn), args.sigmas);
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
    scoredLayout: groundTruthLayout(gt).layout,
    models: [],
    importedPredictions: [{ columnId: metrics.columnId, label: args.resultsPath, fileName: basename(args.resultsPath) }],
    backend: null,
    threads: null,
    protocol: metrics.protocol,
    confidenceThreshold: null,
  });
  const imageIds = gt.images.map((image) => image.id);
  const analysis = args.analysis ?? { bootstrapResamples: 0, bootstrapSeed: 1, errors: false };
  const targets = args.targets ?? { apMin: null, pckMin: null, latencyMaxMs: null };
  let intervals: IntervalsJson | null = null;
  let intervalBlock = '';
  if (analysis.bootstrapResamples > 0) {
    // score is quick and its stderr is for warnings: progress only where it redraws in place (a terminal).
    const progress = new Progress(io);
    const report = await computeIntervals(
      {
        gt,
        imageIds,
        columns: [{ columnId: metrics.columnId, displayName: metrics.displayName, results, imageLatencyMs: null }],
        pck: args.pck,
        resamples: analysis.bootstrapResamples,
        seed: analysis.bootstrapSeed,
      },
      (phase, done, total) => {
        if (io.stderrIsTty) progress.update(intervalProgressText(phase, done, total));
      },
    );
    progress.finish();
    intervals = intervalsJson(report, targets, args.pck);
    intervalBlock = intervalsText(report, targets, args.pck);
  }
  const errorColumns = analysis.errors ? [columnErrors(metrics.columnId, metrics.displayName, gt, results)] : null;
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
    intervals,
    errors: errorColumns ? errorsJson(errorColumns) : null,
  };
  if (args.json) {
    io.stdout(JSON.stringify(out, null, 2) + '\n');
  } else {
    const { pck } = metrics;
    io.stdout(
      `${out.summaryLines.join('\n')}\n` +
        ` PCK@${pck.alpha} (${pck.normalizer}) = ${formatStat(pck.value)}  ` +
        `(${pck.personsEvaluated} persons scored, ${pck.personsSkipped} skipped; ${out.detections} detections on ${out.images} images)\n` +
        (intervalBlock ? `\n${intervalBlock}` : '') +
        (errorColumns ? `\n${errorsText(errorColumns)}` : '') +
        `\nProvenance:\n${provenanceLines(provenance).map((line) => `  ${line}\n`).join('')}`,
    );
  }
  return out;
}
