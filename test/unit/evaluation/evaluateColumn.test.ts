import { COCO17, FACE468 } from '../../../src/core/layouts/builtinLayouts';
import { describe, expect, it } from 'vitest';
import type { CocoKeypointResult } from '../../../src/core/coco/cocoTypes';
import { cocoSummaryLines } from '../../../src/core/evaluation/summary';
import { evaluateColumn, median, restrictGroundTruth, type EvaluateColumnInput } from '../../../src/core/evaluation/evaluateColumn';
import { datasetWithUserSigmas } from '../../../src/core/layouts';
import { posesToCocoResults } from '../../../src/core/evaluation/conversion';
import { KEYPOINT_STATS_NAMES, evaluateKeypoints } from '../../../src/core/metrics/cocoEval';
import { DEFAULT_PCK_ALPHAS, computePck, pckPersonsFromEvaluation } from '../../../src/core/metrics/pck';
import { loadExpected, loadGroundTruth, loadResults } from '../metrics/cocoFixtures';
import { peopleGroundTruth, perfectCocoPose, scorable } from './peopleFixture';

const gt = peopleGroundTruth();
const allIds = gt.images.map((image) => image.id);

function perfectResults(imageIds: readonly number[]): CocoKeypointResult[] {
  return imageIds.flatMap((id) => posesToCocoResults(id, gt.annotations.filter((a) => a.image_id === id && scorable(a)).map((a) => perfectCocoPose(a)), COCO17, COCO17));
}

function input(overrides: Partial<EvaluateColumnInput>): EvaluateColumnInput {
  return {
    columnId: 'm', displayName: 'Model', protocol: 'whole', gt,
    imageIdsEvaluated: allIds, results: perfectResults(allIds), latencies: [], pck: { alpha: 0.2, normalizer: 'bbox' },
    ...overrides,
  };
}

