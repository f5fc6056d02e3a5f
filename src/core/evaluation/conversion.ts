/** Model poses → COCO keypoint results, the one format every column is scored in. */

import type { CocoKeypointResult } from '../coco/cocoTypes';
import { toCoco17 } from '../keypointMapping';
import { COCO17 } from '../skeletons';
import type { KeypointLayoutId, Pose } from '../types';

/** COCO's person category id, which COCO keypoint results carry. */
export const COCO_PERSON_CATEGORY_ID = 1;

/**
 * Poses of one image as COCO keypoint results: 17 keypoints `[x, y, v]` in original-image pixels, `v` = the
 * model's keypoint score (COCO ignores v in results; keeping the score makes the file useful elsewhere), `score`
 * = the pose score (it orders detections for AP). BlazePose-33 poses are mapped by `toCoco17`. No `bbox` is
 * written, so pycocotools derives detection areas from the keypoint extent, as for any keypoint submission.
 *
 * A pose with a non-finite coordinate or pose score is left out: JSON cannot carry NaN, pycocotools would fail
 * on the `null` it turns into, and such a pose has no location to score. A non-finite keypoint score becomes 0.
 *
 * @param categoryId the ground truth's person category (COCO: 1)
 */
export function posesToCocoResults(
  imageId: number,
  poses: readonly Pose[],
  layout: KeypointLayoutId,
  categoryId: number = COCO_PERSON_CATEGORY_ID,
): CocoKeypointResult[] {
  const out: CocoKeypointResult[] = [];
  for (const pose of poses) {
    if (!Number.isFinite(pose.score)) continue;
    const coco = toCoco17(pose, layout);
    if (coco.keypoints.length !== COCO17.keypointNames.length) {
      throw new Error(`a ${layout} pose has ${coco.keypoints.length} keypoints, expected ${COCO17.keypointNames.length} after mapping`);
    }
    const keypoints: number[] = [];
    let finite = true;
    for (const k of coco.keypoints) {
      if (!Number.isFinite(k.x) || !Number.isFinite(k.y)) finite = false;
      keypoints.push(k.x, k.y, Number.isFinite(k.score) ? k.score : 0);
    }
    if (!finite) continue;
    out.push({ image_id: imageId, category_id: categoryId, keypoints, score: pose.score });
  }
  return out;
}
