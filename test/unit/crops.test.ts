import { describe, expect, it } from 'vitest';
import { cropInBitmapPx, personCrop, personRegionInBitmapPx } from '../../src/core/crops';

describe('person regions in a downscaled bitmap (the worker and the CLI above 1600 px)', () => {
  it('scales the box exactly and the crop outward to whole pixels, inside the bitmap', () => {
    // A 3200 × 2000 photo downscaled to 1600 × 1000: 2 original pixels per bitmap pixel.
    const boxPx = [1001, 401, 300, 801] as const;
    const crop = personCrop(boxPx, { width: 3200, height: 2000 });
    const region = personRegionInBitmapPx({ crop, boxPx }, 2, { width: 1600, height: 1000 });
    expect(region.boxPx).toEqual([500.5, 200.5, 150, 400.5]);
    expect(region.crop).toEqual(cropInBitmapPx(crop, 2, { width: 1600, height: 1000 }));
    // The crop still holds the whole box, in bitmap pixels.
    expect(region.crop.xPx).toBeLessThanOrEqual(region.boxPx[0]);
    expect(region.crop.yPx).toBeLessThanOrEqual(region.boxPx[1]);
    expect(region.crop.xPx + region.crop.widthPx).toBeGreaterThanOrEqual(region.boxPx[0] + region.boxPx[2]);
    expect(region.crop.yPx + region.crop.heightPx).toBeLessThanOrEqual(1000);
  });

  it('leaves an image at its own size unchanged', () => {
    const boxPx = [10, 20, 30, 40] as const;
    const crop = personCrop(boxPx, { width: 640, height: 480 });
    expect(personRegionInBitmapPx({ crop, boxPx }, 1, { width: 640, height: 480 })).toEqual({ crop, boxPx: [10, 20, 30, 40] });
  });
});