describe('evaluateColumn', () => {
  it('equals evaluateKeypoints (and so pycocotools) when every image is evaluated', () => {
    const expected = loadExpected();
    for (const name of ['noise_5px', 'mixed_realistic', 'miss30', 'with_bbox_field'] as const) {
      const cocoGt = loadGroundTruth('dev');
      const results = loadResults('dev', name);
      const metrics = evaluateColumn({ ...input({}), gt: cocoGt, imageIdsEvaluated: cocoGt.images.map((i) => i.id), results });
      KEYPOINT_STATS_NAMES.forEach((stat, i) => expect(metrics.stats[stat], `${name} ${stat}`).toBe(evaluateKeypoints(cocoGt, results).stats[i]));
      expect(cocoSummaryLines(metrics.stats)).toEqual(expected.dev[name]!.summaryLines);
      expect(metrics.detections).toBe(results.length);
      expect(metrics.imagesEvaluated).toBe(cocoGt.images.length);
    }
  });

  it('scores only the evaluated images: unprocessed images are not misses, results elsewhere are left out', () => {
    const processed = allIds.slice(0, 3);
    const restricted = evaluateColumn(input({ imageIdsEvaluated: processed, results: perfectResults(allIds) }));
    expect(restricted.stats.AP).toBe(1);
    expect(restricted.stats.AR).toBe(1);
    expect(restricted.imagesEvaluated).toBe(3);
    expect(restricted.imagesTotal).toBe(8);
    expect(restricted.detections).toBe(perfectResults(processed).length);
    expect(restricted.resultsOutsideEvaluatedImages).toBe(perfectResults(allIds).length - perfectResults(processed).length);
    expect(restricted.perImage.map((im) => im.imageId).sort()).toEqual([...processed].sort());
    // The same perfect results on 3 images, scored on all 8: the other images' persons are misses.
    const unrestricted = evaluateColumn(input({ results: perfectResults(processed) }));
    expect(unrestricted.stats.AR).toBeLessThan(0.5);
    // Restriction is on the GT images and their annotations.
    const cut = restrictGroundTruth(gt, processed);
    expect(cut.images.map((i) => i.id)).toEqual(processed);
    expect(cut.annotations.every((a) => processed.includes(a.image_id))).toBe(true);
    expect(cut.annotations).toHaveLength(gt.annotations.filter((a) => processed.includes(a.image_id)).length);
  });

  it('ignores evaluated ids that are not images of the ground truth', () => {
    const metrics = evaluateColumn(input({ imageIdsEvaluated: [...allIds, 999, 999] }));
    expect(metrics.imagesEvaluated).toBe(8);
    expect(metrics.stats.AP).toBe(1);
  });

  it('never throws for empty results: 0 where there are persons, -1 where a range has none, every person missed', () => {
    const metrics = evaluateColumn(input({ results: [] }));
    expect(metrics.detections).toBe(0);
    const persons = gt.annotations.filter(scorable);
    expect(persons.some((a) => a.area >= 32 ** 2 && a.area <= 96 ** 2)).toBe(true);
    for (const stat of KEYPOINT_STATS_NAMES) expect(metrics.stats[stat], stat).toBe(0);
    expect(metrics.pck.value).toBe(0);
    expect(metrics.perImage.flatMap((im) => im.persons)).toHaveLength(persons.length);
    expect(metrics.perImage.every((im) => im.meanOks === 0 && im.persons.every((p) => p.oks === null && p.maxOks === 0))).toBe(true);
    // Only large persons: the medium range has none, so APm/ARm are -1 as in pycocotools.
    const large = gt.annotations.filter((a) => a.image_id === 30752);
    expect(large.every((a) => a.area > 96 ** 2)).toBe(true);
    const single = evaluateColumn(input({ imageIdsEvaluated: [30752], results: [] }));
    expect([single.stats.AP, single.stats.APm, single.stats.APl, single.stats.ARm]).toEqual([0, -1, 0, -1]);
    // No images at all.
    const none = evaluateColumn(input({ imageIdsEvaluated: [], results: [] }));
    expect(none.stats.AP).toBe(-1);
    expect(none.pck.value).toBeNull();
    expect(none.perImage).toEqual([]);
    expect(none.medianImageLatencyMs).toBeNull();
    expect(none.medianInferenceLatencyMs).toBeNull();
  });

  it('marks missed persons null, lists every evaluated image, and sorts images worst first', () => {
    // Perfect on all but one person of 121181 (dropped) and a 30 px shift on 790.
    const results = perfectResults(allIds)
      .filter((r, i, all) => !(r.image_id === 121181 && all.findIndex((x) => x.image_id === 121181) === i))
      .map((r) => (r.image_id === 790 ? { ...r, keypoints: r.keypoints.map((v, i) => (i % 3 === 0 ? v + 30 : v)) } : r));
    const metrics = evaluateColumn(input({ results }));
    expect(metrics.perImage).toHaveLength(8);
    const means = metrics.perImage.map((im) => im.meanOks ?? Number.POSITIVE_INFINITY);
    expect([...means].sort((a, b) => a - b)).toEqual(means);
    const crowded = metrics.perImage.find((im) => im.imageId === 121181)!;
    expect(crowded.persons.filter((p) => p.oks === null)).toHaveLength(1);
    expect(crowded.fileName).toBe('000000121181.jpg');
    expect(metrics.perImage.at(-1)!.meanOks).toBe(1);
  });

  it('PCK follows the settings and agrees with computePck on the evaluation pairs', () => {
    const shifted = perfectResults(allIds).map((r) => ({ ...r, keypoints: r.keypoints.map((v, i) => (i % 3 === 0 ? v + 12 : v)) }));
    for (const settings of [
      { alpha: 0.05, normalizer: 'bbox' },
      { alpha: 0.2, normalizer: 'bbox' },
      { alpha: 0.1, normalizer: 'torso' },
      { alpha: 0.5, normalizer: 'torso' },
    ] as const) {
      const metrics = evaluateColumn(input({ results: shifted, pck: settings }));
      const evaluation = evaluateKeypoints(gt, shifted);
      const reference = computePck(pckPersonsFromEvaluation(gt, shifted, evaluation), { ...settings, keypointNames: COCO17.keypointNames });
      expect(metrics.pck.alpha).toBe(settings.alpha);
      expect(metrics.pck.normalizer).toBe(settings.normalizer);
      expect(metrics.pck.value).toBe(reference.pck);
      expect(metrics.pck.personsSkipped).toBe(reference.personsSkippedNoNormalizer + reference.personsSkippedNoLabels);
      expect(metrics.perKeypoint.map((k) => k.detectionRate)).toEqual(reference.perKeypoint.map((k) => k.detectionRate));
      expect(metrics.perKeypoint.map((k) => k.name)).toHaveLength(17);
      expect(metrics.pckCurve.alphas).toEqual([...DEFAULT_PCK_ALPHAS]);
      const atAlpha = DEFAULT_PCK_ALPHAS.indexOf(settings.alpha);
      expect(metrics.pckCurve.values[atAlpha]).toBe(metrics.pck.value);
    }
    const bbox = evaluateColumn(input({ results: shifted, pck: { alpha: 0.2, normalizer: 'bbox' } }));
    const torso = evaluateColumn(input({ results: shifted, pck: { alpha: 0.2, normalizer: 'torso' } }));
    expect(bbox.pck.personsSkipped).toBe(0);
    // Persons with neither shoulder–opposite-hip pair labelled have no torso size.
    expect(torso.pck.personsSkipped).toBeGreaterThan(0);
    // A 12 px shift is "correct" for more keypoints at a larger α (persons it makes unmatched stay wrong).
    const curve = bbox.pckCurve.values.map((v) => v ?? 0);
    expect(curve[0]).toBe(0);
    expect(curve.at(-1)!).toBeGreaterThan(curve[5]!);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeGreaterThanOrEqual(curve[i - 1]!);
  });

  it('reports latency per image and per inference (each image ÷ its inferences), medians in ms', () => {
    const whole = evaluateColumn(input({ latencies: [30, 10, 20].map((imageMs) => ({ imageMs, inferences: 1 })) }));
    expect(whole.medianImageLatencyMs).toBe(20);
    expect(whole.medianInferenceLatencyMs).toBe(20);
    expect(whole.inferences).toBe(3);
    // Person crops: an image with 11 people costs 11 inferences; per image is what the user waits for.
    const crops = evaluateColumn(input({ latencies: [{ imageMs: 500, inferences: 11 }, { imageMs: 40, inferences: 1 }, { imageMs: 90, inferences: 2 }] }));
    expect(crops.medianImageLatencyMs).toBe(90);
    // Per image ÷ inferences: 45.45…, 40, 45 → median 45.
    expect(crops.medianInferenceLatencyMs).toBe(45);
    expect(crops.inferences).toBe(14);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNull();
  });
});

