/**
 * `keypoint-bench eval`: runs models on a folder of images in Node and scores them against COCO ground truth with
 * the same core code as the browser (src/core/evaluation). Writes `<model>.results.json`, metrics.csv, metrics.json
 * and provenance.json (where the results came from: ground truth + sha256, commit, weight hashes, backend, date),
 * plus intervals.json / intervals.csv (bootstrap) and errors.json (coco-analyze taxonomy) unless turned off.
 */

import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CocoKeypointAnnotation, CocoKeypointResult, CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import { evaluateColumn, type ImageLatency, type ModelMetrics } from '../core/evaluation/evaluateColumn';
import { posesToCocoResults } from '../core/evaluation/conversion';
import { groundTruthLayout, layoutById, layoutMapping, noMappingReason } from '../core/layouts';
import { metricsToCsv, metricsToJson } from '../core/evaluation/exportMetrics';
import { PROTOCOL_DESCRIPTIONS } from '../core/evaluation/protocol';
import { buildProvenance, provenanceLines, type Provenance } from '../core/evaluation/provenance';
import { publishedByColumn } from '../core/evaluation/published';
import { verdict } from '../core/evaluation/verdict';
import { formatImageLatency } from '../core/latencyText';
import type { ModelId } from '../core/types';
import { MODEL_MANIFEST, modelInfo } from '../inference/modelCatalogue';
import { runtimeThreads } from '../inference/modelRegistry';
import { nodeWasmThreads } from '../node/nodeBackend';
import { fileSha256, gitCommit } from './provenanceInputs';
import { InputError, type EvalArgs } from './args';
import { ERRORS_JSON_FILE_NAME, columnErrors, errorsJson, errorsText, type ColumnErrors } from './errorTaxonomy';
import {
  INTERVALS_CSV_FILE_NAME,
  INTERVALS_JSON_FILE_NAME,
  computeIntervals,
  intervalProgressText,
  intervalsCsv,
  intervalsJson,
  intervalsText,
} from './intervals';
import type { BootstrapReport } from '../core/metrics/bootstrap';
import { inProcessProcessor, loadAdapters, type ImageProcessor } from './imageProcessor';
import { listNames, loadGroundTruth, makeOutputDir, matchImages, withSigmasOption } from './inputs';
import { DEFAULT_MODELS_DIR, requireModelFiles, startBackend } from './pipeline';
import { Progress, formatMs, metricsTable, publishedFootnotes, verdictLines, type CliIo } from './terminal';

/** Written beside the COCO results files, which stay plain arrays for pycocotools. */
export const PROVENANCE_FILE_NAME = 'provenance.json';

