/**
 * The tfjs runtime's side of an RgbImage: its tensor, made once per decoded image and shared by every tfjs model
 * that runs on it (a 1600 px image costs ~10–20 ms to turn into a tensor, so not once per model), with crops
 * sliced from it. The tensors belong to the image: released with it (rgbImage.releaseImage, which the pipeline
 * calls when every model is done), never by an adapter.
 */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeapBackend } from '../kernels/wasmHeap';
import { onImageRelease, rootOf, type RgbImage } from '../rgbImage';

export const TFJS_RUNTIME = 'tfjs';

/**
 * A new float32 [height, width, 3] tensor of 0–255 values; the caller owns it. Float, not int32: pose-detection
 * casts the whole image to float32 before cropping (BlazePose twice, and the WASM CropAndResize kernel casts int32
 * inputs too), so an int32 image costs one full-size copy per use. On WASM the pixels are written straight into
 * the tensor's heap memory: a separate Float32Array would be allocated, filled and then copied into the heap
 * (measured on a 640×480 image in Node: 1.6 ms in place against 4.0 ms). A view gets its region's pixels.
 */
export function rgbImageToTensor(image: RgbImage): tf.Tensor3D {
  const { root, regionPx } = rootOf(image);
  const shape = [regionPx.heightPx, regionPx.widthPx, 3];
  const backend = activeWasmHeapBackend();
  if (backend) {
    const info = backend.makeOutput(shape, 'float32');
    // Nothing allocates between here and the fill, so the heap view stays valid.
    writeRgb(root, regionPx, backend.typedArrayFromHeap(info) as Float32Array);
    return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor3D;
  }
  const rgb = new Float32Array(regionPx.widthPx * regionPx.heightPx * 3);
  writeRgb(root, regionPx, rgb);
  return tf.tensor3d(rgb, shape as [number, number, number], 'float32');
}

function writeRgb(root: RgbImage, region: { xPx: number; yPx: number; widthPx: number; heightPx: number }, out: Float32Array): void {
  const { data, widthPx: stride } = root;
  let o = 0;
  if (root.bytesPerPixel === 4) {
    const aligned = data.byteOffset % 4 === 0;
    // One 32-bit read per pixel instead of three byte reads (little-endian: R is the low byte).
    const words = aligned ? new Uint32Array(data.buffer, data.byteOffset, root.widthPx * root.heightPx) : null;
    for (let y = region.yPx; y < region.yPx + region.heightPx; y++) {
      let p = y * stride + region.xPx;
      const end = p + region.widthPx;
      if (words) {
        for (; p < end; p++, o += 3) {
          const word = words[p]!;
          out[o] = word & 0xff;
          out[o + 1] = (word >>> 8) & 0xff;
          out[o + 2] = (word >>> 16) & 0xff;
        }
      } else {
        for (; p < end; p++, o += 3) {
          out[o] = data[p * 4]!;
          out[o + 1] = data[p * 4 + 1]!;
          out[o + 2] = data[p * 4 + 2]!;
        }
      }
    }
    return;
  }
  for (let y = region.yPx; y < region.yPx + region.heightPx; y++) {
    const start = (y * stride + region.xPx) * 3;
    const end = start + region.widthPx * 3;
    for (let i = start; i < end; i++, o++) out[o] = data[i]!;
  }
}

const imageTensors = new WeakMap<RgbImage, tf.Tensor3D>();

/**
 * `image` as a tfjs tensor, owned by the image (do not dispose it): the decoded image's tensor is made on first
 * use and kept until the image is released; a view (crop) is sliced from it, also once. Tensors are made on the
 * backend active at the first use.
 */
export function tfjsImageTensor(image: RgbImage): tf.Tensor3D {
  const kept = imageTensors.get(image);
  if (kept && !kept.isDisposed) return kept;
  let tensor: tf.Tensor3D;
  if (image.view) {
    const parent = tfjsImageTensor(image.view.parent);
    const { xPx, yPx, widthPx, heightPx } = image.view.regionPx;
    tensor = tf.slice(parent, [yPx, xPx, 0], [heightPx, widthPx, 3]);
  } else {
    tensor = rgbImageToTensor(image);
  }
  imageTensors.set(image, tensor);
  onImageRelease(image, () => {
    if (imageTensors.get(image) === tensor) imageTensors.delete(image);
    tensor.dispose();
  });
  return tensor;
}

/** `ModelAdapter.prepare` of every tfjs adapter: makes (or finds) the image's tensor, so estimates only read it. */
export function prepareTfjsImage(image: RgbImage): void {
  tfjsImageTensor(image);
}

/**
 * Backends whose kernels run while `execute` runs (WASM, CPU): there the time inside a network's calls is that
 * network's time. On WebGL/WebGPU `execute` only queues GPU work, so no network time is claimed there.
 */
const SYNCHRONOUS_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

type GraphMethod = 'execute' | 'predict' | 'executeAsync';

/**
 * Times the networks an adapter runs: wraps its GraphModels' execute/predict/executeAsync (the outermost call
 * only: predict calls execute) and sums the time inside them over one `measure`. The adapter's own timing of
 * its networks (`EstimateResult.networkMs`); undefined on backends that do not run kernels synchronously.
 */
export class NetworkClock {
  private depth = 0;
  private totalMs = 0;
  private readonly restore: (() => void)[] = [];

  constructor(models: readonly GraphModel[]) {
    for (const model of models) {
      const fields = model as unknown as Record<GraphMethod, (...args: unknown[]) => unknown>;
      for (const method of ['execute', 'predict', 'executeAsync'] as const) {
        const original = fields[method];
        if (typeof original !== 'function') continue;
        fields[method] = (...args: unknown[]) => {
          if (this.depth > 0) return original.apply(model, args);
          this.depth++;
          const startMs = performance.now();
          let result: unknown;
          try {
            result = original.apply(model, args);
          } catch (error) {
            this.depth--;
            throw error;
          }
          if (result instanceof Promise) {
            return result.finally(() => {
              this.totalMs += performance.now() - startMs;
              this.depth--;
            });
          }
          this.totalMs += performance.now() - startMs;
          this.depth--;
          return result;
        };
        this.restore.push(() => {
          fields[method] = original;
        });
      }
    }
  }

  /** Runs `run` and returns its value with the milliseconds spent inside the networks (undefined where not measurable). */
  async measure<T>(run: () => Promise<T>): Promise<{ value: T; networkMs: number | undefined }> {
    this.totalMs = 0;
    const value = await run();
    return { value, networkMs: SYNCHRONOUS_BACKENDS.has(tf.getBackend()) ? this.totalMs : undefined };
  }

  dispose(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }
}
