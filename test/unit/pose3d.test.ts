import { describe, expect, it } from 'vitest';
import { layoutById } from '../../src/core/layouts';
import {
  EXPORT_ORBIT,
  ORBIT_LIMITS,
  clampOrbit,
  depthSourceOf,
  orbitDrag,
  orbitKey,
  orbitPosition,
  orbitWheel,
  pose3dGeometry,
} from '../../src/core/pose3d';

const TRIANGLE_LAYOUT = { kind: 'face' as const, edges: [[0, 1], [1, 2]] as const, triangles: [[0, 1, 2]] as const };
const kp = (x: number, y: number, z: number | undefined, score = 1) => ({ name: 'k', x, y, score, ...(z === undefined ? {} : { z }) });
const close = (actual: Float32Array, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 6));
};

describe('pose3dGeometry', () => {
  it('says which 3D data poses carry: world first, then z, else none', () => {
    expect(depthSourceOf([{ keypoints: [kp(1, 2, undefined)], score: 1 }])).toBeNull();
    expect(depthSourceOf([{ keypoints: [kp(1, 2, 3)], score: 1 }])).toBe('relative');
    expect(depthSourceOf([{ keypoints: [kp(1, 2, 3)], score: 1, world: { unit: 'm', keypoints: [{ name: 'k', x: 0, y: 0, z: 0, score: 1 }] } }])).toBe('world');
    expect(pose3dGeometry([{ keypoints: [kp(1, 2, undefined)], score: 1 }], TRIANGLE_LAYOUT)).toBeNull();
  });

  it('flips y and z of pixel keypoints, centres the bounding box and scales its largest side to 1', () => {
    // Points (0,0,0), (100,0,-50), (0,200,0) in image pixels → view (x, −y, −z) = (0,0,0), (100,0,50), (0,−200,0).
    // Box x 0..100, y −200..0, z 0..50: centre (50, −100, 25), largest side 200 → scale 1/200.
    const g = pose3dGeometry([{ keypoints: [kp(0, 0, 0), kp(100, 0, -50), kp(0, 200, 0)], score: 1 }], TRIANGLE_LAYOUT)!;
    expect(g.source).toBe('relative');
    expect(g.pointCount).toBe(3);
    expect(g.unitsPerBox).toBe(200);
    close(g.positions, [-0.25, 0.5, -0.125, 0.25, 0.5, 0.125, -0.25, -0.5, -0.125]);
    expect([...g.segments]).toEqual([0, 1, 1, 2]);
    expect([...g.triangles]).toEqual([0, 1, 2]);
  });

  it('leaves out points under the score floor, and the segments and triangles touching them (indices renumbered)', () => {
    const g = pose3dGeometry([{ keypoints: [kp(0, 0, 0, 0.1), kp(10, 0, 0), kp(0, 10, 0)], score: 1 }], TRIANGLE_LAYOUT, 0.3)!;
    expect(g.pointCount).toBe(2);
    expect([...g.segments]).toEqual([0, 1]);
    expect([...g.triangles]).toEqual([]);
    // (10,0,0) and (0,−10,0): centre (5,−5,0), side 10.
    close(g.positions, [0.5, 0.5, 0, -0.5, -0.5, 0]);
  });

  it('uses world landmarks (metres) when a pose has them, flipped the same way', () => {
    const world = { unit: 'm' as const, keypoints: [{ name: 'a', x: -0.2, y: -0.5, z: 0.1, score: 1 }, { name: 'b', x: 0.2, y: 0.5, z: -0.1, score: 1 }] };
    const g = pose3dGeometry([{ keypoints: [kp(500, 500, 3), kp(600, 900, 4)], score: 1, world }], { kind: 'body', edges: [[0, 1]] })!;
    expect(g.source).toBe('world');
    // View: (−0.2, 0.5, −0.1) and (0.2, −0.5, 0.1); box side 1 m (y), centre 0.
    expect(g.unitsPerBox).toBeCloseTo(1, 9);
    close(g.positions, [-0.2, 0.5, -0.1, 0.2, -0.5, 0.1]);
    expect([...g.segments]).toEqual([0, 1]);
  });

  it('places several world poses side by side, a quarter of the widest apart', () => {
    const hand = (score = 1) => ({ unit: 'm' as const, keypoints: [{ name: 'a', x: 0, y: 0, z: 0, score }, { name: 'b', x: 0.1, y: 0.1, z: 0, score }] });
    const g = pose3dGeometry(
      [
        { keypoints: [], score: 1, world: hand() },
        { keypoints: [], score: 1, world: hand() },
      ],
      { kind: 'hand', edges: [[0, 1]] },
    )!;
    // x: first 0..0.1, second 0.125..0.225 (gap 0.025); y −0.1..0; side 0.225, centre (0.1125, −0.05, 0).
    expect(g.pointCount).toBe(4);
    expect(g.unitsPerBox).toBeCloseTo(0.225, 9);
    const s = 1 / 0.225;
    close(g.positions, [-0.1125 * s, 0.05 * s, 0, -0.0125 * s, -0.05 * s, 0, 0.0125 * s, 0.05 * s, 0, 0.1125 * s, -0.05 * s, 0]);
    expect([...g.segments]).toEqual([0, 1, 2, 3]);
  });

  it('gives the face mesh its 852 triangles over 468 points', () => {
    const layout = layoutById('face468');
    const keypoints = layout.keypointNames.map((name, i) => ({ name, x: i % 20, y: Math.floor(i / 20), z: (i % 7) - 3, score: 1 }));
    const g = pose3dGeometry([{ keypoints, score: 1 }], layout)!;
    expect(g.pointCount).toBe(468);
    expect(g.triangles.length).toBe(852 * 3);
    for (const v of g.positions) expect(Math.abs(v)).toBeLessThanOrEqual(0.5 + 1e-6);
  });
});