describe('evaluateColumn: inputs without a pose', () => {
  const scorableCount = (ids: readonly number[]) => gt.annotations.filter((a) => ids.includes(a.image_id) && scorable(a)).length;

  it('counts, under person crops, every scorable person whose crop gave no pose, and images with no detection', () => {
    const [first, second, ...rest] = allIds;
    if (first === undefined || second === undefined) throw new Error('fixture too small');
    // One person of the first image dropped (its crop found nobody); the second image found nothing at all.
    const firstImage = perfectResults([first]).slice(1);
    const results = [...firstImage, ...perfectResults(rest)];
    const metrics = evaluateColumn(input({ protocol: 'crops', results, oneResultPerCrop: true }));
    expect(metrics.withoutPose.cropsTotal).toBe(scorableCount(allIds));
    expect(metrics.withoutPose.crops).toBe(1 + scorableCount([second]));
    expect(metrics.withoutPose.images).toBe(1);
  });

  it('does not count crops for whole images or imported predictions', () => {
    const metrics = evaluateColumn(input({ results: perfectResults(allIds.slice(1)) }));
    expect(metrics.withoutPose).toEqual({ images: 1, crops: null, cropsTotal: null });
  });
});

describe('evaluateColumn beyond AP: PCK AUC and face NME', () => {
  it('a perfect column has PCK AUC 1, and no NME on COCO people (no reference pair)', () => {
    const metrics = evaluateColumn(input({ results: perfectResults(allIds) }));
    expect(metrics.pckCurve.auc).toBe(1);
    expect(metrics.nme).toBeNull();
  });

  it('face mesh ground truth: NME is the mean error over the outer-eye-corner distance', () => {
    const names = FACE468.keypointNames;
    // A synthetic face: points on a 20 × 24 grid of 10 px cells; the outer eye corners 33 and 263 then lie where the grid puts them.
    const keypoints = names.flatMap((_, k) => [100 + (k % 20) * 10, 100 + Math.floor(k / 20) * 10, 2]);
    const ioPx = Math.hypot(keypoints[33 * 3]! - keypoints[263 * 3]!, keypoints[33 * 3 + 1]! - keypoints[263 * 3 + 1]!);
    const faceGt = {
      images: [{ id: 1, file_name: 'face.jpg', width: 400, height: 400 }],
      annotations: [{ id: 1, image_id: 1, category_id: 3, keypoints, num_keypoints: names.length, bbox: [100, 100, 190, 230] as [number, number, number, number], area: 190 * 230, iscrowd: 0 as const }],
      categories: [{ id: 3, name: 'face', keypoints: [...names] }],
    };
    const shifted = keypoints.map((v, i) => (i % 3 === 0 ? v + 2 : i % 3 === 2 ? 0.9 : v));
    const metrics = evaluateColumn({ ...input({}), gt: faceGt, imageIdsEvaluated: [1], results: [{ image_id: 1, category_id: 3, keypoints: shifted, score: 0.9 }] });
    expect(metrics.nme?.reference).toEqual(['mesh_33', 'mesh_263']);
    expect(metrics.nme?.value).toBeCloseTo(2 / ioPx, 12);
    expect(metrics.perKeypoint).toHaveLength(468);
  });
});

describe("evaluateColumn with the user's sigmas", () => {
  it('scores OKS with them: stricter sigmas lower the AP of the same shifted predictions, as pycocotools with those sigmas does', () => {
    const shifted = perfectResults(allIds).map((r) => ({ ...r, keypoints: r.keypoints.map((v, i) => (i % 3 === 0 ? v + 12 : v)) }));
    const strict = COCO17.keypointNames.map(() => 0.01);
    const base = evaluateColumn(input({ results: shifted }));
    const withStrict = evaluateColumn({ ...input({ results: shifted }), gt: datasetWithUserSigmas(gt, strict) });
    expect(withStrict.stats.AP).toBeLessThan(base.stats.AP);
    // The same as giving pycocotools' evaluation those sigmas directly.
    expect(withStrict.stats.AP).toBe(evaluateKeypoints(gt, shifted, { sigmas: strict }).stats[0]);
  });
});
