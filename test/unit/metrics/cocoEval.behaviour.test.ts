/** pycocotools behaviours on small hand-made cases (the README numbers refer to shared/coco-eval-vectors/README.md). */
import { describe, expect, it } from 'vitest';
import type {
  CocoKeypointAnnotation,
  CocoKeypointResult,
  CocoKeypointsGroundTruth,
} from '../../../src/core/coco/cocoTypes';
import { CocoEvalError, evaluateKeypoints, sortImagesWorstFirst } from '../../../src/core/metrics/cocoEval';
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';

const category = { id: 1, name: 'person', keypoints: COCO17.keypointNames };

/** 17 labelled keypoints on a grid inside the box [x, x+100] × [y, y+200]. */
function skeleton(x: number, y: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 17; k++) out.push(x + (k % 4) * 20 + 10, y + Math.floor(k / 4) * 35 + 10, 2);
  return out;
}

function person(id: number, imageId: number, x: number, y: number, extra: Partial<CocoKeypointAnnotation> = {}): CocoKeypointAnnotation {
  return {
    id,
    image_id: imageId,
    category_id: 1,
    keypoints: skeleton(x, y),
    num_keypoints: 17,
    bbox: [x, y, 100, 200],
    area: 20000,
    iscrowd: 0,
    ...extra,
  };
}

function detection(imageId: number, keypoints: number[], score: number, extra: Partial<CocoKeypointResult> = {}): CocoKeypointResult {
  return { image_id: imageId, category_id: 1, keypoints, score, ...extra };
}

function groundTruth(imageIds: number[], annotations: CocoKeypointAnnotation[]): CocoKeypointsGroundTruth {
  return { images: imageIds.map((id) => ({ id })), annotations, categories: [category] };
}

describe('evaluateKeypoints: errors where pycocotools fails', () => {
  const gt = groundTruth([1], [person(10, 1, 0, 0)]);

  it('refuses an empty results list (README 2)', () => {
    expect(() => evaluateKeypoints(gt, [])).toThrow(CocoEvalError);
    expect(() => evaluateKeypoints(gt, [])).toThrow(/results list is empty/);
  });

  it('refuses results on images that are not in the ground truth, naming them', () => {
    expect(() => evaluateKeypoints(gt, [detection(1, skeleton(0, 0), 1), detection(77, skeleton(0, 0), 1)])).toThrow(
      /1 image id\(s\) that are not in the ground truth \(77\)/,
    );
  });

  it('refuses a bbox branch where a later detection has no bbox (README 2)', () => {
    const results = [detection(1, skeleton(0, 0), 1, { bbox: [0, 0, 10, 10] }), detection(1, skeleton(0, 0), 0.5)];
    expect(() => evaluateKeypoints(gt, results)).toThrow(/results\[0\] has a bbox.*results\[1\] \(image 1\) has none/);
  });

  it('refuses keypoint arrays of the wrong length', () => {
    expect(() => evaluateKeypoints(gt, [detection(1, skeleton(0, 0).slice(3), 1)])).toThrow(/has 48 keypoint numbers, expected 51/);
  });
});

