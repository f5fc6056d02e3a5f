import { describe, expect, it } from 'vitest';
import { canvasToImagePx, downscaleFactor, fitImage, imageToCanvasPx, nearestKeypoint, scalePoses } from '../../src/core/geometry';
import type { Pose } from '../../src/core/types';

const pose = (points: [number, number, number][]): Pose => ({
  score: 1,
  keypoints: points.map(([x, y, score], i) => ({ name: `k${i}`, x, y, score })),
});

describe('image ↔ canvas transforms', () => {
  it('fits and centres a wide image in a box (letterbox)', () => {
    const t = fitImage({ width: 800, height: 400 }, { width: 400, height: 400 });
    expect(t.scale).toBe(0.5);
    expect(t.offsetXPx).toBe(0);
    expect(t.offsetYPx).toBe(100);
    expect(imageToCanvasPx(t, 800, 400)).toEqual({ x: 400, y: 300 });
  });

  it('round-trips points, also when mirrored for the selfie view', () => {
    const t = { ...fitImage({ width: 640, height: 480 }, { width: 320, height: 240 }), mirrorWidthPx: 640 };
    const p = imageToCanvasPx(t, 100, 50);
    expect(p.x).toBeCloseTo((640 - 100) * 0.5);
    const back = canvasToImagePx(t, p.x, p.y);
    expect(back.x).toBeCloseTo(100);
    expect(back.y).toBeCloseTo(50);
  });

  it('never upscales beyond maxScale and downscales long sides', () => {
    expect(fitImage({ width: 100, height: 100 }, { width: 1000, height: 1000 }, 1).scale).toBe(1);
    expect(downscaleFactor({ width: 3200, height: 1600 }, 1600)).toBe(0.5);
    expect(downscaleFactor({ width: 640, height: 480 }, 1600)).toBe(1);
  });

  it('scales poses back to original pixels', () => {
    const [scaled] = scalePoses([pose([[10, 20, 0.9]])], 2.5);
    expect(scaled?.keypoints[0]).toMatchObject({ x: 25, y: 50, score: 0.9 });
    // Depth is in x's pixel scale (MediaPipe), so it scales too; world keypoints (metres) do not.
    const world = { unit: 'm' as const, keypoints: [{ name: 'a', x: 0.1, y: 0.2, z: 0.3, score: 1 }] };
    const [deep] = scalePoses([{ score: 1, keypoints: [{ name: 'a', x: 10, y: 20, z: -4, score: 1 }], world }], 2.5);
    expect(deep?.keypoints[0]).toEqual({ name: 'a', x: 25, y: 50, z: -10, score: 1 });
    expect(deep?.world).toBe(world);
  });
});

describe('nearestKeypoint (hover)', () => {
  const t = fitImage({ width: 100, height: 100 }, { width: 100, height: 100 });
  const layers = [
    { owner: 'a', poses: [pose([[10, 10, 0.9], [50, 50, 0.1]])] },
    { owner: 'b', poses: [pose([[12, 10, 0.8]])] },
  ];
  it('finds the closest drawn keypoint across models', () => {
    const hit = nearestKeypoint(layers, t, { x: 12.5, y: 10 }, 8, 0.3);
    expect(hit?.owner).toBe('b');
  });
  it('ignores keypoints below the threshold and beyond the radius', () => {
    expect(nearestKeypoint(layers, t, { x: 50, y: 50 }, 8, 0.3)).toBeNull();
    expect(nearestKeypoint(layers, t, { x: 40, y: 10 }, 8, 0.3)).toBeNull();
  });
});
