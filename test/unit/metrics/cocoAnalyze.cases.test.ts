/**
 * Hand-made cases for every class of the coco-analyze error taxonomy: the keypoint classes, the background errors
 * and the score error, each with the AP gain worked out by hand from the definitions (OKS matching, 101-point
 * precision), not from the tool.
 *
 * The people are narrow stick figures: left points 10 px right of the midline, right points 10 px left of it
 * (left/right 20 px apart), area 10,000 px², so each case is in the 'all' and 'large' ranges and none is 'medium'.
 * Points are moved "outward" (left +x, right −x) so that a moved point never comes closer to its mirror point.
 */
import { describe, expect, it } from 'vitest';
import type { CocoKeypointAnnotation, CocoKeypointResult, CocoKeypointsGroundTruth } from '../../../src/core/coco/cocoTypes';
import {
  analyzeKeypointErrors,
  classifyKeypoints,
  COCO_ANALYZE_SIGMAS,
  type CocoAnalyzeResult,
} from '../../../src/core/metrics/cocoAnalyze';
import { COCO_KEYPOINT_SIGMAS } from '../../../src/core/metrics/oks';
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';

const AREA_PX2 = 10_000;

/** Each COCO-17 keypoint's left/right twin, from the names alone (coco-analyze's `inv_idx`), not from the layout module. */
const COCO17_MIRROR_INDEX = COCO17.keypointNames.map((name) =>
  COCO17.keypointNames.indexOf(name.startsWith('left_') ? 'right_' + name.slice(5) : name.startsWith('right_') ? 'left_' + name.slice(6) : name),
);
const NAMES = COCO17.keypointNames;
const K = NAMES.length;
const Y_PX = [100, 92, 92, 96, 96, 130, 130, 165, 165, 200, 200, 210, 210, 260, 260, 310, 310];
const side = (k: number): number => (NAMES[k]!.startsWith('left_') ? 1 : NAMES[k]!.startsWith('right_') ? -1 : 0);
const index = (name: string): number => NAMES.indexOf(name);

/** A fully labelled stick figure centred on x = `midX` px. */
function figure(midX: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < K; k++) out.push(midX + 10 * side(k), Y_PX[k]!, 2);
  return out;
}

function person(id: number, imageId: number, keypoints: number[]): CocoKeypointAnnotation {
  const xs = keypoints.filter((_, i) => i % 3 === 0 && keypoints[i + 2]! > 0);
  const ys = keypoints.filter((_, i) => i % 3 === 1 && keypoints[i + 1]! > 0);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  return {
    id,
    image_id: imageId,
    category_id: 1,
    keypoints,
    num_keypoints: keypoints.filter((_, i) => i % 3 === 2 && keypoints[i]! > 0).length,
    bbox: [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0],
    area: AREA_PX2,
    iscrowd: 0,
  };
}

function groundTruth(annotations: CocoKeypointAnnotation[]): CocoKeypointsGroundTruth {
  const imageIds = [...new Set(annotations.map((a) => a.image_id)), 99];
  return {
    images: imageIds.map((id) => ({ id, file_name: `${id}.jpg`, width: 800, height: 400 })),
    annotations,
    categories: [{ id: 1, name: 'person', keypoints: NAMES }],
  };
}

const detection = (imageId: number, keypoints: number[], score: number): CocoKeypointResult => ({ image_id: imageId, category_id: 1, keypoints, score });

/** Distance (px) at which keypoint k has OKS similarity `s` with a person of AREA_PX2: exp(-d²/(2σ)²/area/2) = s. */
const distanceForSimilarity = (k: number, s: number): number => Math.sqrt(-Math.log(s) * 2 * AREA_PX2 * (2 * COCO_KEYPOINT_SIGMAS[k]!) ** 2);

/** Copy of `keypoints` with keypoint k moved outward to similarity `s` with its own position. */
function movedOutward(keypoints: number[], k: number, s: number): number[] {
  const out = [...keypoints];
  out[k * 3] = out[k * 3]! + (side(k) || 1) * distanceForSimilarity(k, s);
  return out;
}
const allMovedOutward = (keypoints: number[], s: number): number[] => NAMES.reduce((kps, _, k) => movedOutward(kps, k, s), keypoints);

