import { layoutById } from '../../core/layouts';
import { resolveModelSettings } from '../../core/modelSettings';
import type { Keypoint, ModelInfo, Pose } from '../../core/types';
import type { AdapterFamily } from '../modelAdapter';
import { configBoolean, configFile, configNumber, onlyConfigFields } from '../modelConfig';
import { MEDIAPIPE_SOLUTIONS_RUNTIME, landmarkLists, loadSolution } from '../runtimes/mediapipeSolutions';

/**
 * MediaPipe Face Mesh (468 points) and Face Mesh with attention (478: `refineLandmarks`, irises included) as the legacy
 * MediaPipe Face Mesh solution (@mediapipe/face_mesh) runs them: MediaPipe's own graph (short-range face detector,
 * regions, mesh network), networks on WebGL2. The attention mesh's custom ops, which LiteRT.js lacks, are built into
 * the solution's WASM, so this is the runtime that gives the 478-point mesh a second runtime.
 *
 * Output as the tfjs twin gives it: per face 468 or 478 keypoints in image pixels with z (MediaPipe's relative depth,
 * image-width pixel scale). The solution does not report the face-presence probability (it drops faces below it), so
 * the face's score, and each keypoint's, is 1. Stills see nothing of the previous image (the detector on every image);
 * video keeps MediaPipe's tracking.
 */
const CONFIG_FIELDS = ['solutionFile', 'refineLandmarks', 'maxFaces'];
const MAX_FACES_LIMIT = 10;

function solutionConfig(info: ModelInfo): { solutionFile: string; refineLandmarks: boolean; maxFaces: number; points: number } {
  onlyConfigFields(info, CONFIG_FIELDS);
  const refineLandmarks = configBoolean(info, 'refineLandmarks');
  const expected = refineLandmarks ? 478 : 468;
  const points = layoutById(info.keypointLayout).keypointNames.length;
  if (points !== expected) throw new Error(`${info.id}: config.refineLandmarks ${String(refineLandmarks)} gives ${expected} points, its layout ${info.keypointLayout} has ${points}`);
  return { solutionFile: configFile(info, 'solutionFile'), refineLandmarks, maxFaces: configNumber(info, 'maxFaces', { min: 1, max: MAX_FACES_LIMIT, integer: true }), points };
}

export const FACE_MESH_SOLUTION_FAMILY: AdapterFamily = {
  runtime: MEDIAPIPE_SOLUTIONS_RUNTIME,
  checkConfig: (info) => void solutionConfig(info),
  async load(info, context) {
    const config = solutionConfig(info);
    const names = layoutById(info.keypointLayout).keypointNames;
    const maxFaces = resolveModelSettings(info.settings, context.settings).maxPoses ?? config.maxFaces;
    const solution = await loadSolution(info, context, {
      solutionFile: config.solutionFile,
      className: 'FaceMesh',
      // 0.5 for tracking, as face-landmarks-detection's tfjs twin. Not minDetectionConfidence: setting it makes this
      // build abort at its first image ("native code called abort()", either mesh); its default is the twin's 0.5.
      options: { selfieMode: false, maxNumFaces: maxFaces, refineLandmarks: config.refineLandmarks, enableFaceGeometry: false, minTrackingConfidence: 0.5 },
      resultFields: ['multiFaceLandmarks'],
    });
    return {
      info,
      runtime: MEDIAPIPE_SOLUTIONS_RUNTIME,
      async estimate(image, options) {
        const { fields } = await solution.estimate(image, options);
        const { widthPx, heightPx } = image;
        const poses = landmarkLists(info, fields, 'multiFaceLandmarks', config.points).map((landmarks): Pose => ({
          keypoints: landmarks.map((l, i): Keypoint => ({ name: names[i] ?? String(i), x: l.x * widthPx, y: l.y * heightPx, score: 1, z: l.z * widthPx })),
          score: 1,
        }));
        return { poses };
      },
      runtimeMemory: () => solution.memory(),
      dispose: () => solution.dispose(),
    };
  },
};
