import type { CocoKeypointAnnotation } from './coco/cocoTypes';
import { keypointOks } from './metrics/oks';
import type { Pose } from './types';

/**
 * Pairs COCO-17 poses with ground-truth people for drawing (which prediction was meant for whom):
 * greedy by highest OKS, each pose and person used once. Crowd and keypoint-less annotations are
 * never paired. Returns, per annotation index, the pose index or null.
 * (Scoring uses the exact COCO matching in metrics/cocoEval.ts; this is only for the picture.)
 */
export function pairPosesWithAnnotations(posesCoco17: readonly Pose[], annotations: readonly CocoKeypointAnnotation[]): (number | null)[] {
  const pairs: { annotationIndex: number; poseIndex: number; oks: number }[] = [];
  annotations.forEach((annotation, annotationIndex) => {
    if (annotation.iscrowd || annotation.num_keypoints === 0) return;
    posesCoco17.forEach((pose, poseIndex) => {
      const oks = keypointOks(annotation.keypoints, pose.keypoints.map((k) => [k.x, k.y] as const), annotation.area);
      if (oks !== null && oks > 0) pairs.push({ annotationIndex, poseIndex, oks });
    });
  });
  pairs.sort((a, b) => b.oks - a.oks);
  const byAnnotation: (number | null)[] = annotations.map(() => null);
  const usedPoses = new Set<number>();
  for (const pair of pairs) {
    if (byAnnotation[pair.annotationIndex] !== null || usedPoses.has(pair.poseIndex)) continue;
    byAnnotation[pair.annotationIndex] = pair.poseIndex;
    usedPoses.add(pair.poseIndex);
  }
  return byAnnotation;
}
