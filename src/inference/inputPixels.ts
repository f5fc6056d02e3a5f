import { inferenceSizePx } from '../core/imageLimits';
import { rgbImage, type RgbImage } from './rgbImage';

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

/** Decoded pixels as the models take them (no copy: the fourth byte of each pixel is ignored). */
export function rgbaToRgbImage(pixels: RgbaPixels): RgbImage {
  return rgbImage(pixels.rgba, pixels.width, pixels.height, 4);
}
