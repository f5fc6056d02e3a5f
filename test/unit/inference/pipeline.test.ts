/**
 * The shared pipeline with a runtime that is not tfjs: a fake adapter that reads the pixels it is given (as a
 * non-tfjs runtime would copy them), so the pipeline's own work is checked apart from any model: views of the
 * right crops, boxes for box models, poses moved and scaled back with every field kept, best pose per crop,
 * network times summed, failures reported, the inference size enforced and the image released.
 */
import { describe, expect, it } from 'vitest';
import type { PersonRegion } from '../../../src/core/crops';
import { INFERENCE_MAX_SIDE_PX } from '../../../src/core/imageLimits';
import type { ModelInfo, Pose } from '../../../src/core/types';
import type { EstimateOptions, ModelAdapter } from '../../../src/inference/modelAdapter';
import { MODELS } from '../../../src/inference/modelRegistry';
import { runPipeline, type ModelEstimate, type PipelineHooks } from '../../../src/inference/pipeline';
import { onImageRelease, packedRgb, rgbImage, type RgbImage } from '../../../src/inference/rgbImage';

/** Pixel (x, y) = [x mod 256, y mod 256, 7]: a fake model can tell from the pixels where its input lies. */
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y % 256, 7], (y * width + x) * 3);
  return rgbImage(data, width, height, 3);
}

interface Call {
  widthPx: number;
  heightPx: number;
  firstPixel: number[];
  options: EstimateOptions;
}

/**
 * A fake model: one pose with a keypoint at its input's centre (z = 10 px, a world point and a label), a second,
 * weaker pose at its corner; network time 2 ms, or none when `noNetworkTime`.
 */
function fakeAdapter(info: ModelInfo, calls: Call[], noNetworkTime = false): ModelAdapter {
  return {
    info,
    runtime: 'fake',
    estimate(image, options) {
      const rgb = packedRgb(image);
      calls.push({ widthPx: image.widthPx, heightPx: image.heightPx, firstPixel: Array.from(rgb.subarray(0, 3)), options });
      const main: Pose = {
        score: 0.9,
        keypoints: [{ name: 'centre', x: image.widthPx / 2, y: image.heightPx / 2, score: 0.8, z: 10 }],
        world: { unit: 'm', keypoints: [{ name: 'centre', x: 0.1, y: -0.2, z: 0.3, score: 0.8 }] },
        labels: { handedness: { value: 'left', score: 0.7 } },
      };
      const weak: Pose = { score: 0.2, keypoints: [{ name: 'centre', x: 0, y: 0, score: 0.1 }] };
      return Promise.resolve(noNetworkTime ? { poses: [weak, main] } : { poses: [weak, main], networkMs: 2 });
    },
    dispose: () => undefined,
  };
}

const single = MODELS.find((m) => !m.multiPerson && m.personInput === undefined)!;
const boxModel = MODELS.find((m) => m.personInput === 'box')!;

function run(image: RgbImage, scaleToImagePx: number, adapters: Map<string, ModelAdapter>, crops: PersonRegion[] | null, extra: Partial<PipelineHooks> = {}) {
  const estimates: ModelEstimate[] = [];
  const errors: string[] = [];
  const done = runPipeline({ pixels: image, scaleToImagePx }, [...adapters.keys()], { mode: 'still', crops }, 'test-backend', {
    adapterFor: (id) => (adapters.has(id) ? Promise.resolve(adapters.get(id)!) : Promise.reject(new Error('not loaded'))),
    onEstimate: (e) => void estimates.push(e),
    onError: (id, error) => void errors.push(`${id}: ${error instanceof Error ? error.message : String(error)}`),
    ...extra,
  });
  return done.then((summary) => ({ estimates, errors, summary }));
}

