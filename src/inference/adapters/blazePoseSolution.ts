import { layoutById } from '../../core/layouts';
import { resolveModelSettings } from '../../core/modelSettings';
import type { Keypoint, ModelInfo, Pose, WorldKeypoint } from '../../core/types';
import type { AdapterFamily } from '../modelAdapter';
import { configFile, configNumber, onlyConfigFields } from '../modelConfig';
import { MEDIAPIPE_SOLUTIONS_RUNTIME, landmarkLists, loadSolution } from '../runtimes/mediapipeSolutions';

/**
 * BlazePose lite/full/heavy as the legacy MediaPipe Pose solution (@mediapipe/pose) runs it: MediaPipe's own graph
 * (pose detector, region, landmark network, heatmap refinement, projection, world landmarks), networks on WebGL2.
 *
 * Output as the tfjs twin gives it: 33 keypoints in image pixels with z (image-width pixel scale, as the solution's
 * normalised z is in units of the width), score = visibility (a probability in the solution's results too); world
 * landmarks in metres (origin between the hips) with the same scores. The solution does not report its pose flag
 * (it drops a person below it), so the pose's score is the mean visibility, as pose-detection's own fallback is.
 * Stills see nothing of the previous image (no tracked region, no smoothing: runtimes/solutionWorkerMain.ts); video
 * keeps MediaPipe's tracking, and its landmark smoothing follows the model's smoothing setting as the tfjs twin's does.
 */
const CONFIG_FIELDS = ['solutionFile', 'modelComplexity'];
const POINTS = 33;

function solutionConfig(info: ModelInfo): { solutionFile: string; modelComplexity: number } {
  onlyConfigFields(info, CONFIG_FIELDS);
  if (info.multiPerson) throw new Error(`${info.id}: the MediaPipe Pose solution finds one person (multiPerson must be false)`);
  if (info.personInput !== undefined) throw new Error(`${info.id}: the MediaPipe Pose solution runs its own detector (personInput is not supported)`);
  const points = layoutById(info.keypointLayout).keypointNames.length;
  if (points !== POINTS) throw new Error(`${info.id}: the MediaPipe Pose solution gives ${POINTS} points, its layout ${info.keypointLayout} has ${points}`);
  return { solutionFile: configFile(info, 'solutionFile'), modelComplexity: configNumber(info, 'modelComplexity', { min: 0, max: 2, integer: true }) };
}

export const BLAZEPOSE_SOLUTION_FAMILY: AdapterFamily = {
  runtime: MEDIAPIPE_SOLUTIONS_RUNTIME,
  checkConfig: (info) => void solutionConfig(info),
  async load(info, context) {
    const config = solutionConfig(info);
    const names = layoutById(info.keypointLayout).keypointNames;
    const smoothing = resolveModelSettings(info.settings, context.settings).smoothing ?? true;
    const solution = await loadSolution(info, context, {
      solutionFile: config.solutionFile,
      className: 'Pose',
      // The tfjs twin's thresholds (pose-detection's BlazePose: 0.5 for the detector and the pose flag).
      options: { selfieMode: false, modelComplexity: config.modelComplexity, smoothLandmarks: smoothing, enableSegmentation: false, smoothSegmentation: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 },
      // Smoothing is for video, as the tfjs twin's; unsmoothed stills are also what lets them skip a graph restart.
      stillOptions: { smoothLandmarks: false },
      resultFields: ['poseLandmarks', 'poseWorldLandmarks'],
    });
    return {
      info,
      runtime: MEDIAPIPE_SOLUTIONS_RUNTIME,
      async estimate(image, options) {
        const { fields } = await solution.estimate(image, options);
        // The Pose solution gives one landmark list, not a list of them.
        const wrap = (field: string) => ({ [field]: fields[field] === undefined || fields[field] === null ? undefined : [fields[field]] });
        const [landmarks] = landmarkLists(info, wrap('poseLandmarks'), 'poseLandmarks', POINTS);
        const [worldLandmarks] = landmarkLists(info, wrap('poseWorldLandmarks'), 'poseWorldLandmarks', POINTS);
        if (!landmarks) return { poses: [] };
        const { widthPx, heightPx } = image;
        const keypoints = landmarks.map((l, i): Keypoint => ({ name: names[i] ?? String(i), x: l.x * widthPx, y: l.y * heightPx, score: l.visibility ?? 0, z: l.z * widthPx }));
        const pose: Pose = { keypoints, score: keypoints.reduce((sum, k) => sum + k.score, 0) / keypoints.length };
        if (worldLandmarks) {
          pose.world = { unit: 'm', keypoints: worldLandmarks.map((l, i): WorldKeypoint => ({ name: names[i] ?? String(i), x: l.x, y: l.y, z: l.z, score: l.visibility ?? keypoints[i]!.score })) };
        }
        return { poses: [pose] };
      },
      runtimeMemory: () => solution.memory(),
      dispose: () => solution.dispose(),
    };
  },
};
