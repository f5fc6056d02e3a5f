import { describe, expect, it } from 'vitest';
import { BLAZEPOSE_ROI_SCALE, blazePoseRoiFromBox, boxPointToImagePx, paddedSquareBox } from '../../src/core/modelRegions';

describe('paddedSquareBox (MoveNet stills: the whole input padded to a centred square)', () => {
  const expectBox = (actual: ReturnType<typeof paddedSquareBox>, expected: ReturnType<typeof paddedSquareBox>) => {
    for (const key of ['yMin', 'xMin', 'yMax', 'xMax'] as const) expect(actual[key], key).toBeCloseTo(expected[key], 12);
  };

  it('pads the short side equally on both sides and keeps the long side whole', () => {
    // 400 × 100: the square is 400 px, 150 px of padding above and below, i.e. 1.5 image heights each.
    expectBox(paddedSquareBox({ width: 400, height: 100 }), { yMin: -1.5, xMin: 0, yMax: 2.5, xMax: 1 });
    expectBox(paddedSquareBox({ width: 100, height: 400 }), { yMin: 0, xMin: -1.5, yMax: 1, xMax: 2.5 });
    expectBox(paddedSquareBox({ width: 256, height: 256 }), { yMin: 0, xMin: 0, yMax: 1, xMax: 1 });
  });

  it('maps the square\'s corners and centre to image pixels (the padding lies outside the image)', () => {
    const image = { width: 400, height: 100 };
    const box = paddedSquareBox(image);
    expect(boxPointToImagePx(box, image, 0, 0)).toEqual({ x: 0, y: -150 });
    expect(boxPointToImagePx(box, image, 1, 1)).toEqual({ x: 400, y: 250 });
    expect(boxPointToImagePx(box, image, 0.5, 0.5)).toEqual({ x: 200, y: 50 });
  });
});

describe('blazePoseRoiFromBox (the landmark region from a person box)', () => {
  it('is the square on the diagonal of the box, × 1.25, centred on the box, upright, normalised per axis', () => {
    const roi = blazePoseRoiFromBox([100, 50, 30, 40], { width: 500, height: 250 });
    // Diagonal of a 30 × 40 box: 50 px; × 1.25 = 62.5 px.
    expect(BLAZEPOSE_ROI_SCALE).toBe(1.25);
    expect(roi.xCenter).toBeCloseTo(115 / 500, 12);
    expect(roi.yCenter).toBeCloseTo(70 / 250, 12);
    expect(roi.width).toBeCloseTo(62.5 / 500, 12);
    expect(roi.height).toBeCloseTo(62.5 / 250, 12);
    expect(roi.rotation).toBe(0);
  });
});
