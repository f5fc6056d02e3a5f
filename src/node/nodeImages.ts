import { readFile } from 'node:fs/promises';
import exifr from 'exifr';
import { PNG } from 'pngjs';
import { inferenceSizePx } from '../core/imageLimits';
import { downscaleForInference as downscalePixels } from '../inference/downscale';
import { rgbImage, type RgbImage } from '../inference/rgbImage';
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

/** The decoded pixels as the model adapters take them (no copy). */
export function toRgbImage(image: DecodedImage): RgbImage {
  return rgbImage(image.rgb, image.width, image.height, 3);
}

/**
 * The pixels the models get, as in the app's worker (core/imageLimits): the pipeline's own downscale
 * (inference/downscale.ts, the area average), on a decoded image. `scaleToImagePx`: original pixels per returned pixel.
 */
export function downscaleForInference(image: DecodedImage): { image: DecodedImage; scaleToImagePx: number } {
  const out = downscalePixels(toRgbImage(image));
  if (out.scaleToImagePx === 1) return { image, scaleToImagePx: 1 };
  return { image: { width: out.image.widthPx, height: out.image.heightPx, rgb: out.image.data as Uint8Array }, scaleToImagePx: out.scaleToImagePx };
}