describe('orbit', () => {
  it('puts the camera in front at azimuth 0, to the viewer\'s left at −90°, above at 90° elevation', () => {
    const at = (azimuthDeg: number, elevationDeg: number) => orbitPosition({ azimuthDeg, elevationDeg, distance: 2 }).map((v) => Math.round(v * 1e6) / 1e6);
    expect(at(0, 0)).toEqual([0, 0, 2]);
    expect(at(-90, 0)).toEqual([-2, 0, 0]);
    expect(at(0, 90)).toEqual([0, 2, 0]);
    // The export's angle: front-left 30°, 15° up: (−2.2·cos15°·sin30°, 2.2·sin15°, 2.2·cos15°·cos30°).
    const [x, y, z] = orbitPosition(EXPORT_ORBIT);
    expect(x).toBeCloseTo(-1.0625184, 6);
    expect(y).toBeCloseTo(0.5694018, 6);
    expect(z).toBeCloseTo(1.8403359, 6);
  });

  it('turns by keys, drags and the wheel, within its limits; Home resets; other keys are not its own', () => {
    const o = { azimuthDeg: 0, elevationDeg: 0, distance: 2 };
    expect(orbitKey(o, 'ArrowLeft')!.azimuthDeg).toBe(10);
    expect(orbitKey(o, 'ArrowRight')!.azimuthDeg).toBe(-10);
    expect(orbitKey(o, 'ArrowUp')!.elevationDeg).toBe(10);
    expect(orbitKey(o, '+')!.distance).toBeCloseTo(2 / 1.15, 9);
    expect(orbitKey(o, '-')!.distance).toBeCloseTo(2 * 1.15, 9);
    expect(orbitKey(o, 'Home')).toEqual(EXPORT_ORBIT);
    expect(orbitKey(o, 'Escape')).toBeNull();
    expect(orbitKey(o, 'Tab')).toBeNull();
    expect(orbitDrag(o, 20, -10)).toEqual({ azimuthDeg: -10, elevationDeg: -5, distance: 2 });
    expect(orbitDrag(o, 0, 1000).elevationDeg).toBe(ORBIT_LIMITS.elevationMaxDeg);
    expect(orbitWheel(o, 100).distance).toBeCloseTo(2.3, 9);
    expect(orbitWheel(o, 1e6).distance).toBe(ORBIT_LIMITS.distanceMax);
    expect(clampOrbit({ azimuthDeg: 190, elevationDeg: 0, distance: 2 }).azimuthDeg).toBe(-170);
  });
});
