/**
 * The one inference pipeline, shared by the browser worker (inference/worker/inferenceWorker.ts) and the CLI
 * (cli/imageProcessor.ts): upright pixels of one image → at most the inference size → the whole image or one
 * view per person (person crops) → each model in turn → poses back in original-image pixels, with each model's
 * latency, network time, inference count, runtime and backend. No DOM and no node APIs: callers decode (the
 * browser through inputPixels.ts, Node through node/nodeImages.ts) and send the results on.
 */

import { personRegionInBitmapPx, type CropPx, type PersonRegion } from '../core/crops';
import { scalePoses } from '../core/geometry';
import type { ModelId, ModelInfo, Pose, RuntimeName } from '../core/types';
import { downscaleForInference } from './downscale';
import type { EstimateMode, EstimateResult, ModelAdapter, ModelLoadContext } from './modelAdapter';
import { adapterFactory } from './modelRegistry';
import { RawExecutionRecorder } from './rawTiming';
import { cropView, releaseImage, type RgbImage } from './rgbImage';

export { warmUpAdapter } from './warmUp';

/** Loads a model through the code of its family and runtime (modelRegistry); warm it up with warmUpAdapter before timing it. */
export function loadModelAdapter(info: ModelInfo, context: ModelLoadContext): Promise<ModelAdapter> {
  return adapterFactory(info)(info, context);
}

/** One decoded image as the pipeline takes it. */
export interface PipelineImage {
  /** Upright pixels; when larger than the inference size (core/imageLimits) the pipeline downscales them. */
  pixels: RgbImage;
  /** Original-image pixels per pixel of `pixels` (1 unless the decoder already downscaled). */
  scaleToImagePx: number;
}

export interface PipelineRequest {
  mode: EstimateMode;
  /** Frame time, for 'video' mode. */
  timestampMs?: number;
  /**
   * Person-crops protocol (original-image pixels): each model runs once per person, on a view of its crop (or,
   * for `personInput: 'box'` models, on the whole image with the box), keeping its best pose tagged `cropIndex`.
   */
  crops?: readonly PersonRegion[] | null;
  /** Benchmark: after each estimate, re-run the model's own network calls alone on the same inputs (rawTiming). */
  measureRaw?: boolean;
}

/** One model's result on one image. */
export interface ModelEstimate {
  modelId: ModelId;
  /** Original-image pixels (keypoint z scaled with x); under person crops each pose carries its `cropIndex`. */
  poses: Pose[];
  /**
   * Model time for this image, milliseconds: preprocessing, networks and postprocessing of every inference it
   * needed (one for the whole image, one per person under person crops).
   */
  imageLatencyMs: number;
  /** The adapter's own timing of its networks over those inferences, where its runtime can tell. */
  networkMs?: number;
  /** 1 for a whole image, the number of crops under person crops. */
  inferences: number;
  runtime: RuntimeName;
  backend: string;
}

export interface PipelineHooks {
  /** The adapter for a model (loading it if need be); throw to report the model as failed on this image. */
  adapterFor(modelId: ModelId): Promise<ModelAdapter>;
  onEstimate(estimate: ModelEstimate): void | Promise<void>;
  /** A model failed on this image (its adapter could not be had, or its estimate threw); the others still run. */
  onError(modelId: ModelId, error: unknown): void | Promise<void>;
  /** With `measureRaw`, after `onEstimate`: the networks alone on the same inputs. */
  onRawTiming?(modelId: ModelId, rawMs: number): void | Promise<void>;
}

export interface PipelineSummary {
  /**
   * Milliseconds of input preparation shared by the models (downscale, and each runtime's copy of the image and its
   * crops, e.g. the tfjs tensor made once for every tfjs model), not counted in any model's latency.
   */
  prepareMs: number;
}

/** Poses from a view at `offset` (its parent's pixels) moved into the parent's pixels, every other field kept. */
function fromView(poses: readonly Pose[], offset: { xPx: number; yPx: number }): Pose[] {
  if (offset.xPx === 0 && offset.yPx === 0) return [...poses];
  return poses.map((pose) => ({ ...pose, keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x + offset.xPx, y: k.y + offset.yPx })) }));
}

/** The highest-scoring pose (multi-person models may also see neighbours in a crop), or null when none. */
export function bestPose(poses: readonly Pose[]): Pose | null {
  let best: Pose | null = null;
  for (const pose of poses) if (!best || pose.score > best.score) best = pose;
  return best;
}

/**
 * A model's poses on `crop` of `image`, in `image` pixels. `view`: the crop's view, when the caller keeps one (the
 * pipeline, which prepares it once for every model); otherwise one is made here and released after the estimate.
 */
export async function estimateInCrop(adapter: ModelAdapter, image: RgbImage, crop: CropPx, mode: EstimateMode = 'still', view?: RgbImage): Promise<EstimateResult> {
  const input = view ?? cropView(image, crop);
  try {
    const result = await adapter.estimate(input, { mode });
    return { ...result, poses: fromView(result.poses, crop) };
  } finally {
    if (!view && input !== image) releaseImage(input);
  }
}

