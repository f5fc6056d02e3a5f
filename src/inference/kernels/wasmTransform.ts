import type * as tf from '@tensorflow/tfjs-core';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmHeap';

interface TransformAttrs {
  interpolation: 'nearest' | 'bilinear';
  fillMode: 'constant' | 'reflect' | 'wrap' | 'nearest';
  fillValue: number;
  outputShape?: [number, number] | null;
}

/**
 * Bilinear `tf.image.transform` of a float32 NHWC image, for the fill modes pose-detection uses
 * ('constant' and 'nearest'), with tfjs's semantics (its CPU kernel is the reference): an output
 * pixel whose projection is 0 keeps the fill value; a neighbour outside the image reads as the
 * fill value. Faster than the stock kernels because each output pixel is mapped once for all its
 * channels (they re-map it per channel), and pixels whose four neighbours are inside the image
 * skip the bounds checks.
 */
export function bilinearTransform(
  imageVals: Float32Array,
  [batch, imageHeight, imageWidth, channels]: readonly number[],
  transformVals: Float32Array,
  perBatchTransforms: boolean,
  [outHeight, outWidth]: readonly [number, number],
  fillMode: 'constant' | 'nearest',
  fillValue: number,
  outVals: Float32Array,
): void {
  if (batch === undefined || imageHeight === undefined || imageWidth === undefined || channels === undefined) throw new Error('Transform: the image must be 4-D');
  const rowStride = imageWidth * channels;
  const batchStride = imageHeight * rowStride;
  const outBatchStride = outHeight * outWidth * channels;
  const clampToImage = fillMode === 'nearest';
  const maxX = imageWidth - 1, maxY = imageHeight - 1;
  for (let b = 0; b < batch; b++) {
    const t = perBatchTransforms ? b * 8 : 0;
    const a0 = transformVals[t]!, a1 = transformVals[t + 1]!, a2 = transformVals[t + 2]!;
    const b0 = transformVals[t + 3]!, b1 = transformVals[t + 4]!, b2 = transformVals[t + 5]!;
    const c0 = transformVals[t + 6]!, c1 = transformVals[t + 7]!;
    const inBase = b * batchStride;
    let o = b * outBatchStride;
    const affine = c0 === 0 && c1 === 0;
    for (let outY = 0; outY < outHeight; outY++) {
      const xRow = a1 * outY + a2, yRow = b1 * outY + b2, projectionRow = c1 * outY + 1;
      for (let outX = 0; outX < outWidth; outX++, o += channels) {
        let x: number, y: number;
        if (affine) {
          x = a0 * outX + xRow;
          y = b0 * outX + yRow;
        } else {
          const projection = c0 * outX + projectionRow;
          if (projection === 0) {
            for (let c = 0; c < channels; c++) outVals[o + c] = fillValue;
            continue;
          }
          x = (a0 * outX + xRow) / projection;
          y = (b0 * outX + yRow) / projection;
        }
        if (clampToImage) {
          x = x < 0 ? 0 : x > maxX ? maxX : x;
          y = y < 0 ? 0 : y > maxY ? maxY : y;
        }
        const x0 = Math.floor(x), y0 = Math.floor(y);
        const wx1 = x - x0, wx0 = x0 + 1 - x, wy1 = y - y0, wy0 = y0 + 1 - y;
        const i00 = inBase + y0 * rowStride + x0 * channels;
        let dx = channels, dy = rowStride;
        if (clampToImage) {
          // On the last row/column the far neighbour is outside but weighs exactly 0: reading the
          // near one instead gives the same 0 contribution (the fill value is finite).
          if (x0 === maxX) dx = 0;
          if (y0 === maxY) dy = 0;
        } else if (x0 < 0 || x0 >= maxX || y0 < 0 || y0 >= maxY) {
          edgePixel(imageVals, i00, x0, y0, maxX, maxY, channels, rowStride, wx0, wx1, wy0, wy1, fillValue, outVals, o);
          continue;
        }
        const i01 = i00 + dx, i10 = i00 + dy, i11 = i10 + dx;
        if (channels === 3) {
          outVals[o] = wy0 * (wx0 * imageVals[i00]! + wx1 * imageVals[i01]!) + wy1 * (wx0 * imageVals[i10]! + wx1 * imageVals[i11]!);
          outVals[o + 1] = wy0 * (wx0 * imageVals[i00 + 1]! + wx1 * imageVals[i01 + 1]!) + wy1 * (wx0 * imageVals[i10 + 1]! + wx1 * imageVals[i11 + 1]!);
          outVals[o + 2] = wy0 * (wx0 * imageVals[i00 + 2]! + wx1 * imageVals[i01 + 2]!) + wy1 * (wx0 * imageVals[i10 + 2]! + wx1 * imageVals[i11 + 2]!);
        } else {
          for (let c = 0; c < channels; c++) {
            outVals[o + c] = wy0 * (wx0 * imageVals[i00 + c]! + wx1 * imageVals[i01 + c]!) + wy1 * (wx0 * imageVals[i10 + c]! + wx1 * imageVals[i11 + c]!);
          }
        }
      }
    }
  }
}

