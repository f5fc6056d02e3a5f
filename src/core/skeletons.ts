import type { KeypointLayoutId } from './types';

/** A keypoint layout as data: names in model output order, bones, and left/right pairs. */
export interface SkeletonLayout {
  id: KeypointLayoutId;
  keypointNames: readonly string[];
  /** Bones as index pairs into `keypointNames`. */
  edges: readonly (readonly [number, number])[];
}

const COCO17_NAMES = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
] as const;

const BLAZEPOSE33_NAMES = [
  'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye', 'right_eye_outer',
  'left_ear', 'right_ear', 'mouth_left', 'mouth_right',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
  'left_pinky', 'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb',
  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
  'left_heel', 'right_heel', 'left_foot_index', 'right_foot_index',
] as const;

function edgesByName(names: readonly string[], pairs: readonly (readonly [string, string])[]): [number, number][] {
  return pairs.map(([a, b]) => {
    const ia = names.indexOf(a);
    const ib = names.indexOf(b);
    if (ia < 0 || ib < 0) throw new Error(`unknown keypoint in edge ${a}-${b}`);
    return [ia, ib];
  });
}

// Edges are written by name so a wrong index cannot slip in; tests check the invariants.
export const COCO17: SkeletonLayout = {
  id: 'coco17',
  keypointNames: COCO17_NAMES,
  edges: edgesByName(COCO17_NAMES, [
    ['nose', 'left_eye'], ['nose', 'right_eye'], ['left_eye', 'left_ear'], ['right_eye', 'right_ear'],
    ['left_shoulder', 'right_shoulder'],
    ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
    ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'],
    ['left_shoulder', 'left_hip'], ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'],
    ['left_hip', 'left_knee'], ['left_knee', 'left_ankle'],
    ['right_hip', 'right_knee'], ['right_knee', 'right_ankle'],
  ]),
};

export const BLAZEPOSE33: SkeletonLayout = {
  id: 'blazepose33',
  keypointNames: BLAZEPOSE33_NAMES,
  edges: edgesByName(BLAZEPOSE33_NAMES, [
    ['nose', 'left_eye_inner'], ['left_eye_inner', 'left_eye'], ['left_eye', 'left_eye_outer'], ['left_eye_outer', 'left_ear'],
    ['nose', 'right_eye_inner'], ['right_eye_inner', 'right_eye'], ['right_eye', 'right_eye_outer'], ['right_eye_outer', 'right_ear'],
    ['mouth_left', 'mouth_right'],
    ['left_shoulder', 'right_shoulder'],
    ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
    ['left_wrist', 'left_pinky'], ['left_wrist', 'left_index'], ['left_wrist', 'left_thumb'], ['left_pinky', 'left_index'],
    ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'],
    ['right_wrist', 'right_pinky'], ['right_wrist', 'right_index'], ['right_wrist', 'right_thumb'], ['right_pinky', 'right_index'],
    ['left_shoulder', 'left_hip'], ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'],
    ['left_hip', 'left_knee'], ['left_knee', 'left_ankle'], ['left_ankle', 'left_heel'], ['left_heel', 'left_foot_index'], ['left_ankle', 'left_foot_index'],
    ['right_hip', 'right_knee'], ['right_knee', 'right_ankle'], ['right_ankle', 'right_heel'], ['right_heel', 'right_foot_index'], ['right_ankle', 'right_foot_index'],
  ]),
};

export const SKELETONS: Record<KeypointLayoutId, SkeletonLayout> = { coco17: COCO17, blazepose33: BLAZEPOSE33 };

/** The name of the mirror keypoint (left_x ↔ right_x), or the name itself for midline points. */
export function mirrorKeypointName(name: string): string {
  if (name.startsWith('left_')) return 'right_' + name.slice(5);
  if (name.startsWith('right_')) return 'left_' + name.slice(6);
  if (name === 'mouth_left') return 'mouth_right';
  if (name === 'mouth_right') return 'mouth_left';
  return name;
}
