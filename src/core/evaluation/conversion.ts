/** Model poses → COCO keypoint results in the ground truth's layout, the one format every column is scored in. */

import type { CocoKeypointResult } from '../coco/cocoTypes';
import { layoutMapping, mapPose, noMappingReason, type KeypointLayout } from '../layouts';
import type { Pose } from '../types';

/** COCO's person category id, which COCO keypoint results carry. */
export const COCO_PERSON_CATEGORY_ID = 1;

/**
 * Poses of one image as COCO keypoint results: the ground truth's K keypoints `[x, y, v]` in original-image pixels,
 * `v` = the model's keypoint score (COCO ignores v in results; keeping the score makes the file useful elsewhere),
 * `score` = the pose score (it orders detections for AP). Poses of another layout are mapped (core/layouts). No
 * `bbox` is written, so pycocotools derives detection areas from the keypoint extent, as for any keypoint submission.
 *
 * A pose with a non-finite coordinate or pose score is left out: JSON cannot carry NaN, pycocotools would fail
 * on the `null` it turns into, and such a pose has no location to score. A non-finite keypoint score becomes 0.
 *
 * @param from the layout the poses are in (the model's)
 * @param to the layout scored (the ground truth's)
 * @param categoryId the ground truth's category (COCO's person: 1)
 * @throws Error when no mapping from `from` to `to` exists (check with `layoutMapping` first)
 */
export function posesToCocoResults(
  imageId: number,
  poses: readonly Pose[],
  from: KeypointLayout,
  to: KeypointLayout,
  categoryId: number = COCO_PERSON_CATEGORY_ID,
): CocoKeypointResult[] {
  const mapping = layoutMapping(from, to);
  if (!mapping) throw new Error(noMappingReason(from, to));
  const out: CocoKeypointResult[] = [];
  for (const pose of poses) {
    if (!Number.isFinite(pose.score)) continue;
    const mapped = mapPose(pose, mapping, to.keypointNames);
    if (mapped.keypoints.length !== to.keypointNames.length) {
      throw new Error(`a ${from.displayName} pose has ${mapped.keypoints.length} keypoints, expected ${to.keypointNames.length}`);
    }
    const keypoints: number[] = [];
    let finite = true;
    for (const k of mapped.keypoints) {
      if (!Number.isFinite(k.x) || !Number.isFinite(k.y)) finite = false;
      keypoints.push(k.x, k.y, Number.isFinite(k.score) ? k.score : 0);
    }
    if (!finite) continue;
    out.push({ image_id: imageId, category_id: categoryId, keypoints, score: pose.score });
  }
  return out;
}
