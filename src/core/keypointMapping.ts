import { COCO17 } from './skeletons';
import type { KeypointLayoutId, Pose } from './types';

/**
 * BlazePose-33 → COCO-17, by index. BlazePose's face and limb landmarks with a COCO namesake
 * (nose, eye centres, ears, shoulders … ankles) map one-to-one; hands,
 * heels, foot tips, mouth and inner/outer eye corners have no COCO counterpart and are dropped.
 */
export const BLAZEPOSE33_TO_COCO17: readonly number[] = [
  0, // nose
  2, // left_eye (BlazePose eye centre)
  5, // right_eye
  7, // left_ear
  8, // right_ear
  11, // left_shoulder
  12, // right_shoulder
  13, // left_elbow
  14, // right_elbow
  15, // left_wrist
  16, // right_wrist
  23, // left_hip
  24, // right_hip
  25, // left_knee
  26, // right_knee
  27, // left_ankle
  28, // right_ankle
];

/** Poses of any supported layout expressed as COCO-17 poses (the layout every model is scored on). */
export function toCoco17(pose: Pose, layout: KeypointLayoutId): Pose {
  if (layout === 'coco17') return pose;
  return {
    score: pose.score,
    keypoints: BLAZEPOSE33_TO_COCO17.map((sourceIndex, cocoIndex) => {
      const source = pose.keypoints[sourceIndex];
      if (!source) throw new Error(`BlazePose pose has no keypoint ${sourceIndex}`);
      return { ...source, name: COCO17.keypointNames[cocoIndex] ?? source.name };
    }),
  };
}
