import { describe, expect, it } from 'vitest';
import { blankRgbImage, cropView, onImageRelease, packedRgb, releaseImage, rgbImage, rootOf } from '../../../src/inference/rgbImage';

/** A w × h image whose pixel (x, y) is [x, y, x + y] (and a 4th byte 255 for RGBX). */
function gradient(width: number, height: number, bytesPerPixel: 3 | 4 = 3) {
  const data = new Uint8Array(width * height * bytesPerPixel);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(bytesPerPixel === 4 ? [x, y, x + y, 255] : [x, y, x + y], (y * width + x) * bytesPerPixel);
  }
  return rgbImage(data, width, height, bytesPerPixel);
}

describe('RgbImage and crop views', () => {
  it('checks the buffer holds the pixels', () => {
    expect(() => rgbImage(new Uint8Array(11), 2, 2, 3)).toThrow(/less than 2×2×3/);
    expect(() => rgbImage(new Uint8Array(12), 2.5, 2, 3)).toThrow(/whole positive pixels/);
    expect(blankRgbImage(3, 2).data.length).toBe(18);
  });

  it.each([3, 4] as const)('a view reads its region of the parent, copied on first read only (%i bytes per pixel)', (bpp) => {
    const image = gradient(8, 6, bpp);
    const view = cropView(image, { xPx: 2, yPx: 1, widthPx: 3, heightPx: 4 });
    expect(view.view?.parent).toBe(image);
    expect([view.widthPx, view.heightPx, view.bytesPerPixel]).toEqual([3, 4, bpp]);
    const rgb = packedRgb(view);
    expect(Array.from(rgb.subarray(0, 3))).toEqual([2, 1, 3]);
    expect(Array.from(rgb.subarray(rgb.length - 3))).toEqual([4, 4, 8]);
    expect(view.data, 'copied once').toBe(view.data);
  });

  it('a view of a view is a view of the decoded image; the whole image is the image itself', () => {
    const image = gradient(10, 10);
    const inner = cropView(cropView(image, { xPx: 2, yPx: 3, widthPx: 6, heightPx: 6 }), { xPx: 1, yPx: 1, widthPx: 2, heightPx: 2 });
    expect(rootOf(inner)).toEqual({ root: image, regionPx: { xPx: 3, yPx: 4, widthPx: 2, heightPx: 2 } });
    expect(Array.from(packedRgb(inner).subarray(0, 3))).toEqual([3, 4, 7]);
    expect(cropView(image, { xPx: 0, yPx: 0, widthPx: 10, heightPx: 10 })).toBe(image);
    expect(() => cropView(image, { xPx: 5, yPx: 0, widthPx: 6, heightPx: 1 })).toThrow(/not inside the 10×10 image/);
    expect(() => cropView(image, { xPx: 0.5, yPx: 0, widthPx: 2, heightPx: 1 })).toThrow(/not inside/);
  });

  it('packs RGBX into RGB, and RGB without a copy', () => {
    const rgbx = gradient(2, 1, 4);
    expect(Array.from(packedRgb(rgbx))).toEqual([0, 0, 0, 1, 0, 1]);
    const rgb = gradient(2, 1, 3);
    expect(packedRgb(rgb).buffer).toBe(rgb.data.buffer);
  });

  it('releasing an image runs what runtimes registered for it and its views, once; a view alone frees only its own', () => {
    const image = gradient(4, 4);
    const view = cropView(image, { xPx: 0, yPx: 0, widthPx: 2, heightPx: 2 });
    const released: string[] = [];
    onImageRelease(image, () => released.push('image'));
    onImageRelease(view, () => released.push('view'));
    releaseImage(view);
    expect(released).toEqual(['view']);
    releaseImage(image);
    expect(released).toEqual(['view', 'image']);
    releaseImage(image);
    expect(released, 'nothing twice').toEqual(['view', 'image']);
  });
});
