import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import exifr from 'exifr';
import { PNG } from 'pngjs';
import { inferenceSizePx } from '../core/imageLimits';
import { orientedSize, type ExifOrientation } from '../core/orientation';
import { decodeJpegLikeChromium, jpegFrameSizePx, type BrowserJpegDecoder } from './browserJpeg';

/** Decoded upright RGB pixels of one image file. */
export interface DecodedImage {
  width: number;
  height: number;
  /** RGB, row-major, 3 bytes per pixel, already rotated per EXIF orientation. */
  rgb: Uint8Array;
}

export interface DecodeOptions {
  /**
   * Which browser decoder's pixels a JPEG gets (they differ: see browserJpeg.ts). By default the one the app's
   * worker uses for this image (inference/inputPixels.ts): ImageDecoder for an upright image it does not
   * downscale, createImageBitmap for one it rotates or downscales (the downscale itself: downscaleForInference).
   */
  jpegDecoder?: BrowserJpegDecoder;
}

/**
 * Decodes a JPEG or PNG file in Node and applies its EXIF orientation, as browsers do. JPEGs decode to the pixels
 * Chromium decodes (libjpeg-turbo, and ImageDecoder's own YCbCr conversion), so Node and the app see the same image.
 */
export async function decodeImageFile(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  const bytes = await readFile(path);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  const orientation = ((await exifr.orientation(bytes).catch(() => 1)) ?? 1) as ExifOrientation;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const decoded = await decodeJpegLikeChromium(bytes, options.jpegDecoder ?? appJpegDecoder(bytes, orientation));
    ({ width, height, rgba } = decoded);
  } else if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const decoded = PNG.sync.read(bytes);
    ({ width, height } = decoded);
    rgba = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  } else {
    throw new Error(`${path}: only JPEG and PNG are decoded in Node`);
  }
  return orientRgba(rgba, width, height, orientation);
}

/** The worker's choice (decodeFileForInference): ImageDecoder only when it neither rotates nor downscales. */
function appJpegDecoder(bytes: Uint8Array, orientation: ExifOrientation): BrowserJpegDecoder {
  // Like the frame's rotation/flip, a value outside 2–8 means upright.
  if (orientation >= 2 && orientation <= 8) return 'createImageBitmap';
  const size = jpegFrameSizePx(bytes);
  return !size || inferenceSizePx(size).scaleToImagePx === 1 ? 'ImageDecoder' : 'createImageBitmap';
}

/** Rotates/flips RGBA pixels into upright RGB per the EXIF orientation tag (1–8). */
export function orientRgba(rgba: Uint8Array, width: number, height: number, orientation: ExifOrientation): DecodedImage {
  const out = orientedSize({ width, height }, orientation);
  const rgb = new Uint8Array(out.width * out.height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let ox: number;
      let oy: number;
      switch (orientation) {
        case 2: ox = width - 1 - x; oy = y; break;
        case 3: ox = width - 1 - x; oy = height - 1 - y; break;
        case 4: ox = x; oy = height - 1 - y; break;
        case 5: ox = y; oy = x; break;
        case 6: ox = height - 1 - y; oy = x; break;
        case 7: ox = height - 1 - y; oy = width - 1 - x; break;
        case 8: ox = y; oy = width - 1 - x; break;
        default: ox = x; oy = y;
      }
      const src = (y * width + x) * 4;
      const dst = (oy * out.width + ox) * 3;
      rgb[dst] = rgba[src] ?? 0;
      rgb[dst + 1] = rgba[src + 1] ?? 0;
      rgb[dst + 2] = rgba[src + 2] ?? 0;
    }
  }
  return { width: out.width, height: out.height, rgb };
}

/** Float32 0–255, as in the browser (see rgbaToImageTensor): same values, no full-size casts in pose-detection. */
export function imageTensor(image: DecodedImage): tf.Tensor3D {
  return tf.tensor3d(Float32Array.from(image.rgb), [image.height, image.width, 3], 'float32');
}

/**
 * The pixels the models get, as in the app's worker (core/imageLimits): images over INFERENCE_MAX_SIDE_PX on their
 * long side are downscaled, by the area average of the source pixels each output pixel covers (the app uses
 * Chromium's 'high' quality resampler, so pixels differ slightly there; sizes and the keypoint scale are the same).
 * `scaleToImagePx`: original pixels per returned pixel.
 */
export function downscaleForInference(image: DecodedImage): { image: DecodedImage; scaleToImagePx: number } {
  const target = inferenceSizePx({ widthPx: image.width, heightPx: image.height });
  if (target.scaleToImagePx === 1) return { image, scaleToImagePx: 1 };
  const { widthPx, heightPx } = target;
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  const xScale = image.width / widthPx;
  const yScale = image.height / heightPx;
  for (let oy = 0; oy < heightPx; oy++) {
    const y0 = oy * yScale;
    const y1 = y0 + yScale;
    for (let ox = 0; ox < widthPx; ox++) {
      const x0 = ox * xScale;
      const x1 = x0 + xScale;
      let r = 0;
      let g = 0;
      let b = 0;
      let weightSum = 0;
      for (let sy = Math.floor(y0); sy < Math.min(image.height, Math.ceil(y1)); sy++) {
        const wy = Math.min(sy + 1, y1) - Math.max(sy, y0);
        for (let sx = Math.floor(x0); sx < Math.min(image.width, Math.ceil(x1)); sx++) {
          const weight = wy * (Math.min(sx + 1, x1) - Math.max(sx, x0));
          const src = (sy * image.width + sx) * 3;
          r += weight * (image.rgb[src] ?? 0);
          g += weight * (image.rgb[src + 1] ?? 0);
          b += weight * (image.rgb[src + 2] ?? 0);
          weightSum += weight;
        }
      }
      const dst = (oy * widthPx + ox) * 3;
      rgb[dst] = Math.round(r / weightSum);
      rgb[dst + 1] = Math.round(g / weightSum);
      rgb[dst + 2] = Math.round(b / weightSum);
    }
  }
  return { image: { width: widthPx, height: heightPx, rgb }, scaleToImagePx: target.scaleToImagePx };
}