function exchanged(keypoints: number[], a: number, b: number): number[] {
  const out = [...keypoints];
  for (let j = 0; j < 3; j++) [out[a * 3 + j], out[b * 3 + j]] = [keypoints[b * 3 + j]!, keypoints[a * 3 + j]!];
  return out;
}

/** pycocotools' recall thresholds 0, .01, …, 1: AP is the mean precision over these 101 points. */
const RECALL_POINTS = 101;
const labelsOf = (result: CocoAnalyzeResult, resultIndex: number): string =>
  result.localization.detections.find((d) => d.resultIndex === resultIndex)!.labels.join('');
const gainAll = (result: CocoAnalyzeResult, type: keyof CocoAnalyzeResult['apImpact']['improvement']): readonly number[] =>
  result.apImpact.improvement[type]['all']!;
function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value, `threshold index ${i}`).toBeCloseTo(expected[i]!, 12));
}

const A = figure(200);
const B = figure(500);
const G17 = 'G'.repeat(K);
/** Labels with `label` at the given keypoint names and G elsewhere. */
function labelsWith(label: string, names: string[]): string {
  return NAMES.map((name) => (names.includes(name) ? label : 'G')).join('');
}

describe('coco-analyze classes on hand-made cases', () => {
  it('a jittered elbow is Jitter; fixing it moves it to similarity .85^(1/4) and gains nothing when OKS is already high', () => {
    const gt = groundTruth([person(1, 1, A)]);
    const result = analyzeKeypointErrors(gt, [detection(1, movedOutward(A, index('left_elbow'), 0.7), 0.9)]);
    expect(labelsOf(result, 0)).toBe(labelsWith('J', ['left_elbow']));
    expect(result.localization.counts).toEqual({ good: 16, jitter: 1, inversion: 0, swap: 0, miss: 0 });
    // OKS = (16 + .7) / 17 = .982 ≥ every threshold before and after the fix.
    expectClose(result.apImpact.ap.baseline['all']!, new Array(10).fill(1));
    expectClose(gainAll(result, 'jitter'), new Array(10).fill(0));
    // Q4: x = gt_x + sqrt(-ln(.85)·2·area·σ²) (σ², not (2σ)²), y = gt_y, so its OKS similarity is .85^(1/4).
    const k = index('left_elbow');
    const fixed = result.localization.detections[0]!.correctedKeypoints;
    const sigma = COCO_ANALYZE_SIGMAS[k]!;
    expect(fixed[k * 3]).toBeCloseTo(A[k * 3]! + Math.sqrt(-Math.log(0.85) * 2 * AREA_PX2 * sigma * sigma), 10);
    expect(fixed[k * 3 + 1]).toBe(A[k * 3 + 1]);
    const d = fixed[k * 3]! - A[k * 3]!;
    expect(Math.exp(-(d * d) / (2 * sigma) ** 2 / AREA_PX2 / 2)).toBeCloseTo(0.85 ** 0.25, 12);
    // Good points keep the detection's own coordinates.
    expect(fixed[0]).toBe(A[0]);
  });

  it('every point jittered to similarity .72: OKS .72 matches up to .70; fixed (.85^¼ = .960) it matches at every threshold', () => {
    const gt = groundTruth([person(1, 1, A)]);
    const result = analyzeKeypointErrors(gt, [detection(1, allMovedOutward(A, 0.72), 0.9)]);
    expect(labelsOf(result, 0)).toBe('J'.repeat(K));
    expectClose(result.apImpact.ap.baseline['all']!, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expectClose(gainAll(result, 'jitter'), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    // No other fix changes anything: nothing else is wrong.
    for (const type of ['miss', 'swap', 'inversion', 'score', 'bckgd_false_pos'] as const) expectClose(gainAll(result, type), new Array(10).fill(0));
  });

  it('wrists exchanged on the same person are Inversions (each matches its own flipped counterpart)', () => {
    const gt = groundTruth([person(1, 1, A)]);
    const result = analyzeKeypointErrors(gt, [detection(1, exchanged(A, index('left_wrist'), index('right_wrist')), 0.9)]);
    expect(labelsOf(result, 0)).toBe(labelsWith('I', ['left_wrist', 'right_wrist']));
    // OKS = (15 + 2·exp(-20²/(2·.062)²/10⁴/2)) / 17 = (15 + 2·.2723) / 17 = .914: matched up to .90, not at .95.
    const wristSimilarity = Math.exp(-400 / (2 * COCO_KEYPOINT_SIGMAS[9]!) ** 2 / AREA_PX2 / 2);
    expect(result.localization.detections[0]!.oks).toBeCloseTo((15 + 2 * wristSimilarity) / 17, 12);
    expectClose(result.apImpact.ap.baseline['all']!, [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    // The fix puts each wrist at similarity ≈1 (best similarity 1 − eps): the .95 threshold is gained.
    expectClose(gainAll(result, 'inversion'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('a full left–right flip: every paired point is an Inversion, the nose (its own mirror) stays Good', () => {
    const flipped = NAMES.reduce((kps, _, k) => (COCO17_MIRROR_INDEX[k]! > k ? exchanged(kps, k, COCO17_MIRROR_INDEX[k]!) : kps), A);
    const gt = groundTruth([person(1, 1, A)]);
    const result = analyzeKeypointErrors(gt, [detection(1, flipped, 0.9)]);
    expect(labelsOf(result, 0)).toBe('G' + 'I'.repeat(K - 1));
    expect(result.localization.counts.inversion).toBe(16);
    // OKS with its own person ≈ .39 (nose 1, pairs 20 px off): matched at 0.1 for the analysis, at no AP threshold.
    const oks = result.localization.detections[0]!.oks;
    expect(oks).toBeGreaterThan(0.1);
    expect(oks).toBeLessThan(0.5);
    expectClose(result.apImpact.ap.baseline['all']!, new Array(10).fill(0));
    expectClose(gainAll(result, 'inversion'), new Array(10).fill(1));
  });

  it("points on the neighbour's elbow and wrist are Swaps; fixing them gains the two strict thresholds", () => {
    const onNeighbour = [index('left_elbow'), index('left_wrist')].reduce((kps, k) => {
      const out = [...kps];
      out[k * 3] = B[k * 3]!;
      out[k * 3 + 1] = B[k * 3 + 1]!;
      return out;
    }, A);
    const gt = groundTruth([person(1, 1, A), person(2, 1, B)]);
    const result = analyzeKeypointErrors(gt, [detection(1, onNeighbour, 0.9), detection(1, B, 0.8)]);
    expect(labelsOf(result, 0)).toBe(labelsWith('S', ['left_elbow', 'left_wrist']));
    expect(labelsOf(result, 1)).toBe(G17);
    expect(result.localization.detections[0]!.gtAnnotationId).toBe(1);
    // OKS(A', A) = 15/17 = .882 (the two points are 300 px away): both TP up to .85 → AP 1. At .90/.95 the first
    // ranked detection is a FP, the second a TP: precision .5 at recall .5, nothing beyond → 51 × .5 / 101.
    const half = (51 * 0.5) / RECALL_POINTS;
    expectClose(result.apImpact.ap.baseline['all']!, [1, 1, 1, 1, 1, 1, 1, 1, half, half]);
    expectClose(gainAll(result, 'swap'), [0, 0, 0, 0, 0, 0, 0, 0, 1 - half, 1 - half]);
    expectClose(gainAll(result, 'inversion'), new Array(10).fill(0));
  });

  it('a point far from every candidate is a Miss; all points at similarity .3, fixed to .5^(1/4) = .841, gain up to .80', () => {
    const gt = groundTruth([person(1, 1, A)]);
    const knee = index('left_knee');
    const one = [...A];
    one[knee * 3] = one[knee * 3]! + 60;
    const single = analyzeKeypointErrors(gt, [detection(1, one, 0.9)]);
    expect(labelsOf(single, 0)).toBe(labelsWith('M', ['left_knee']));
    const fixedX = single.localization.detections[0]!.correctedKeypoints[knee * 3]!;
    const sigma = COCO_ANALYZE_SIGMAS[knee]!;
    expect(fixedX).toBeCloseTo(A[knee * 3]! + Math.sqrt(-Math.log(0.5) * 2 * AREA_PX2 * sigma * sigma), 10);

    const result = analyzeKeypointErrors(gt, [detection(1, allMovedOutward(A, 0.3), 0.9)]);
    expect(labelsOf(result, 0)).toBe('M'.repeat(K));
    expectClose(result.apImpact.ap.baseline['all']!, new Array(10).fill(0));
    expectClose(gainAll(result, 'miss'), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it("keypoints the person does not label get '-' and are not counted", () => {
    const partial = [...A];
    for (const k of [index('left_ear'), index('right_ear')]) partial.splice(k * 3, 3, 0, 0, 0);
    const gt = groundTruth([person(1, 1, partial)]);
    const result = analyzeKeypointErrors(gt, [detection(1, A, 0.9)]);
    expect(labelsOf(result, 0)).toBe('GGG--' + 'G'.repeat(12));
    expect(result.localization.totalKeypoints).toBe(15);
    expect(result.localization.counts.good).toBe(15);
  });

  it('a background false positive: ranked first it halves AP at every threshold; ignoring it gains .5 (not in large: too small)', () => {
    const gt = groundTruth([person(1, 1, A)]);
    const background = figure(600); // nobody there; keypoint extent 20 × 218 px = 4360 px² (≥ 32², < 96²)
    const result = analyzeKeypointErrors(gt, [detection(1, A, 0.5), detection(1, background, 0.9)]);
    // FP then TP: precision .5 at every recall up to 1 → AP .5.
    expectClose(result.apImpact.ap.baseline['all']!, new Array(10).fill(0.5));
    expectClose(gainAll(result, 'bckgd_false_pos'), new Array(10).fill(0.5));
    // In 'large' the unmatched detection's area is outside the range, so it is ignored already (Q1 / area rule).
    expectClose(result.apImpact.ap.baseline['large']!, new Array(10).fill(1));
    expectClose(result.apImpact.improvement.bckgd_false_pos['large']!, new Array(10).fill(0));
    expect(result.apImpact.ap.baseline['medium']).toEqual(new Array(10).fill(-1));
    expect(result.background.falsePositives).toEqual(new Array(10).fill(1));
    expect(result.background.matchedDetections).toEqual(new Array(10).fill(1));
    expect(result.background.falsePositivesAtAllThresholds).toEqual([1]);
    expect(result.background.falseNegatives).toEqual(new Array(10).fill(0));
    expect(result.localization.matchedCount).toBe(1);
  });

  it('a false negative: recall stops at .5 (AP 51/101); ignoring the missed person gives AP 1', () => {
    const gt = groundTruth([person(1, 1, A), person(2, 1, B)]);
    const result = analyzeKeypointErrors(gt, [detection(1, A, 0.9)]);
    const halfRecall = 51 / RECALL_POINTS;
    expectClose(result.apImpact.ap.baseline['all']!, new Array(10).fill(halfRecall));
    expectClose(result.apImpact.recall.baseline['all']!, new Array(10).fill(0.5));
    expectClose(gainAll(result, 'bckgd_false_pos'), new Array(10).fill(0));
    // false_neg is measured on top of the FP fix (improvement relative to bckgd_false_pos).
    expectClose(result.apImpact.ap.false_neg['all']!, new Array(10).fill(1));
    expectClose(gainAll(result, 'false_neg'), new Array(10).fill(1 - halfRecall));
    expect(result.background.falseNegatives).toEqual(new Array(10).fill(1));
    expect(result.background.falseNegativesAtAllThresholds).toEqual([2]);
    expect(result.background.falseNegativesWithKeypointsAtAllThresholds).toBe(1);
  });

  it('a scoring error: the worse of two detections of one person scored higher; the optimal score ranks the better first', () => {
    const gt = groundTruth([person(1, 1, A)]);
    const worse = allMovedOutward(A, 0.62); // OKS .62
    const result = analyzeKeypointErrors(gt, [detection(1, worse, 0.9), detection(1, A, 0.5)]);
    // Up to .60 the worse one (first) is the TP and the better one a duplicate FP → AP 1. From .65 on the first is
    // a FP and the second the TP → precision .5 at recall 1 → AP .5.
    expectClose(result.apImpact.ap.baseline['all']!, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    // Optimal scores: max OKS with a person (.62 and 1), then soft-NMS lowers the worse one further: the perfect
    // detection ranks first and is the TP at every threshold → AP 1.
    expectClose(result.apImpact.ap.score['all']!, new Array(10).fill(1));
    expectClose(gainAll(result, 'score'), [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    // At OKS 0.1 the higher-scored (worse) detection takes the person; the other one stays unmatched.
    expect(result.localization.matchedCount).toBe(1);
  });

  it('cumulative: fixing every keypoint error, then scores, then background, reaches AP 1 on a mixed image', () => {
    const gt = groundTruth([person(1, 1, A), person(2, 1, B), person(3, 2, figure(300))]);
    const results = [
      detection(1, allMovedOutward(A, 0.72), 0.6), // jitter
      detection(1, exchanged(B, index('left_wrist'), index('right_wrist')), 0.9), // inversions
      detection(2, figure(600), 0.95), // background FP
    ];
    const result = analyzeKeypointErrors(gt, results);
    const cumulative = result.cumulative.ap;
    for (const step of result.cumulative.order) expect(cumulative[step]['all']).toHaveLength(10);
    // Each added correction never lowers AP here, and after the FN fix (person 3 ignored) AP is 1 everywhere.
    const order = result.cumulative.order;
    for (let i = 1; i < order.length; i++) {
      cumulative[order[i]!]['all']!.forEach((value, t) => expect(value).toBeGreaterThanOrEqual(cumulative[order[i - 1]!]['all']![t]! - 1e-12));
    }
    // With the FP ignored, two of the three people are found at precision 1: recall 2/3 → 67 recall points / 101.
    expectClose(cumulative.bckgd_false_pos['all']!, new Array(10).fill(67 / RECALL_POINTS));
    expectClose(cumulative.false_neg['all']!, new Array(10).fill(1));
  });

  it('the classes always add up to the labelled keypoints of the analysed people', () => {
    const gt = groundTruth([person(1, 1, A), person(2, 1, B)]);
    const results = [
      detection(1, allMovedOutward(A, 0.72), 0.9),
      detection(1, exchanged(B, index('left_knee'), index('right_knee')), 0.8),
      detection(1, movedOutward(A, index('nose'), 0.3), 0.7),
    ];
    const { localization } = analyzeKeypointErrors(gt, results);
    const { good, jitter, inversion, swap, miss } = localization.counts;
    expect(good + jitter + inversion + swap + miss).toBe(localization.totalKeypoints);
    expect(localization.totalKeypoints).toBe(localization.analysedCount * 17);
    for (let k = 0; k < K; k++) {
      const perKeypoint = localization.perKeypoint;
      expect(perKeypoint.good[k]! + perKeypoint.jitter[k]! + perKeypoint.inversion[k]! + perKeypoint.swap[k]! + perKeypoint.miss[k]!).toBe(localization.analysedCount);
    }
  });

  it('classifyKeypoints: the first maximum wins (own point beats an identical point of another person)', () => {
    const other = person(2, 1, A); // a second annotation with exactly the same keypoints
    const own = person(1, 1, A);
    const classes = classifyKeypoints(A, own, [other, own], COCO_ANALYZE_SIGMAS, COCO17_MIRROR_INDEX);
    expect(classes.labels.join('')).toBe(G17);
  });
});
