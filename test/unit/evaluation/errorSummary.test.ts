/**
 * The summary of the coco-analyze taxonomy: the AP gain per error type is undefined (null) at a threshold where
 * either AP it is the difference of is pycocotools' -1, never a "gain" of −1.2. Case: one person, one detection far
 * from them (a background false positive). Fixing false negatives ignores the missed person, which leaves no person
 * at all: that AP is -1 at every threshold, so the gain is undefined everywhere; fixing the background false
 * positive leaves no detection: AP 0 with one person, a defined gain of 0.
 */
import { describe, expect, it } from 'vitest';
import type { CocoKeypointsGroundTruth } from '../../../src/core/coco/cocoTypes';
import { columnErrors } from '../../../src/core/evaluation/errorSummary';
import { analyzeKeypointErrors } from '../../../src/core/metrics/cocoAnalyze';
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';

const NAMES = COCO17.keypointNames;
const keypointsAt = (x: number, y: number) => NAMES.flatMap((_, k) => [x + (k % 5) * 8, y + k * 12, 2]);
const gt: CocoKeypointsGroundTruth = {
  images: [{ id: 1, file_name: '1.jpg', width: 1000, height: 600 }],
  annotations: [{ id: 10, image_id: 1, category_id: 1, keypoints: keypointsAt(100, 100), num_keypoints: 17, bbox: [100, 100, 40, 200], area: 8000, iscrowd: 0 }],
  categories: [{ id: 1, name: 'person', keypoints: NAMES }],
};
const farAway = [{ image_id: 1, category_id: 1, keypoints: keypointsAt(800, 100), score: 0.9 }];

describe('error summary', () => {
  it('leaves a gain undefined where the AP it is taken from is -1 (no person left), instead of a gain of −1', () => {
    const raw = analyzeKeypointErrors(gt, farAway);
    // The tool's raw numbers, as the vectors test checks them: -1 after the false-negative fix.
    expect(raw.apImpact.ap.false_neg['all']!.every((ap) => ap === -1)).toBe(true);
    expect(raw.apImpact.ap.bckgd_false_pos['all']!.every((ap) => ap === 0)).toBe(true);
    const summary = columnErrors('m', 'Model', gt, farAway).analysis!;
    const gain = (type: string) => summary.apGain.find((g) => g.errorType === type)!;
    expect(gain('false_neg').perThreshold.every((g) => g === null)).toBe(true);
    expect(gain('false_neg').meanOverThresholds).toBeNull();
    expect(gain('bckgd_false_pos').perThreshold).toEqual(Array(10).fill(0));
    expect(summary.background.falsePositivesAtAllThresholds).toEqual([0]);
    expect(summary.background.falseNegativesWithKeypointsAtAllThresholds).toBe(1);
  });
});
