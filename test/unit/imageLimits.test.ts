import { describe, expect, it } from 'vitest';
import { INFERENCE_MAX_SIDE_PX, inferenceSizePx } from '../../src/core/imageLimits';

describe('inferenceSizePx', () => {
  it('keeps images up to the limit at their own size', () => {
    expect(inferenceSizePx({ widthPx: 640, heightPx: 427 })).toEqual({ widthPx: 640, heightPx: 427, scaleToImagePx: 1 });
    expect(inferenceSizePx({ widthPx: INFERENCE_MAX_SIDE_PX, heightPx: 900 }).scaleToImagePx).toBe(1);
  });

  it('downscales the longer side to the limit and maps back to original pixels', () => {
    const size = inferenceSizePx({ widthPx: 3000, heightPx: 4000 });
    expect(size.heightPx).toBe(INFERENCE_MAX_SIDE_PX);
    expect(size.widthPx).toBe(1200);
    expect(size.widthPx * size.scaleToImagePx).toBeCloseTo(3000, 9);
  });

  it('never returns a zero-pixel side', () => {
    expect(inferenceSizePx({ widthPx: 100_000, heightPx: 10 }, 1600)).toMatchObject({ widthPx: 1600, heightPx: 1 });
  });
});
