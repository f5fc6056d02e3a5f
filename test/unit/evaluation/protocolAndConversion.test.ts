import { describe, expect, it } from 'vitest';
import { PERSON_CROP_MARGIN_FRACTION, personCrop } from '../../../src/core/crops';
import { PROTOCOL_DESCRIPTIONS, cropTargets, isEvaluationProtocol } from '../../../src/core/evaluation/protocol';
import { evaluateColumn } from '../../../src/core/evaluation/evaluateColumn';
import { posesToCocoResults } from '../../../src/core/evaluation/conversion';
import { BLAZEPOSE33, COCO17 } from '../../../src/core/layouts/builtinLayouts';
import { layoutById } from '../../../src/core/layouts';
import type { Pose } from '../../../src/core/types';
import { peopleGroundTruth, perfectBlazePose, perfectCocoPose, scorable } from './peopleFixture';

const PCK = { alpha: 0.2, normalizer: 'bbox' } as const;

describe('protocols', () => {
  it('describes both protocols; crops names the 25% margin, the detector inside the crop and the box variants', () => {
    expect(PERSON_CROP_MARGIN_FRACTION).toBe(0.25);
    expect(PROTOCOL_DESCRIPTIONS.crops).toContain('25%');
    expect(PROTOCOL_DESCRIPTIONS.crops).toMatch(/own person detector/);
    expect(PROTOCOL_DESCRIPTIONS.crops).toMatch(/landmarks given the box/);
    for (const text of Object.values(PROTOCOL_DESCRIPTIONS)) expect(text.trim().endsWith('.')).toBe(true);
    expect(isEvaluationProtocol('crops')).toBe(true);
    expect(isEvaluationProtocol('Crops')).toBe(false);
  });
});

describe('cropTargets', () => {
  const gt = peopleGroundTruth();

  it('gives one 25%-margin crop per non-crowd person with labelled keypoints, in file order', () => {
    for (const image of gt.images) {
      const expected = gt.annotations.filter((a) => a.image_id === image.id && scorable(a));
      const targets = cropTargets(gt, image.id);
      expect(targets.map((t) => t.annotationId)).toEqual(expected.map((a) => a.id));
      targets.forEach((t, i) => {
        expect(t.crop).toEqual(personCrop(expected[i]!.bbox, { width: image.width!, height: image.height! }, 0.25));
        expect(t.crop.xPx + t.crop.widthPx).toBeLessThanOrEqual(image.width!);
        expect(t.crop.yPx + t.crop.heightPx).toBeLessThanOrEqual(image.height!);
      });
    }
    // 27731 has 9 persons without keypoints and a crowd region: none of them gets a crop.
    expect(cropTargets(gt, 27731)).toHaveLength(4);
    expect(gt.annotations.filter((a) => a.image_id === 27731)).toHaveLength(14);
  });

  it('clamps to an explicitly given (decoded) image size, and returns nothing for an unknown image', () => {
    // The one person of 30752: bbox x 215–333, y 63–364 px, crop x 185–363, y 0–426; a smaller size cuts it.
    const fromGt = cropTargets(gt, 30752);
    const small = cropTargets(gt, 30752, { width: 350, height: 300 });
    expect(small).toHaveLength(1);
    expect(small[0]!.crop.xPx).toBe(fromGt[0]!.crop.xPx);
    expect(small[0]!.crop.xPx + small[0]!.crop.widthPx).toBe(350);
    expect(small[0]!.crop.yPx + small[0]!.crop.heightPx).toBe(300);
    expect(fromGt[0]!.crop.yPx + fromGt[0]!.crop.heightPx).toBeGreaterThan(300);
    expect(cropTargets(gt, 424242)).toEqual([]);
  });
});

describe('posesToCocoResults', () => {
  it('writes 17 [x, y, score] triples with the pose score and category 1', () => {
    const pose: Pose = { score: 0.75, keypoints: COCO17.keypointNames.map((name, k) => ({ name, x: k, y: 100 + k, score: k / 20 })) };
    const [result, ...rest] = posesToCocoResults(7, [pose], COCO17, COCO17);
    expect(rest).toEqual([]);
    expect(result).toEqual({
      image_id: 7,
      category_id: 1,
      score: 0.75,
      keypoints: COCO17.keypointNames.flatMap((_, k) => [k, 100 + k, k / 20]),
    });
  });

  it('maps BlazePose-33 to COCO-17 by name', () => {
    const pose: Pose = {
      score: 0.5,
      keypoints: ['nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye', 'right_eye_outer',
        'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
        'left_wrist', 'right_wrist', 'left_pinky', 'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb',
        'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle', 'left_heel', 'right_heel',
        'left_foot_index', 'right_foot_index'].map((name, i) => ({ name, x: i, y: 2 * i, score: 0.5 })),
    };
    const names = pose.keypoints.map((k) => k.name);
    const [result] = posesToCocoResults(1, [pose], BLAZEPOSE33, COCO17);
    expect(result!.keypoints).toHaveLength(51);
    COCO17.keypointNames.forEach((name, k) => {
      const source = names.indexOf(name);
      expect(source, name).toBeGreaterThanOrEqual(0);
      expect([result!.keypoints[k * 3], result!.keypoints[k * 3 + 1]], name).toEqual([source, 2 * source]);
    });
  });

  it('leaves out poses with a non-finite coordinate or score, and zeroes a non-finite keypoint score', () => {
    const base = (): Pose => ({ score: 0.5, keypoints: COCO17.keypointNames.map((name) => ({ name, x: 1, y: 1, score: 0.5 })) });
    const nanX = base();
    nanX.keypoints[3]!.x = Number.NaN;
    const nanScore = { ...base(), score: Number.NaN };
    const nanKeypointScore = base();
    nanKeypointScore.keypoints[0]!.score = Number.NaN;
    const results = posesToCocoResults(1, [nanX, nanScore, nanKeypointScore], COCO17, COCO17);
    expect(results).toHaveLength(1);
    expect(results[0]!.keypoints[2]).toBe(0);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });

  it('a perfect prediction of the fixture ground truth scores AP 1, for COCO-17 and BlazePose-33 poses', () => {
    const gt = peopleGroundTruth();
    for (const [layout, make] of [['coco17', perfectCocoPose], ['blazepose33', perfectBlazePose]] as const) {
      const results = gt.images.flatMap((image) =>
        posesToCocoResults(image.id, gt.annotations.filter((a) => a.image_id === image.id && scorable(a)).map((a) => make(a)), layoutById(layout), COCO17),
      );
      const metrics = evaluateColumn({
        columnId: layout, displayName: layout, protocol: 'crops', gt,
        imageIdsEvaluated: gt.images.map((i) => i.id), results, latencies: [], pck: PCK,
      });
      expect(metrics.stats.AP, layout).toBe(1);
      expect(metrics.stats.AR, layout).toBe(1);
      expect(metrics.pck.value, layout).toBe(1);
      expect(metrics.perImage.every((im) => im.meanOks === 1 && im.persons.every((p) => p.oks === 1)), layout).toBe(true);
    }
  });
});
