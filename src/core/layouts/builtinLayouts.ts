/** The layouts the built-in models output, as data. Tests check their invariants (test/unit/layouts.test.ts). */

import { COCO_ANALYZE_SIGMAS } from '../metrics/cocoAnalyzeKeypoints';
import { COCO_KEYPOINT_SIGMAS } from '../metrics/oks';
import faceMeshTopology from './faceMeshTopology.json';
import { defineLayout, mirrorPairsByName, type KeypointLayout } from './keypointLayout';

const COCO17_NAMES = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
];

/** COCO's person category: the format's default when a category lists no keypoints. */
export const COCO17: KeypointLayout = defineLayout({
  id: 'coco17',
  displayName: 'COCO-17 body',
  kind: 'body',
  keypointNames: COCO17_NAMES,
  edgesByName: [
    ['nose', 'left_eye'], ['nose', 'right_eye'], ['left_eye', 'left_ear'], ['right_eye', 'right_ear'],
    ['left_shoulder', 'right_shoulder'],
    ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
    ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'],
    ['left_shoulder', 'left_hip'], ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'],
    ['left_hip', 'left_knee'], ['left_knee', 'left_ankle'],
    ['right_hip', 'right_knee'], ['right_knee', 'right_ankle'],
  ],
  mirrorPairs: mirrorPairsByName(COCO17_NAMES),
  oksSigmas: COCO_KEYPOINT_SIGMAS,
  sigmaSource: { kind: 'published', reference: 'COCO keypoints (pycocotools kpt_oks_sigmas)' },
  analysisSigmas: COCO_ANALYZE_SIGMAS,
});

const BLAZEPOSE33_NAMES = [
  'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye', 'right_eye_outer',
  'left_ear', 'right_ear', 'mouth_left', 'mouth_right',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
  'left_pinky', 'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb',
  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
  'left_heel', 'right_heel', 'left_foot_index', 'right_foot_index',
];

export const BLAZEPOSE33: KeypointLayout = defineLayout({
  id: 'blazepose33',
  displayName: 'BlazePose-33 body',
  kind: 'body',
  keypointNames: BLAZEPOSE33_NAMES,
  edgesByName: [
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
  ],
  mirrorPairs: mirrorPairsByName(BLAZEPOSE33_NAMES),
});

/** MediaPipe Hands' 21 landmarks, in its output order (hand-pose-detection's names). */
const HAND21_NAMES = [
  'wrist',
  'thumb_cmc', 'thumb_mcp', 'thumb_ip', 'thumb_tip',
  'index_finger_mcp', 'index_finger_pip', 'index_finger_dip', 'index_finger_tip',
  'middle_finger_mcp', 'middle_finger_pip', 'middle_finger_dip', 'middle_finger_tip',
  'ring_finger_mcp', 'ring_finger_pip', 'ring_finger_dip', 'ring_finger_tip',
  'pinky_finger_mcp', 'pinky_finger_pip', 'pinky_finger_dip', 'pinky_finger_tip',
];

export const HAND21: KeypointLayout = defineLayout({
  id: 'hand21',
  displayName: 'MediaPipe hand (21)',
  kind: 'hand',
  keypointNames: HAND21_NAMES,
  // @mediapipe/hands' HAND_CONNECTIONS (0.4.1675469240).
  edges: [[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [5, 9], [9, 10], [10, 11], [11, 12], [9, 13], [13, 14], [14, 15], [15, 16], [13, 17], [0, 17], [17, 18], [18, 19], [19, 20]],
  // COCO-WholeBody's hand sigmas (Jin et al., ECCV 2020, as in xtcocotools / mmpose), same keypoint order:
  // wrist, then four joints per finger from the thumb to the little finger.
  oksSigmas: [0.029, 0.022, 0.035, 0.037, 0.047, 0.026, 0.025, 0.024, 0.035, 0.018, 0.024, 0.022, 0.026, 0.017, 0.021, 0.021, 0.032, 0.02, 0.019, 0.022, 0.031],
  sigmaSource: { kind: 'published', reference: 'COCO-WholeBody hand (Jin et al., ECCV 2020)' },
});

/**
 * Face mesh points have no names upstream: `mesh_<i>` for the 468 surface points; the attention model adds
 * the irises, 468 (right iris centre, the subject's right) to 477 as MediaPipe orders them.
 */
const FACE468_NAMES = Array.from({ length: 468 }, (_, i) => `mesh_${i}`);
const IRIS_NAMES = ['right_iris_center', 'right_iris_1', 'right_iris_2', 'right_iris_3', 'right_iris_4', 'left_iris_center', 'left_iris_1', 'left_iris_2', 'left_iris_3', 'left_iris_4'];

const triangles = faceMeshTopology.triangles as [number, number, number][];
const meshEdges = (): [number, number][] => {
  const seen = new Set<string>();
  const edges: [number, number][] = [];
  for (const [a, b, c] of triangles) {
    for (const [p, q] of [[a, b], [b, c], [c, a]] as const) {
      const key = p < q ? `${p}-${q}` : `${q}-${p}`;
      if (!seen.has(key)) {
        seen.add(key);
        edges.push([p, q]);
      }
    }
  }
  return edges;
};
const FACE_EDGES = meshEdges();
const FACE_CONTOURS = faceMeshTopology.contours as [number, number][];
const IRIS_EDGES = [...faceMeshTopology.rightIris, ...faceMeshTopology.leftIris] as [number, number][];

/** The outer eye corners of MediaPipe's canonical face model (33: the subject's right eye, 263: the left), for inter-ocular NME. */
const FACE_OUTER_EYE_CORNERS = ['mesh_33', 'mesh_263'] as const;

/** The mesh's nose tip (MediaPipe's canonical face model, vertex 1), which lines up with COCO's `nose`. */
export const FACE_MESH_NOSE_TIP_INDEX = 1;

export const FACE468: KeypointLayout = defineLayout({
  id: 'face468',
  displayName: 'MediaPipe face mesh (468)',
  kind: 'face',
  keypointNames: FACE468_NAMES,
  edges: FACE_EDGES,
  triangles,
  contours: FACE_CONTOURS,
  nmeReferencePair: FACE_OUTER_EYE_CORNERS,
});

export const FACE478: KeypointLayout = defineLayout({
  id: 'face478',
  displayName: 'MediaPipe face mesh with irises (478)',
  kind: 'face',
  keypointNames: [...FACE468_NAMES, ...IRIS_NAMES],
  edges: [...FACE_EDGES, ...IRIS_EDGES],
  triangles,
  contours: [...FACE_CONTOURS, ...IRIS_EDGES],
  nmeReferencePair: FACE_OUTER_EYE_CORNERS,
  // Only the centres: the ring points' order around each iris is not known to mirror one-to-one.
  mirrorPairs: [['right_iris_center', 'left_iris_center']],
});

export const BUILTIN_LAYOUTS: readonly KeypointLayout[] = [COCO17, BLAZEPOSE33, HAND21, FACE468, FACE478];