describe('evaluateKeypoints: pycocotools behaviours', () => {
  it('takes detection areas from the keypoint extent, (0, 0) points included (README 1)', () => {
    const gt = groundTruth([1], [person(10, 1, 200, 100)]);
    const withZero = skeleton(200, 100);
    withZero[0] = 0;
    withZero[1] = 0;
    withZero[2] = 0;
    const result = evaluateKeypoints(gt, [detection(1, skeleton(200, 100), 1), detection(1, withZero, 0.5)]);
    expect(result.detectionAreasPx2[0]).toBe(60 * 140);
    expect(result.detectionAreasPx2[1]).toBe(270 * 250);
    expect(result.areasFromBboxes).toBe(false);
  });

  it('lets results[0] alone decide the bbox branch (README 2)', () => {
    const gt = groundTruth([1], [person(10, 1, 0, 0)]);
    const bboxFirst = evaluateKeypoints(gt, [
      detection(1, skeleton(0, 0), 1, { bbox: [0, 0, 50, 40] }),
      detection(1, skeleton(0, 0), 0.5, { bbox: [0, 0, 10, 10] }),
    ]);
    expect(Array.from(bboxFirst.detectionAreasPx2)).toEqual([2000, 100]);
    const bboxSecond = evaluateKeypoints(gt, [
      detection(1, skeleton(0, 0), 1),
      detection(1, skeleton(0, 0), 0.5, { bbox: [0, 0, 10, 10] }),
    ]);
    expect(Array.from(bboxSecond.detectionAreasPx2)).toEqual([60 * 140, 60 * 140]);
  });

  it('scores AP = 70/101 when recall is exactly 0.7, because recThrs[70] is 0.7000000000000001 (README 9)', () => {
    const imageIds = Array.from({ length: 10 }, (_, i) => i + 1);
    const gt = groundTruth(imageIds, imageIds.map((id) => person(100 + id, id, 10, 10)));
    const results = imageIds.slice(0, 7).map((id) => detection(id, skeleton(10, 10), 1));
    const { stats } = evaluateKeypoints(gt, results);
    expect(stats[0]).toBeCloseTo(70 / 101, 15);
    expect(stats[5]).toBe(0.7);
  });

  it('gives -1 for an area range without ground truth, 0 for one with unmatched ground truth (README 10)', () => {
    const gt = groundTruth([1, 2], [person(1, 1, 0, 0), person(2, 2, 0, 0)]);
    const { stats } = evaluateKeypoints(gt, [detection(1, skeleton(0, 0), 1)]);
    // Both persons have area 20000 (large): no medium ground truth.
    expect(stats[3]).toBe(-1);
    expect(stats[8]).toBe(-1);
    expect(stats[9]).toBe(0.5);
  });

  it('ignores a detection inside the grown box of a crowd region instead of counting a false positive (README 4, 6)', () => {
    const crowd: CocoKeypointAnnotation = {
      ...person(2, 1, 300, 300),
      keypoints: new Array<number>(51).fill(0),
      num_keypoints: 0,
      iscrowd: 1,
      bbox: [300, 300, 100, 100],
    };
    const gt = groundTruth([1], [person(1, 1, 0, 0), crowd]);
    // Lies in [200, 500] × [200, 500], the crowd box grown by its own size on every side.
    const inZone = skeleton(260, 260);
    const result = evaluateKeypoints(gt, [detection(1, inZone, 0.9), detection(1, skeleton(0, 0), 0.8)]);
    const image = result.perImage[0]!;
    expect(image.oks[0 * 2 + 1]).toBe(1); // OKS exactly 1 with the crowd zone
    expect(Array.from(image.areas[0]!.dtIgnore.subarray(0, 2))).toEqual([1, 0]);
    // pycocotools' precision is tp / (tp + fp + eps): 1 / (1 + 2.2e-16) for a single true positive.
    expect(result.stats[0]).toBe(1 / (1 + 2.220446049250313e-16));
    expect(image.falsePositives).toBe(0);
  });

  it('keeps the pycocotools quirk that a match to an annotation with id 0 counts as unmatched', () => {
    const gt = groundTruth([1], [person(0, 1, 0, 0)]);
    const result = evaluateKeypoints(gt, [detection(1, skeleton(0, 0), 1)]);
    expect(result.perImage[0]!.areas[0]!.gtMatches[0]).toBe(1); // the ground truth was taken...
    expect(result.stats[0]).toBe(0); // ...but the detection is a false positive and recall is 0
    expect(result.stats[5]).toBe(0);
  });

  it('cuts each image to the top maxDetections by score, ties in file order (README 5)', () => {
    const gt = groundTruth([1], [person(1, 1, 0, 0)]);
    const results = [
      detection(1, skeleton(500, 500), 0.5),
      detection(1, skeleton(0, 0), 0.5),
      detection(1, skeleton(600, 600), 0.9),
    ];
    const capped = evaluateKeypoints(gt, results, { maxDetections: 2 });
    expect(Array.from(capped.perImage[0]!.detectionIndices)).toEqual([2, 0]);
    expect(capped.stats[5]).toBe(0); // the true positive was cut
    const uncapped = evaluateKeypoints(gt, results);
    expect(Array.from(uncapped.perImage[0]!.detectionIndices)).toEqual([2, 0, 1]);
    expect(uncapped.stats[5]).toBe(1);
  });

  it('keeps the stable order for images with many tied detections', () => {
    const gt = groundTruth([1], [person(1, 1, 0, 0)]);
    // 60 detections (past the insertion-sort size), scores 0.3 / 0.6 / 0.9 in turn, in file order.
    const results = Array.from({ length: 60 }, (_, i) => detection(1, skeleton(300 + i, 0), [0.3, 0.6, 0.9][i % 3]!));
    const indices = Array.from(evaluateKeypoints(gt, results, { maxDetections: 60 }).perImage[0]!.detectionIndices);
    const expected = [2, 1, 0].flatMap((phase) => Array.from({ length: 20 }, (_, j) => 3 * j + phase));
    expect(indices).toEqual(expected);
  });

  it('skips results of categories that are not in the ground truth', () => {
    const gt = groundTruth([1], [person(1, 1, 0, 0)]);
    const result = evaluateKeypoints(gt, [detection(1, skeleton(0, 0), 1), { ...detection(1, skeleton(0, 0), 1), category_id: 5 }]);
    expect(result.stats[5]).toBe(1);
    expect(result.perImage[0]!.detectionIndices).toHaveLength(1);
  });

  it('gives the same statistics without per-image detail', () => {
    const gt = groundTruth([1, 2], [person(1, 1, 0, 0), person(2, 2, 0, 0), person(3, 2, 200, 0)]);
    const results = [detection(1, skeleton(3, 0), 0.7), detection(2, skeleton(200, 4), 0.9), detection(2, skeleton(400, 0), 0.8)];
    const full = evaluateKeypoints(gt, results);
    const lean = evaluateKeypoints(gt, results, { perImageDetail: false });
    expect(lean.stats).toEqual(full.stats);
    expect(lean.perImage).toEqual([]);
    expect(full.perImage).toHaveLength(2);
  });
});

