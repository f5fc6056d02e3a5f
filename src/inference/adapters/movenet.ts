import * as poseDetection from '@tensorflow-models/pose-detection';
import { COCO17 } from '../../core/skeletons';
import { createProgressTracker, graphModelHandler } from '../graphModelHandler';
import type { AdapterFactory } from '../modelAdapter';
import { innerGraphModels, toPlainPoses } from './poseDetectionResult';

const MOVENET_MODEL_TYPES: Partial<Record<string, string>> = {
  'movenet-lightning': poseDetection.movenet.modelType.SINGLEPOSE_LIGHTNING,
  'movenet-thunder': poseDetection.movenet.modelType.SINGLEPOSE_THUNDER,
  'movenet-multipose': poseDetection.movenet.modelType.MULTIPOSE_LIGHTNING,
};

/** MoveNet SinglePose Lightning/Thunder and MultiPose Lightning through pose-detection. */
export const loadMoveNet: AdapterFactory = async (info, context) => {
  const modelType = MOVENET_MODEL_TYPES[info.id];
  if (!modelType) throw new Error(`${info.id} is not a MoveNet model`);
  const modelJson = info.files.find((f) => f.name.endsWith('.json'));
  if (!modelJson) throw new Error(`${info.id}: manifest lists no model.json`);
  const progressFor = createProgressTracker(info, context);
  const detector = await poseDetection.createDetector(poseDetection.SupportedModels.MoveNet, {
    modelType,
    modelUrl: graphModelHandler(modelJson.name, context, progressFor),
    enableSmoothing: true,
    // Tracking only matters across video frames; stills are independent.
    enableTracking: false,
    // Every person MultiPose finds is reported; the UI threshold filters what is drawn.
    minPoseScore: info.multiPerson ? 0.1 : 0.0001,
  });
  return {
    info,
    async estimate(image, options) {
      // SinglePose crops around the previous frame's keypoints: a still must not inherit that crop.
      // (MultiPose keeps no crop, and its reset() throws when tracking is off.)
      if (options.mode === 'still' && !info.multiPerson) detector.reset();
      const poses = await detector.estimatePoses(
        image,
        { maxPoses: info.multiPerson ? 6 : 1 },
        options.mode === 'video' ? options.timestampMs : undefined,
      );
      return toPlainPoses(poses, COCO17.keypointNames);
    },
    graphModels: () => innerGraphModels(detector, ['moveNetModel']),
    dispose: () => detector.dispose(),
  };
};
