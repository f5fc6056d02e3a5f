import * as tf from '@tensorflow/tfjs-core';
import { inferenceSizePx } from '../core/imageLimits';
import { activeWasmHeapBackend } from './kernels/wasmHeap';

/** Upright pixels, 4 bytes per pixel (RGBA or RGBX), row-major. */
export interface RgbaPixels {
  width: number;
  height: number;
  rgba: Uint8Array | Uint8ClampedArray;
}

export interface InferencePixels extends RgbaPixels {
  /** Original-image pixels per pixel here (images over the inference size are downscaled). */
  scaleToImagePx: number;
  /** Which browser decoder produced them (reported by the benchmark). */
  decoder: 'ImageDecoder' | 'createImageBitmap' | 'bitmap';
}

let readbackContext: OffscreenCanvasRenderingContext2D | null = null;

/** Reads a bitmap's pixels through a CPU-backed canvas (webcam frames, and images ImageDecoder cannot take). */
export function bitmapToRgba(bitmap: ImageBitmap): RgbaPixels {
  // willReadFrequently keeps the canvas in CPU memory, so getImageData is a copy, not a GPU readback.
  readbackContext ??= new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  if (!readbackContext) throw new Error('this browser has no 2D OffscreenCanvas to read image pixels');
  const { width, height } = bitmap;
  if (readbackContext.canvas.width !== width || readbackContext.canvas.height !== height) {
    readbackContext.canvas.width = width;
    readbackContext.canvas.height = height;
  } else {
    readbackContext.clearRect(0, 0, width, height);
  }
  readbackContext.drawImage(bitmap, 0, 0);
  return { width, height, rgba: readbackContext.getImageData(0, 0, width, height).data };
}

const imageDecoderSupport = new Map<string, Promise<boolean>>();
function imageDecoderTakes(type: string): Promise<boolean> {
  if (typeof ImageDecoder === 'undefined' || type === '') return Promise.resolve(false);
  let supported = imageDecoderSupport.get(type);
  if (!supported) {
    supported = ImageDecoder.isTypeSupported(type).catch(() => false);
    imageDecoderSupport.set(type, supported);
  }
  return supported;
}

/**
 * WebCodecs' ImageDecoder hands over the decoded frame without the round trip through an
 * ImageBitmap and a canvas: measured in Chromium at 2.4–4.2 ms against 6.1–7.3 ms for
 * createImageBitmap + getImageData on the dev photos, with pixels within 1 level (JPEG) or
 * identical (PNG, WebP, BMP). Returns null where it does not apply: no ImageDecoder, a type it does
 * not take, a frame it cannot decode, or an EXIF rotation/flip (which it reports but does not apply).
 */
async function decodeWithImageDecoder(file: Blob, sizePx: { widthPx: number; heightPx: number }): Promise<RgbaPixels | null> {
  if (!(await imageDecoderTakes(file.type))) return null;
  let decoder: ImageDecoder | null = null;
  let frame: VideoFrame | null = null;
  try {
    decoder = new ImageDecoder({ data: await file.arrayBuffer(), type: file.type });
    frame = (await decoder.decode({ frameIndex: 0 })).image;
    const oriented = frame as VideoFrame & { rotation?: number; flip?: boolean };
    if ((oriented.rotation ?? 0) !== 0 || oriented.flip === true) return null;
    if (frame.displayWidth !== sizePx.widthPx || frame.displayHeight !== sizePx.heightPx) return null;
    const rect = frame.visibleRect ?? { x: 0, y: 0, width: frame.displayWidth, height: frame.displayHeight };
    const options: VideoFrameCopyToOptions = { format: 'RGBX', rect };
    const rgba = new Uint8Array(frame.allocationSize(options));
    await frame.copyTo(rgba, options);
    return { width: rect.width, height: rect.height, rgba };
  } catch {
    return null;
  } finally {
    frame?.close();
    decoder?.close();
  }
}

/**
 * Decodes an image file, upright, to pixels for the models: at most the inference size
 * (core/imageLimits), through ImageDecoder where it applies, else createImageBitmap.
 * `sizePx` is the upright size found when the image was added.
 */
export async function decodeFileForInference(file: Blob, sizePx: { widthPx: number; heightPx: number }, name: string): Promise<InferencePixels> {
  const target = inferenceSizePx(sizePx);
  if (target.scaleToImagePx === 1) {
    const pixels = await decodeWithImageDecoder(file, sizePx);
    if (pixels) return { ...pixels, scaleToImagePx: 1, decoder: 'ImageDecoder' };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, {
      imageOrientation: 'from-image',
      ...(target.scaleToImagePx === 1 ? {} : { resizeWidth: target.widthPx, resizeHeight: target.heightPx, resizeQuality: 'high' as const }),
    });
  } catch {
    throw new Error(`${name}: cannot be decoded as an image (corrupt, or a format this browser cannot read)`);
  }
  try {
    return { ...bitmapToRgba(bitmap), scaleToImagePx: target.scaleToImagePx, decoder: 'createImageBitmap' };
  } finally {
    bitmap.close();
  }
}

/**
 * The model input: a float32 [height, width, 3] tensor of 0–255 values. Float, not int32:
 * pose-detection casts the whole image to float32 before cropping (BlazePose twice, and the WASM
 * CropAndResize kernel casts int32 inputs too), so an int32 image costs one full-size copy per use.
 * On WASM the pixels are written straight into the tensor's heap memory: a separate Float32Array
 * would be allocated, filled and then copied into the heap (measured on a 640×480 image in Node:
 * 1.6 ms in place against 4.0 ms).
 */
export function rgbaToImageTensor(pixels: RgbaPixels): tf.Tensor3D {
  const { width, height } = pixels;
  const shape = [height, width, 3];
  const backend = activeWasmHeapBackend();
  if (backend) {
    const info = backend.makeOutput(shape, 'float32');
    // Nothing allocates between here and the fill, so the heap view stays valid.
    writeRgb(pixels, backend.typedArrayFromHeap(info) as Float32Array);
    return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor3D;
  }
  const rgb = new Float32Array(width * height * 3);
  writeRgb(pixels, rgb);
  return tf.tensor3d(rgb, [height, width, 3], 'float32');
}

function writeRgb({ width, height, rgba }: RgbaPixels, rgb: Float32Array): void {
  const pixelCount = width * height;
  // One 32-bit read per pixel instead of three byte reads (little-endian: R is the low byte).
  const words = new Uint32Array(rgba.buffer, rgba.byteOffset, pixelCount);
  for (let p = 0, o = 0; p < pixelCount; p++, o += 3) {
    const word = words[p]!;
    rgb[o] = word & 0xff;
    rgb[o + 1] = (word >>> 8) & 0xff;
    rgb[o + 2] = (word >>> 16) & 0xff;
  }
}
