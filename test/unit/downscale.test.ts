import { describe, expect, it } from 'vitest';
import { INFERENCE_MAX_SIDE_PX, inferenceSizePx } from '../../src/core/imageLimits';
import { downscaleForInference, type DecodedImage } from '../../src/node/nodeImages';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): DecodedImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, rgb };
}

describe('downscaleForInference (the CLI at the app worker\'s inference size)', () => {
  it('leaves images up to the limit untouched', () => {
    const small = image(INFERENCE_MAX_SIDE_PX, 10, () => [1, 2, 3]);
    const out = downscaleForInference(small);
    expect(out.scaleToImagePx).toBe(1);
    expect(out.image).toBe(small);
  });

  it('halves a 3200-px image to the sizes the app uses, each pixel the mean of the 2 × 2 block it covers', () => {
    // A checkerboard of 0 and 200: every 2 × 2 block averages to 100.
    const big = image(3200, 6, (x, y) => ((x + y) % 2 === 0 ? [0, 0, 0] : [200, 100, 50]));
    const out = downscaleForInference(big);
    const expected = inferenceSizePx({ widthPx: 3200, heightPx: 6 });
    expect({ width: out.image.width, height: out.image.height, scale: out.scaleToImagePx }).toEqual({ width: expected.widthPx, height: expected.heightPx, scale: expected.scaleToImagePx });
    expect(out.image.width).toBe(1600);
    expect(new Set(out.image.rgb.filter((_, i) => i % 3 === 0))).toEqual(new Set([100]));
    expect(new Set(out.image.rgb.filter((_, i) => i % 3 === 1))).toEqual(new Set([50]));
  });

  it('weights partly covered source pixels by the area they contribute (non-integer factor)', () => {
    // 2400 → 1600: each output pixel covers 1.5 source pixels; columns alternate 0, 90, 0, 90 …
    const big = image(2400, 3, (x) => (x % 2 === 0 ? [0, 0, 0] : [90, 90, 90]));
    const out = downscaleForInference(big);
    expect(out.image.width).toBe(1600);
    // Pixel 0 covers source 0 (weight 1) and half of source 1: (0 + 0.5 × 90) / 1.5 = 30; pixel 1 covers half of 1 and all of 2: 30.
    expect(out.image.rgb[0]).toBe(30);
    expect(out.image.rgb[3]).toBe(30);
  });
});