describe('runPipeline (runtime-agnostic)', () => {
  it('whole image: the adapter gets the pixels as they are; poses keep z, world and labels, scaled to original pixels', async () => {
    const calls: Call[] = [];
    const { estimates } = await run(gradient(40, 30), 2, new Map([[single.id, fakeAdapter(single, calls)]]), null);
    expect(calls.map((c) => [c.widthPx, c.heightPx])).toEqual([[40, 30]]);
    const [estimate] = estimates;
    expect(estimate).toMatchObject({ modelId: single.id, runtime: 'fake', backend: 'test-backend', inferences: 1, networkMs: 2 });
    const main = estimate!.poses[1]!;
    expect(main.keypoints[0]).toEqual({ name: 'centre', x: 40, y: 30, score: 0.8, z: 20 });
    expect(main.world).toEqual({ unit: 'm', keypoints: [{ name: 'centre', x: 0.1, y: -0.2, z: 0.3, score: 0.8 }] });
    expect(main.labels).toEqual({ handedness: { value: 'left', score: 0.7 } });
  });

  it('person crops: each crop as a view (its own pixels), the best pose moved back with its crop index; box models get the box on the whole image', async () => {
    const calls: Call[] = [];
    const boxCalls: Call[] = [];
    const persons: PersonRegion[] = [
      { crop: { xPx: 10, yPx: 4, widthPx: 20, heightPx: 12 }, boxPx: [14, 6, 12, 8] },
      { crop: { xPx: 0, yPx: 20, widthPx: 8, heightPx: 10 }, boxPx: [1, 21, 6, 8] },
    ];
    const adapters = new Map([
      [single.id, fakeAdapter(single, calls)],
      [boxModel.id, fakeAdapter(boxModel, boxCalls, true)],
    ]);
    const { estimates } = await run(gradient(40, 30), 1, adapters, persons);
    expect(calls.map((c) => [c.widthPx, c.heightPx, ...c.firstPixel])).toEqual([
      [20, 12, 10, 4, 7],
      [8, 10, 0, 20, 7],
    ]);
    const crops = estimates.find((e) => e.modelId === single.id)!;
    expect(crops.inferences).toBe(2);
    expect(crops.networkMs).toBe(4);
    expect(crops.poses.map((p) => [p.cropIndex, p.score, p.keypoints[0]!.x, p.keypoints[0]!.y])).toEqual([
      [0, 0.9, 20, 10],
      [1, 0.9, 4, 25],
    ]);
    expect(boxCalls.map((c) => [c.widthPx, c.heightPx, c.options.personBoxPx])).toEqual([
      [40, 30, [14, 6, 12, 8]],
      [40, 30, [1, 21, 6, 8]],
    ]);
    expect(estimates.find((e) => e.modelId === boxModel.id)!.networkMs, 'no network time where the runtime gives none').toBeUndefined();
  });

  it('crops given in original pixels move into a downscaled image\'s pixels', async () => {
    const calls: Call[] = [];
    const persons: PersonRegion[] = [{ crop: { xPx: 20, yPx: 10, widthPx: 40, heightPx: 20 }, boxPx: [20, 10, 40, 20] }];
    const { estimates } = await run(gradient(40, 30), 2, new Map([[single.id, fakeAdapter(single, calls)]]), persons);
    expect(calls.map((c) => [c.widthPx, c.heightPx, ...c.firstPixel])).toEqual([[20, 10, 10, 5, 7]]);
    expect(estimates[0]!.poses[0]!.keypoints[0]).toMatchObject({ x: 40, y: 20 });
  });

  it(`downscales pixels over ${INFERENCE_MAX_SIDE_PX} px itself and scales keypoints back`, async () => {
    const calls: Call[] = [];
    const big = gradient(INFERENCE_MAX_SIDE_PX * 2, 10);
    const { estimates } = await run(big, 1, new Map([[single.id, fakeAdapter(single, calls)]]), null);
    expect(calls.map((c) => [c.widthPx, c.heightPx])).toEqual([[INFERENCE_MAX_SIDE_PX, 5]]);
    expect(estimates[0]!.poses[1]!.keypoints[0]).toMatchObject({ x: INFERENCE_MAX_SIDE_PX, y: 5 });
  });

  it('reports a failing model and goes on; releases the image whatever happens', async () => {
    const image = gradient(8, 8);
    let released = 0;
    onImageRelease(image, () => released++);
    const calls: Call[] = [];
    const failing: ModelAdapter = { ...fakeAdapter(single, []), estimate: () => Promise.reject(new Error('boom')) };
    const adapters = new Map<string, ModelAdapter>([
      ['missing-model', failing],
      [single.id, fakeAdapter(single, calls)],
    ]);
    const { estimates, errors } = await run(image, 1, adapters, null);
    expect(errors).toEqual(['missing-model: boom']);
    expect(estimates.map((e) => e.modelId)).toEqual([single.id]);
    expect(released).toBe(1);

    const again = gradient(8, 8);
    onImageRelease(again, () => released++);
    await expect(run(again, 1, new Map([[single.id, fakeAdapter(single, [])]]), null, { onEstimate: () => Promise.reject(new Error('hook')) })).rejects.toThrow('hook');
    expect(released, 'released when a hook ends the run').toBe(2);
  });
});