/** COCO results as JSON: an array with one detection per line (readable, diffable, loadable by pycocotools). */
export function resultsToJson(results: readonly CocoKeypointResult[]): string {
  return results.length === 0 ? '[]\n' : `[\n${results.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
}

export interface EvalOptions {
  /** Weights folder; the repository's models/ by default. */
  modelsDir?: string;
  /** Clock for metrics files (tests pin it). */
  now?: () => Date;
  /** The app version to record; the checkout's git commit by default. */
  appVersion?: string;
}

export interface EvalOutcome {
  metrics: ModelMetrics[];
  files: string[];
  backend: string;
  provenance: Provenance;
}

export async function runEval(args: EvalArgs, io: CliIo, options: EvalOptions = {}): Promise<EvalOutcome> {
  const startedMs = performance.now();
  const progress = new Progress(io);
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;

  // Inputs first: every input error surfaces before the (slow) models load.
  const gt = await withSigmasOption(await loadGroundTruth(args.gtPath, (line) => progress.warn(line)), args.sigmas);
  // A model is scored through a mapping into the ground truth's keypoints; without one there is nothing to score.
  const scoredLayout = groundTruthLayout(gt).layout;
  const unscorable = args.modelIds.filter((id) => !layoutMapping(layoutById(modelInfo(id).keypointLayout), scoredLayout));
  if (args.allModels && unscorable.length > 0) {
    // "all" means every model this ground truth can score: the others are named, not run.
    progress.warn(`${unscorable.join(', ')}: no mapping from ${[...new Set(unscorable.map((id) => layoutById(modelInfo(id).keypointLayout).displayName))].join(', ')} to ${scoredLayout.displayName}; left out of "all"`);
    args = { ...args, modelIds: args.modelIds.filter((id) => !unscorable.includes(id)) };
    if (args.modelIds.length === 0) throw new InputError(`no model can be scored against ${args.gtPath} (${scoredLayout.displayName}); run them with \`keypoint-bench predict\``);
  } else if (unscorable.length > 0) {
    const id = unscorable[0]!;
    throw new InputError(
      `${unscorable.join(', ')} cannot be scored against ${args.gtPath}: ${noMappingReason(layoutById(modelInfo(id).keypointLayout), scoredLayout)}; ` +
        'run such models with `keypoint-bench predict`, or give ground truth in their keypoints',
    );
  }
  const gtSha256 = await fileSha256(args.gtPath);
  const images = await matchImages(args.imagesDir, gt);
  if (images.matched.length === 0) {
    throw new InputError(
      `no image in ${args.imagesDir} matches a file_name of ${args.gtPath}` +
        (images.filesWithoutGt.length > 0 ? ` (files: ${listNames(images.filesWithoutGt, 3)})` : ' (no JPEG/PNG files there)'),
    );
  }
  if (images.filesWithoutGt.length > 0) progress.warn(`${images.filesWithoutGt.length} image(s) without ground truth, skipped: ${listNames(images.filesWithoutGt)}`);
  if (images.gtWithoutFiles.length > 0) progress.warn(`${images.gtWithoutFiles.length} ground-truth image(s) without a file, not scored: ${listNames(images.gtWithoutFiles)}`);
  if (images.undecodable.length > 0) progress.warn(`${images.undecodable.length} image(s) Node cannot decode (JPEG and PNG only), skipped: ${listNames(images.undecodable)}`);
  if (images.duplicateGtNames.length > 0) progress.warn(`file names used by several ground-truth images (the first is used): ${listNames(images.duplicateGtNames)}`);
  requireModelFiles(args.modelIds, modelsDir);
  await makeOutputDir(args.outDir);

  progress.update('starting the tfjs WASM backend');
  let backend: string;
  let threads: Provenance['threads'];
  let processor: ImageProcessor;
  if (args.threads > 1) {
    const { startWorkerPool } = await import('./workerPool');
    const pool = await startWorkerPool({
      workers: args.threads,
      modelIds: args.modelIds,
      protocol: args.protocol,
      modelsDir,
      onLoaded: (id, ms) => progress.update(`loaded ${id} in ${formatMs(ms)} ms (${args.threads} workers)`),
    });
    backend = pool.backend;
    threads = { count: args.threads, detail: 'worker threads, one image each, every worker with its own tfjs WASM backend' };
    processor = pool;
  } else {
    backend = await startBackend();
    threads = { count: nodeWasmThreads(), detail: 'WASM threads, read back from the module' };
    const adapters = await loadAdapters(args.modelIds, modelsDir, (id, ms) => progress.update(`loaded ${id} in ${formatMs(ms)} ms`));
    processor = inProcessProcessor(adapters, args.protocol, backend);
  }

  const results = new Map<ModelId, CocoKeypointResult[]>(args.modelIds.map((id) => [id, []]));
  const latencies = new Map<ModelId, ImageLatency[]>(args.modelIds.map((id) => [id, []]));
  const runtimeOf = new Map<ModelId, string>();
  /** Per model, per image id: model time of all the image's inferences (the bootstrap resamples it with its image). */
  const imageLatencyMs = new Map<ModelId, Map<number, number>>(args.modelIds.map((id) => [id, new Map()]));
  const evaluatedIds: number[] = [];
  /** Under person crops, images whose ground truth has no labelled person: nothing runs, nothing is scored (as in the app). */
  let imagesWithoutPeople = 0;
  // Each image's own ground truth, indexed once (cropTargets reads only its image's entries).
  const annotationsByImage = new Map<number, CocoKeypointAnnotation[]>();
  for (const ann of gt.annotations) {
    const list = annotationsByImage.get(ann.image_id) ?? [];
    list.push(ann);
    annotationsByImage.set(ann.image_id, list);
  }
  const imageById = new Map(gt.images.map((image) => [image.id, image]));
  const taskGt = (imageId: number): CocoKeypointsGroundTruth => ({
    images: imageById.has(imageId) ? [imageById.get(imageId)!] : [],
    annotations: annotationsByImage.get(imageId) ?? [],
    categories: [],
  });
  const total = images.matched.length;
  let started = 0;
  try {
    // With a worker pool, `threads` images are in flight at once; results are collected per image id, so the
    // order they finish in does not matter.
    const queue = [...images.matched];
    const runNext = async (): Promise<void> => {
      for (let match = queue.shift(); match; match = queue.shift()) {
        const position = ++started;
        const counter = `image ${position}/${total}`;
        try {
          const outcome = await processor.process({ imageId: match.imageId, path: match.path, gt: taskGt(match.imageId) }, (modelId, estimate) =>
            progress.update(`${counter} · ${modelId} · ${formatImageLatency(estimate.imageLatencyMs, estimate.inferences)}`),
          );
          if (
            (match.widthPx !== undefined && match.widthPx !== outcome.sizePx.width) ||
            (match.heightPx !== undefined && match.heightPx !== outcome.sizePx.height)
          ) {
            progress.warn(
              `${match.fileName}: decoded ${outcome.sizePx.width}×${outcome.sizePx.height} px (EXIF applied), ground truth says ` +
                `${match.widthPx ?? '?'}×${match.heightPx ?? '?'}; keypoints are compared in the decoded image's pixels`,
            );
          }
          if (args.protocol === 'crops' && outcome.targets.length === 0) {
            imagesWithoutPeople++;
            continue;
          }
          for (const { modelId, estimate } of outcome.estimates) {
            const scored = groundTruthLayout(gt);
            results.get(modelId)!.push(...posesToCocoResults(match.imageId, estimate.poses, layoutById(modelInfo(modelId).keypointLayout), scored.layout, scored.categoryId));
            latencies.get(modelId)!.push({ imageMs: estimate.imageLatencyMs, inferences: estimate.inferences });
            runtimeOf.set(modelId, estimate.runtime);
            imageLatencyMs.get(modelId)!.set(match.imageId, estimate.imageLatencyMs);
          }
          evaluatedIds.push(match.imageId);
        } catch (error) {
          progress.warn(`${match.fileName}: skipped, ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.threads, total) }, runNext));
  } finally {
    await processor.close();
  }
  progress.finish();
  if (imagesWithoutPeople > 0) {
    progress.warn(`${imagesWithoutPeople} image${imagesWithoutPeople === 1 ? ' has' : 's have'} no labelled person in the ground truth: not scored under person crops`);
  }
  if (evaluatedIds.length === 0) {
    throw new InputError(imagesWithoutPeople === total ? 'no matched image has a labelled person: person crops need them (try --protocol whole)' : `none of the ${total} matched images could be decoded`);
  }

  // Results in ground-truth image order, whatever order the workers finished in.
  const order = new Map(gt.images.map((image, i) => [image.id, i]));
  const metrics = args.modelIds.map((modelId) => {
    const modelResults = results.get(modelId)!.sort((a, b) => order.get(a.image_id)! - order.get(b.image_id)!);
    return evaluateColumn({
      columnId: modelId,
      displayName: modelInfo(modelId).displayName,
      protocol: args.protocol,
      gt,
      imageIdsEvaluated: evaluatedIds,
      results: modelResults,
      latencies: latencies.get(modelId)!,
      pck: args.pck,
      oneResultPerCrop: args.protocol === 'crops',
    });
  });

  // Intervals and error taxonomy on the images scored (ground-truth order), every model on the same list.
  const scoredIds = [...evaluatedIds].sort((a, b) => order.get(a)! - order.get(b)!);
  let report: BootstrapReport | null = null;
  if (args.analysis.bootstrapResamples > 0) {
    let shownQuarter = -1;
    report = await computeIntervals(
      {
        gt,
        imageIds: scoredIds,
        columns: metrics.map((m) => ({
          columnId: m.columnId,
          displayName: m.displayName,
          results: results.get(m.columnId)!,
          imageLatencyMs: scoredIds.map((id) => imageLatencyMs.get(m.columnId)!.get(id) ?? null),
        })),
        pck: args.pck,
        resamples: args.analysis.bootstrapResamples,
        seed: args.analysis.bootstrapSeed,
      },
      (phase, done, total) => {
        // Piped stderr gets a line per quarter of the resamples, not one per chunk of 50.
        if (!io.stderrIsTty && phase === 'resampling') {
          const quarter = Math.floor((4 * done) / total);
          if (quarter === shownQuarter) return;
          shownQuarter = quarter;
        }
        progress.update(intervalProgressText(phase, done, total));
      },
    );
    progress.finish();
  }
  let errorColumns: ColumnErrors[] | null = null;
  if (args.analysis.errors) {
    const scoredSet = new Set(scoredIds);
    // Only the scored images: an image no model ran on would count its people as false negatives.
    const scoredGt: CocoKeypointsGroundTruth = {
      images: gt.images.filter((image) => scoredSet.has(image.id)),
      annotations: gt.annotations.filter((ann) => scoredSet.has(ann.image_id)),
      categories: gt.categories,
    };
    errorColumns = metrics.map((m, i) => {
      progress.update(`error taxonomy: ${m.columnId} (${i + 1}/${metrics.length})`);
      return columnErrors(m.columnId, m.displayName, scoredGt, results.get(m.columnId)!);
    });
    progress.finish();
  }

  const models = args.modelIds.map((id) => modelInfo(id));
  /** The runtimes that ran the models (model × runtime × backend), as each estimate reported it. */
  const runtimes = [...new Set([...runtimeOf.values()])];
  const provenance = buildProvenance({
    runtimes: MODEL_MANIFEST.runtimes,
    // Where a runtime with its own module ran (LiteRT: the threads its module loaded with here).
    modelThreads: Object.fromEntries([...runtimeOf].flatMap(([id, runtime]) => { const threads = runtimeThreads(runtime); return threads !== null ? [[id, threads]] : []; })),
    appVersion: options.appVersion ?? gitCommit(),
    date: options.now?.() ?? new Date(),
    groundTruth: { fileName: basename(args.gtPath), sha256: gtSha256 },
    metrics,
    scoredLayout: groundTruthLayout(gt).layout,
    models,
    backend,
    threads,
    protocol: args.protocol,
    // Nothing is drawn: no threshold hides anything.
    confidenceThreshold: null,
  });
  const published = publishedByColumn(models);
  const hasTargets = args.targets.apMin !== null || args.targets.pckMin !== null || args.targets.latencyMaxMs !== null;
  const context = { provenance, published };
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(args.outDir, name);
    try {
      await writeFile(path, text);
    } catch (error) {
      throw new InputError(`cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    files.push(path);
  };
  for (const modelId of args.modelIds) await write(`${modelId}.results.json`, resultsToJson(results.get(modelId)!));
  await write('metrics.csv', metricsToCsv(metrics, context));
  await write('metrics.json', metricsToJson(metrics, hasTargets ? { ...context, targets: args.targets } : context));
  await write(PROVENANCE_FILE_NAME, JSON.stringify(provenance, null, 2) + '\n');
  if (report) {
    await write(INTERVALS_JSON_FILE_NAME, JSON.stringify(intervalsJson(report, args.targets, args.pck), null, 2) + '\n');
    await write(INTERVALS_CSV_FILE_NAME, intervalsCsv(report));
  }
  if (errorColumns) await write(ERRORS_JSON_FILE_NAME, JSON.stringify(errorsJson(errorColumns), null, 2) + '\n');

  const persons = metrics[0]?.perImage.reduce((sum, image) => sum + image.persons.length, 0) ?? 0;
  io.stdout(
    `Protocol: ${args.protocol}. ${PROTOCOL_DESCRIPTIONS[args.protocol]}\n` +
      `Runtime: ${runtimes.join(', ')}; backend: ${backend} (Node). ${evaluatedIds.length} of ${gt.images.length} ground-truth images scored, ${persons} scorable persons.\n\n`,
  );
  io.stdout(metricsTable(metrics, published));
  io.stdout(publishedFootnotes(metrics, published));
  if (hasTargets) io.stdout(`\nVerdict${report ? ' on the point estimates' : ''}:\n${verdictLines(verdict(metrics, args.targets))}`);
  if (report) io.stdout(`\n${intervalsText(report, args.targets, args.pck)}`);
  if (errorColumns) io.stdout(`\n${errorsText(errorColumns)}`);
  io.stdout(`\nProvenance:\n${provenanceLines(provenance).map((line) => `  ${line}\n`).join('')}`);
  io.stdout(`\nWrote ${files.join(', ')}\n`);
  progress.log(`done in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  return { metrics, files, backend, provenance };
}
