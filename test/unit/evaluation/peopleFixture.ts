/** The test/fixtures/people ground truth through the real parser, and perfect predictions built from it. Test-only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoKeypointAnnotation, CocoKeypointsGroundTruth } from '../../../src/core/coco/cocoTypes';
import { parseGroundTruth } from '../../../src/core/coco/parseGroundTruth';
import { BLAZEPOSE33, COCO17 } from '../../../src/core/layouts/builtinLayouts';
import type { Pose } from '../../../src/core/types';

export const PEOPLE_ANNOTATIONS = join(import.meta.dirname, '..', '..', 'fixtures', 'people', 'annotations.json');

export function peopleGroundTruth(): CocoKeypointsGroundTruth {
  const parsed = parseGroundTruth(readFileSync(PEOPLE_ANNOTATIONS, 'utf8'));
  if (!parsed.value) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
}

/** Not crowd, with labelled keypoints: the persons COCO scores. */
export function scorable(ann: CocoKeypointAnnotation): boolean {
  return ann.iscrowd === 0 && ann.num_keypoints > 0;
}

/** A COCO-17 pose on the annotation's keypoints (unlabelled ones at the GT's (0, 0)). */
export function perfectCocoPose(ann: CocoKeypointAnnotation, score = 0.9): Pose {
  return {
    score,
    keypoints: COCO17.keypointNames.map((name, k) => ({ name, x: ann.keypoints[k * 3]!, y: ann.keypoints[k * 3 + 1]!, score: 0.8 })),
  };
}

/** BlazePose's documented landmark index of each COCO-17 keypoint (pose-detection README), written out by hand. */
const BLAZEPOSE_INDEX_OF_COCO = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];

/** A BlazePose-33 pose whose 17 COCO-named landmarks sit on the annotation's keypoints; the other 16 far away. */
export function perfectBlazePose(ann: CocoKeypointAnnotation, score = 0.9): Pose {
  const keypoints = BLAZEPOSE33.keypointNames.map((name) => ({ name, x: -5000, y: -5000, score: 0.1 }));
  BLAZEPOSE_INDEX_OF_COCO.forEach((source, k) => {
    keypoints[source] = { name: BLAZEPOSE33.keypointNames[source]!, x: ann.keypoints[k * 3]!, y: ann.keypoints[k * 3 + 1]!, score: 0.7 };
  });
  return { score, keypoints };
}
