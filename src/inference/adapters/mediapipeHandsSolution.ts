import { layoutById } from '../../core/layouts';
import { resolveModelSettings } from '../../core/modelSettings';
import type { Keypoint, ModelInfo, Pose, WorldKeypoint } from '../../core/types';
import type { AdapterFamily } from '../modelAdapter';
import { configFile, configNumber, onlyConfigFields } from '../modelConfig';
import { MEDIAPIPE_SOLUTIONS_RUNTIME, landmarkLists, loadSolution } from '../runtimes/mediapipeSolutions';

/**
 * MediaPipe Hands lite/full as the legacy MediaPipe Hands solution (@mediapipe/hands) runs it: MediaPipe's own graph
 * (palm detector, hand regions, landmark network, handedness), networks on WebGL2.
 *
 * Output as the tfjs twin gives it: per hand 21 keypoints in image pixels with z (image-width pixel scale), the 21
 * world landmarks in metres, and the handedness in the subject's terms: MediaPipe's classifier assumes a mirrored
 * image, and with `selfieMode: false` the solution passes its label on unchanged, so on an ordinary photo its 'Left'
 * is the person's right hand, flipped here exactly as the tfjs adapter flips it (the label's score is the
 * classifier's probability of the label given). The solution does not report the hand-presence probability (it
 * drops hands below it), so the hand's score, and each keypoint's, is 1.
 * Stills see nothing of the previous image (the palm detector on every image); video keeps MediaPipe's tracking.
 */
const CONFIG_FIELDS = ['solutionFile', 'modelComplexity', 'maxHands'];
const POINTS = 21;
const MAX_HANDS_LIMIT = 10;

function solutionConfig(info: ModelInfo): { solutionFile: string; modelComplexity: number; maxHands: number } {
  onlyConfigFields(info, CONFIG_FIELDS);
  const points = layoutById(info.keypointLayout).keypointNames.length;
  if (points !== POINTS) throw new Error(`${info.id}: the MediaPipe Hands solution gives ${POINTS} points, its layout ${info.keypointLayout} has ${points}`);
  return {
    solutionFile: configFile(info, 'solutionFile'),
    modelComplexity: configNumber(info, 'modelComplexity', { min: 0, max: 1, integer: true }),
    maxHands: configNumber(info, 'maxHands', { min: 1, max: MAX_HANDS_LIMIT, integer: true }),
  };
}

interface Handedness {
  label?: string;
  score?: number;
}

export const MEDIAPIPE_HANDS_SOLUTION_FAMILY: AdapterFamily = {
  runtime: MEDIAPIPE_SOLUTIONS_RUNTIME,
  checkConfig: (info) => void solutionConfig(info),
  async load(info, context) {
    const config = solutionConfig(info);
    const names = layoutById(info.keypointLayout).keypointNames;
    const maxHands = resolveModelSettings(info.settings, context.settings).maxPoses ?? config.maxHands;
    const solution = await loadSolution(info, context, {
      solutionFile: config.solutionFile,
      className: 'Hands',
      // hand-pose-detection's defaults for the tfjs twin: 0.5 for the palm detector and for tracking.
      options: { selfieMode: false, modelComplexity: config.modelComplexity, maxNumHands: maxHands, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 },
      resultFields: ['multiHandLandmarks', 'multiHandWorldLandmarks', 'multiHandedness'],
    });
    return {
      info,
      runtime: MEDIAPIPE_SOLUTIONS_RUNTIME,
      async estimate(image, options) {
        const { fields } = await solution.estimate(image, options);
        const hands = landmarkLists(info, fields, 'multiHandLandmarks', POINTS);
        const worlds = landmarkLists(info, fields, 'multiHandWorldLandmarks', POINTS);
        const handedness = (Array.isArray(fields.multiHandedness) ? fields.multiHandedness : []) as Handedness[];
        const { widthPx, heightPx } = image;
        const poses = hands.map((landmarks, h): Pose => {
          const score = 1;
          const keypoints = landmarks.map((l, i): Keypoint => ({ name: names[i] ?? String(i), x: l.x * widthPx, y: l.y * heightPx, score, z: l.z * widthPx }));
          const pose: Pose = { keypoints, score };
          const label = handedness[h];
          if (label?.label === 'Left' || label?.label === 'Right') {
            pose.labels = { handedness: { value: label.label === 'Left' ? 'right' : 'left', score: typeof label.score === 'number' ? label.score : 1 } };
          }
          const world = worlds[h];
          if (world) pose.world = { unit: 'm', keypoints: world.map((l, i): WorldKeypoint => ({ name: names[i] ?? String(i), x: l.x, y: l.y, z: l.z, score })) };
          return pose;
        });
        return { poses };
      },
      runtimeMemory: () => solution.memory(),
      dispose: () => solution.dispose(),
    };
  },
};