/** A pixel with a neighbour outside the image ('constant' fill): those neighbours read the fill value. */
function edgePixel(
  imageVals: Float32Array, i00: number, x0: number, y0: number, maxX: number, maxY: number, channels: number, rowStride: number,
  wx0: number, wx1: number, wy0: number, wy1: number, fillValue: number, outVals: Float32Array, o: number,
): void {
  const x0In = x0 >= 0 && x0 <= maxX, x1In = x0 + 1 >= 0 && x0 + 1 <= maxX;
  const y0In = y0 >= 0 && y0 <= maxY, y1In = y0 + 1 >= 0 && y0 + 1 <= maxY;
  const i10 = i00 + rowStride;
  for (let c = 0; c < channels; c++) {
    const v00 = y0In && x0In ? imageVals[i00 + c]! : fillValue;
    const v01 = y0In && x1In ? imageVals[i00 + channels + c]! : fillValue;
    const v10 = y1In && x0In ? imageVals[i10 + c]! : fillValue;
    const v11 = y1In && x1In ? imageVals[i10 + channels + c]! : fillValue;
    outVals[o + c] = wy0 * (wx0 * v00 + wx1 * v01) + wy1 * (wx0 * v10 + wx1 * v11);
  }
}

let installed = false;

/**
 * Replaces the WASM backend's Transform kernel, for the cases above, with `bilinearTransform`
 * reading and writing the WASM heap in place; other cases go to the original kernel.
 * pose-detection crops the full image with it (BlazePose twice per image, PoseNet once), and the
 * stock kernel, which re-maps every pixel per channel, took 3.5 ms per BlazePose crop and 8.5 ms
 * for PoseNet's 385² input in Node on this machine's CPU. Idempotent.
 */
export function installFastWasmTransform(): void {
  if (installed) return;
  installed = replaceWasmKernel('Transform', (args, original) => {
    const { image, transforms } = args.inputs as { image: tf.TensorInfo; transforms: tf.TensorInfo };
    const attrs = args.attrs as unknown as TransformAttrs;
    const backend = args.backend as unknown as WasmHeapBackend;
    if (attrs.interpolation !== 'bilinear' || (attrs.fillMode !== 'constant' && attrs.fillMode !== 'nearest') || !Number.isFinite(attrs.fillValue) || image.dtype !== 'float32' || transforms.dtype !== 'float32' || image.shape.length !== 4) {
      return original.kernelFunc(args);
    }
    const [batch = 1, imageHeight = 0, imageWidth = 0, channels = 0] = image.shape;
    const [outHeight, outWidth] = attrs.outputShape ?? [imageHeight, imageWidth];
    const out = backend.makeOutput([batch, outHeight, outWidth, channels], 'float32');
    // Views taken after the allocation: growing the heap would detach earlier ones.
    bilinearTransform(
      backend.typedArrayFromHeap(image) as Float32Array,
      image.shape,
      backend.typedArrayFromHeap(transforms) as Float32Array,
      (transforms.shape[0] ?? 1) > 1,
      [outHeight, outWidth],
      attrs.fillMode,
      attrs.fillValue,
      backend.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  });
}