describe('per-person OKS and worst-first ordering', () => {
  const gt = groundTruth(
    [1, 2, 3, 4],
    [person(1, 1, 0, 0), person(2, 2, 0, 0), person(3, 2, 300, 0), person(4, 3, 0, 0)],
  );
  const results = [
    detection(1, skeleton(0, 0), 0.9), // perfect
    detection(2, skeleton(2, 1), 0.8), // close to person 2; person 3 missed
    detection(3, skeleton(0, 0), 0.7),
    detection(4, skeleton(0, 0), 0.6), // image 4 has no people: false positive
  ];
  const evaluation = evaluateKeypoints(gt, results);

  it('reports the matched detection OKS per person, 0 for a missed person', () => {
    const image2 = evaluation.perImage.find((image) => image.imageId === 2)!;
    expect(image2.persons.map((p) => p.annotationId)).toEqual([2, 3]);
    expect(image2.persons[0]!.detectionIndex).toBe(1);
    expect(image2.persons[0]!.oks).toBeGreaterThan(0.9);
    expect(image2.persons[0]!.oks).toBeLessThan(1);
    expect(image2.persons[1]!).toMatchObject({ oks: 0, detectionIndex: -1 });
    expect(image2.meanPersonOks).toBeCloseTo((image2.persons[0]!.oks + 0) / 2, 15);
    const image4 = evaluation.perImage.find((image) => image.imageId === 4)!;
    expect(image4.persons).toEqual([]);
    expect(image4.meanPersonOks).toBeNull();
    expect(image4.falsePositives).toBe(1);
  });

  it('sorts images worst first', () => {
    expect(sortImagesWorstFirst(evaluation.perImage).map((image) => image.imageId)).toEqual([2, 1, 3, 4]);
  });
});
