import { inferenceSizePx } from '../core/imageLimits';
import { packedRgb, rgbImage, type RgbImage } from './rgbImage';

/**
 * The pixels the models get (core/imageLimits): an image over INFERENCE_MAX_SIDE_PX on its long side is
 * downscaled by the area average of the source pixels each output pixel covers. The browser's decoder downscales
 * with Chromium's 'high' quality resampler instead (so pixels differ slightly; sizes and the keypoint scale are
 * the same); this is the pipeline's own, for pixels that arrive larger (Node's decoder, large frames).
 * `scaleToImagePx`: pixels of `image` per returned pixel; the image itself when it is small enough.
 */
export function downscaleForInference(image: RgbImage): { image: RgbImage; scaleToImagePx: number } {
  const target = inferenceSizePx({ widthPx: image.widthPx, heightPx: image.heightPx });
  if (target.scaleToImagePx === 1) return { image, scaleToImagePx: 1 };
  const { widthPx, heightPx } = target;
  const source = packedRgb(image);
  const sourceWidth = image.widthPx;
  const sourceHeight = image.heightPx;
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  const xScale = sourceWidth / widthPx;
  const yScale = sourceHeight / heightPx;
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
      for (let sy = Math.floor(y0); sy < Math.min(sourceHeight, Math.ceil(y1)); sy++) {
        const wy = Math.min(sy + 1, y1) - Math.max(sy, y0);
        for (let sx = Math.floor(x0); sx < Math.min(sourceWidth, Math.ceil(x1)); sx++) {
          const weight = wy * (Math.min(sx + 1, x1) - Math.max(sx, x0));
          const src = (sy * sourceWidth + sx) * 3;
          r += weight * (source[src] ?? 0);
          g += weight * (source[src + 1] ?? 0);
          b += weight * (source[src + 2] ?? 0);
          weightSum += weight;
        }
      }
      const dst = (oy * widthPx + ox) * 3;
      rgb[dst] = Math.round(r / weightSum);
      rgb[dst + 1] = Math.round(g / weightSum);
      rgb[dst + 2] = Math.round(b / weightSum);
    }
  }
  return { image: rgbImage(rgb, widthPx, heightPx, 3), scaleToImagePx: target.scaleToImagePx };
}