/**
 * A model's poses for one person of the person-crops protocol, in `image` pixels: models that take the person's
 * box (`personInput: 'box'`) get the whole image and the box; the others see only the crop (`view`, if made already).
 */
export function estimatePerson(adapter: ModelAdapter, image: RgbImage, person: PersonRegion, view?: RgbImage): Promise<EstimateResult> {
  if (adapter.info.personInput === 'box') return adapter.estimate(image, { mode: 'still', personBoxPx: person.boxPx });
  return estimateInCrop(adapter, image, person.crop, 'still', view);
}

interface Inputs {
  image: RgbImage;
  /** Per person: its region (crop and box) in `image` pixels and the view of its crop. */
  persons: { view: RgbImage; region: PersonRegion }[] | null;
}

/** Runs one model on the image (or each person) and returns its poses in `inputs.image` pixels with the network time. */
async function runModel(adapter: ModelAdapter, inputs: Inputs, request: PipelineRequest): Promise<{ poses: Pose[]; networkMs: number | undefined }> {
  if (!inputs.persons) {
    const result = await adapter.estimate(inputs.image, { mode: request.mode, ...(request.timestampMs !== undefined ? { timestampMs: request.timestampMs } : {}) });
    return { poses: result.poses, networkMs: result.networkMs };
  }
  let networkMs: number | undefined = 0;
  const poses: Pose[] = [];
  for (const [cropIndex, { view, region }] of inputs.persons.entries()) {
    const result = await estimatePerson(adapter, inputs.image, region, view);
    networkMs = result.networkMs === undefined || networkMs === undefined ? undefined : networkMs + result.networkMs;
    const best = bestPose(result.poses);
    if (best) poses.push({ ...best, cropIndex });
  }
  return { poses, networkMs };
}

/**
 * Runs `modelIds` in order on one image, reporting each model as it finishes (so a caller can send it on at
 * once). The image's runtime resources (tensors) are released before this resolves. Errors of one model are
 * reported through `onError`; an error thrown by a hook ends the run.
 */
export async function runPipeline(
  image: PipelineImage,
  modelIds: readonly ModelId[],
  request: PipelineRequest,
  backend: string,
  hooks: PipelineHooks,
): Promise<PipelineSummary> {
  const prepareStartMs = performance.now();
  const downscaled = downscaleForInference(image.pixels);
  const pixels = downscaled.image;
  const scaleToImagePx = image.scaleToImagePx * downscaled.scaleToImagePx;
  const size = { width: pixels.widthPx, height: pixels.heightPx };
  const inputs: Inputs = {
    image: pixels,
    persons: request.crops
      ? request.crops.map((person) => {
          const region = personRegionInBitmapPx(person, scaleToImagePx, size);
          return { view: cropView(pixels, region.crop), region };
        })
      : null,
  };
  let prepareMs = performance.now() - prepareStartMs;
  try {
    for (const modelId of modelIds) {
      let adapter: ModelAdapter;
      try {
        adapter = await hooks.adapterFor(modelId);
        // The runtime's copy of the image and its crops, made once for all its models, outside any model's time.
        // (Made once per image and runtime: a second model of the same runtime finds them ready.)
        if (adapter.prepare) {
          const startMs = performance.now();
          if (!inputs.persons || adapter.info.personInput === 'box') adapter.prepare(inputs.image);
          else for (const person of inputs.persons) adapter.prepare(person.view);
          prepareMs += performance.now() - startMs;
        }
      } catch (error) {
        await hooks.onError(modelId, error);
        continue;
      }
      const recorder = request.measureRaw && adapter.graphModels ? new RawExecutionRecorder(adapter.graphModels()) : null;
      let outcome: { poses: Pose[]; networkMs: number | undefined; imageLatencyMs: number };
      try {
        const startMs = performance.now();
        const run = () => runModel(adapter, inputs, request);
        const result = recorder ? await recorder.record(run) : await run();
        outcome = { ...result, imageLatencyMs: performance.now() - startMs };
      } catch (error) {
        recorder?.dispose();
        await hooks.onError(modelId, error);
        continue;
      }
      await hooks.onEstimate({
        modelId,
        poses: scalePoses(outcome.poses, scaleToImagePx),
        imageLatencyMs: outcome.imageLatencyMs,
        ...(outcome.networkMs !== undefined ? { networkMs: outcome.networkMs } : {}),
        inferences: request.crops?.length ?? 1,
        runtime: adapter.runtime,
        backend,
      });
      if (recorder) {
        try {
          const rawMs = await recorder.timeRecorded();
          await hooks.onRawTiming?.(modelId, rawMs);
        } finally {
          recorder.dispose();
        }
      }
    }
  } finally {
    releaseImage(pixels);
    if (pixels !== image.pixels) releaseImage(image.pixels);
  }
  return { prepareMs };
}
