import { describe, expect, it } from 'vitest';
import { BLAZEPOSE33_TO_COCO17, toCoco17 } from '../../src/core/keypointMapping';
import { BLAZEPOSE33, COCO17, mirrorKeypointName } from '../../src/core/skeletons';
import type { Pose } from '../../src/core/types';

function syntheticBlazePose(): Pose {
  return {
    score: 0.9,
    keypoints: BLAZEPOSE33.keypointNames.map((name, index) => ({ name, x: 10 * index, y: 1000 + index, score: index / 100 })),
  };
}

describe('BLAZEPOSE33_TO_COCO17', () => {
  it('has one in-range, distinct BlazePose index per COCO keypoint', () => {
    expect(BLAZEPOSE33_TO_COCO17).toHaveLength(COCO17.keypointNames.length);
    for (const index of BLAZEPOSE33_TO_COCO17) {
      expect(Number.isInteger(index) && index >= 0 && index < BLAZEPOSE33.keypointNames.length, String(index)).toBe(true);
    }
    expect(new Set(BLAZEPOSE33_TO_COCO17).size).toBe(BLAZEPOSE33_TO_COCO17.length);
  });

  it('maps each COCO keypoint to the BlazePose keypoint of the same name', () => {
    const mappedNames = BLAZEPOSE33_TO_COCO17.map((index) => BLAZEPOSE33.keypointNames[index]);
    expect(mappedNames).toEqual([...COCO17.keypointNames]);
  });

  it('commutes with mirroring (a left/right slip would break this)', () => {
    for (const [cocoIndex, cocoName] of COCO17.keypointNames.entries()) {
      const mirroredCoco = COCO17.keypointNames.indexOf(mirrorKeypointName(cocoName));
      const source = BLAZEPOSE33.keypointNames[BLAZEPOSE33_TO_COCO17[cocoIndex] ?? -1] ?? '';
      expect(BLAZEPOSE33.keypointNames[BLAZEPOSE33_TO_COCO17[mirroredCoco] ?? -1]).toBe(mirrorKeypointName(source));
    }
  });
});

describe('toCoco17', () => {
  it('returns COCO-17 poses with the BlazePose coordinates and scores, in COCO order', () => {
    const source = syntheticBlazePose();
    const coco = toCoco17(source, 'blazepose33');
    expect(coco.score).toBe(source.score);
    expect(coco.keypoints.map((k) => k.name)).toEqual([...COCO17.keypointNames]);
    for (const [cocoIndex, keypoint] of coco.keypoints.entries()) {
      const from = source.keypoints[BLAZEPOSE33_TO_COCO17[cocoIndex] ?? -1];
      expect(keypoint).toEqual({ ...from, name: COCO17.keypointNames[cocoIndex] });
    }
    // left_hip is BlazePose 23: x = 230
    expect(coco.keypoints[11]).toMatchObject({ name: 'left_hip', x: 230, y: 1023 });
  });

  it('does not modify its input', () => {
    const source = syntheticBlazePose();
    const snapshot = structuredClone(source);
    toCoco17(source, 'blazepose33');
    expect(source).toEqual(snapshot);
  });

  it('passes COCO-17 poses through', () => {
    const pose: Pose = { score: 1, keypoints: COCO17.keypointNames.map((name) => ({ name, x: 1, y: 2, score: 1 })) };
    expect(toCoco17(pose, 'coco17')).toBe(pose);
  });

  it('rejects a BlazePose pose with missing keypoints', () => {
    const short: Pose = { score: 1, keypoints: syntheticBlazePose().keypoints.slice(0, 20) };
    expect(() => toCoco17(short, 'blazepose33')).toThrow(/keypoint 23/);
  });
});
