/**
 * `keypoint-bench predict`: the models on a folder of images without ground truth, through the same pipeline
 * as `eval` and the app (whole images, 'still' mode, the inference size). Writes, per model, a COCO keypoints
 * file in the model's own layout (core/evaluation/predictionsFile) plus provenance.json, so any other tool
 * (or this app, as ground truth to correct) can read them.
 */

import { readdir, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { buildProvenance, BUILD_APP_VERSION } from '../core/evaluation/provenance';
import { predictionsFile, type PredictedImage } from '../core/evaluation/predictionsFile';
import { layoutById } from '../core/layouts';
import type { ModelId } from '../core/types';
import { MODEL_MANIFEST, modelInfo } from '../inference/modelCatalogue';
import { runtimeThreads } from '../inference/modelRegistry';
import { InputError, type PredictArgs } from './args';
import { inProcessProcessor, loadAdapters } from './imageProcessor';
import { NODE_IMAGE_EXTENSIONS, listNames, makeOutputDir } from './inputs';
import { DEFAULT_MODELS_DIR, requireModelFiles, startBackend } from './pipeline';
import { gitCommit } from './provenanceInputs';
import { Progress, formatMs, type CliIo } from './terminal';

export interface PredictOutcome {
  files: string[];
  images: number;
  /** Per model, the poses found over all images. */
  instances: Record<ModelId, number>;
}

/** The JPEG/PNG files of `dir`, sorted by name (not recursive); throws InputError when there are none. */
async function imageFiles(dir: string, warn: (line: string) => void): Promise<string[]> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`--images ${dir} is not a directory`);
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read image folder ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const images = names.filter((name) => NODE_IMAGE_EXTENSIONS.includes(extname(name).toLowerCase()));
  const others = names.filter((name) => !images.includes(name) && !name.startsWith('.'));
  if (others.length > 0) warn(`${others.length} file(s) that are not JPEG/PNG, skipped: ${listNames(others)}`);
  if (images.length === 0) throw new InputError(`no JPEG/PNG image in ${dir}`);
  return images;
}

export async function runPredict(args: PredictArgs, io: CliIo, options: { modelsDir?: string; now?: () => Date; appVersion?: string } = {}): Promise<PredictOutcome> {
  const progress = new Progress(io);
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
  const names = await imageFiles(args.imagesDir, (line) => progress.warn(line));
  requireModelFiles(args.modelIds, modelsDir);
  await makeOutputDir(args.outDir);

  progress.update('starting the tfjs WASM backend');
  const backend = await startBackend();
  const adapters = await loadAdapters(args.modelIds, modelsDir, (id, ms) => progress.update(`loaded ${id} in ${formatMs(ms)} ms`));
  const processor = inProcessProcessor(adapters, 'whole', backend);
  const perModel = new Map<ModelId, PredictedImage[]>(args.modelIds.map((id) => [id, []]));
  const runtimeOf = new Map<ModelId, string>();
  let failed = 0;
  try {
    for (const [index, name] of names.entries()) {
      const counter = `image ${index + 1}/${names.length}`;
      try {
        const outcome = await processor.process({ imageId: index + 1, path: join(args.imagesDir, name), gt: { images: [], annotations: [], categories: [] } }, (modelId, estimate) =>
          progress.update(`${counter} · ${modelId} · ${formatMs(estimate.imageLatencyMs)} ms · ${estimate.poses.length} found`),
        );
        for (const { modelId, estimate } of outcome.estimates) {
          perModel.get(modelId)!.push({ fileName: name, sizePx: outcome.sizePx, poses: estimate.poses });
          runtimeOf.set(modelId, estimate.runtime);
        }
      } catch (error) {
        failed++;
        progress.warn(`${name}: ${error instanceof Error ? error.message : String(error)}; skipped`);
      }
    }
  } finally {
    await processor.close();
  }
  progress.finish();

  const date = options.now?.() ?? new Date();
  const models = args.modelIds.map((id) => modelInfo(id));
  const provenance = buildProvenance({
    runtimes: MODEL_MANIFEST.runtimes,
    // Where a runtime with its own module ran (LiteRT: the threads its module loaded with here).
    modelThreads: Object.fromEntries([...runtimeOf].flatMap(([id, runtime]) => { const threads = runtimeThreads(runtime); return threads !== null ? [[id, threads]] : []; })),
    appVersion: options.appVersion ?? (gitCommit() || BUILD_APP_VERSION),
    date,
    groundTruth: null,
    metrics: [],
    scoredLayout: null,
    models,
    backend,
    threads: null,
    protocol: 'whole',
    confidenceThreshold: null,
  });
  const files: string[] = [];
  const instances: Record<ModelId, number> = {};
  for (const model of models) {
    const images = perModel.get(model.id)!;
    const file = predictionsFile({
      modelId: model.id,
      modelName: model.displayName,
      runtime: runtimeOf.get(model.id) ?? model.runtime,
      backend,
      layout: layoutById(model.keypointLayout),
      images,
      info: { app_version: provenance.appVersion, date_created: provenance.dateIso, weights: provenance.models.find((m) => m.id === model.id)?.weights ?? [] },
    });
    const path = join(args.outDir, `${model.id}.predictions.json`);
    await writeFile(path, JSON.stringify(file));
    files.push(path);
    instances[model.id] = images.reduce((n, image) => n + image.poses.length, 0);
  }
  const provenancePath = join(args.outDir, 'provenance.json');
  await writeFile(provenancePath, JSON.stringify(provenance, null, 2));
  files.push(provenancePath);

  const done = names.length - failed;
  io.stdout(`Predicted ${done} image${done === 1 ? '' : 's'} with ${models.length} model${models.length === 1 ? '' : 's'} (${backend}):\n`);
  for (const model of models) io.stdout(`  ${model.id}: ${instances[model.id]} found, ${layoutById(model.keypointLayout).displayName} → ${join(args.outDir, `${model.id}.predictions.json`)}\n`);
  if (failed > 0) io.stdout(`  ${failed} image(s) could not be read and were skipped (see the warnings above).\n`);
  return { files, images: done, instances };
}
